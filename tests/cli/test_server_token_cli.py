"""`hotline server token add|list|revoke` (issue 11): tokens listed without their secret, revoked at
once, a person's token bound to an enrolled seat; `hotline server token --role …` still adds one."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rule("R33.1")


@pytest.fixture
def server_db(cli, tmp_path):
    db = tmp_path / "server.db"
    r = cli("server", "init", "--db", str(db), "--seat", "001", "--unit", "heat_group", "--json")
    assert r.code == 0, r.err
    return db


def tokens(cli, db) -> list[dict]:
    r = cli("server", "token", "list", "--db", str(db), "--json")
    assert r.code == 0, r.err
    return r.json()


def test_a_person_token_for_an_enrolled_seat(cli, server_db):
    r = cli(
        "server",
        "token",
        "add",
        "--db",
        str(server_db),
        "--role",
        "operator",
        "--seat",
        "001",
        "--name",
        "张三",
        "--staff-no",
        "1024",
        "--json",
    )
    assert r.code == 0, r.err
    issued = r.json()[0]
    assert (issued["seat"], issued["name"], issued["staff_no"]) == ("001", "张三", "1024")
    assert issued["token"].startswith("hl_operator_")
    row = next(t for t in tokens(cli, server_db) if t["id"] == issued["id"])
    assert row["staff_no"] == "1024" and row["revoked_at"] is None


def test_seat_only_binds_to_an_enrolled_seat_and_new_seat_enrols_one(cli, server_db):
    r = cli("server", "token", "add", "--db", str(server_db), "--seat", "002", "--name", "李四", "--staff-no", "7")
    assert r.code == 2 and "seat 002 is not enrolled" in r.err and "--new-seat 002" in r.err
    assert cli("server", "token", "add", "--db", str(server_db), "--new-seat", "002").code == 0
    assert cli("server", "token", "add", "--db", str(server_db), "--seat", "002", "--staff-no", "7").code == 0
    again = cli("server", "token", "add", "--db", str(server_db), "--new-seat", "002")
    assert again.code == 2 and "already enrolled" in again.err


def test_the_old_form_without_add_still_adds_a_token(cli, server_db):
    r = cli("server", "token", "--db", str(server_db), "--role", "supervisor", "--name", "值班长", "--json")
    assert r.code == 0, r.err
    assert r.json()[0]["role"] == "supervisor"


def test_list_shows_who_holds_each_token_and_never_the_token(cli, server_db, tmp_path):
    r = cli("server", "token", "list", "--db", str(server_db))
    assert r.code == 0
    assert "staff no" in r.out and "坐席001" in r.out and "heat_group" in r.out
    assert "hl_" not in r.out


def test_revoke_then_list_shows_it_and_the_server_refuses_it(cli, server_db, rules):
    import warnings

    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
    from fastapi.testclient import TestClient

    from server_stub.app import create_app
    from server_stub.settings import ServerSettings

    issued = cli(
        "server", "token", "add", "--db", str(server_db), "--role", "unit", "--unit", "heat_group", "--json"
    ).json()[0]
    with TestClient(create_app(ServerSettings(db_path=server_db, sweep_every_seconds=0), rules)) as client:
        me = lambda: client.get("/v1/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code  # noqa: E731
        assert me() == 200
        r = cli("server", "token", "revoke", issued["id"], "--db", str(server_db))
        assert r.code == 0 and issued["id"] in r.out
        assert me() == 401
    assert next(t for t in tokens(cli, server_db) if t["id"] == issued["id"])["revoked_at"]
    twice = cli("server", "token", "revoke", issued["id"], "--db", str(server_db))
    assert twice.code == 2 and "already revoked" in twice.err and len(twice.err_lines) == 1


def test_revoke_an_unknown_id_is_one_line_and_exit_2(cli, server_db):
    r = cli("server", "token", "revoke", "01NOSUCH", "--db", str(server_db))
    assert r.code == 2 and "no token with id 01NOSUCH" in r.err and len(r.err_lines) == 1


def test_token_commands_need_an_existing_server_database(cli, tmp_path):
    r = cli("server", "token", "list", "--db", str(tmp_path / "nope.db"))
    assert r.code == 2 and "hotline server init" in r.err
