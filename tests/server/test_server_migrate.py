"""`hotline server migrate --from server.db --to postgresql://…` (issue 17): a city's data moves,
verified by counts and checksums; the seats' cursors stay valid; an interrupted move resumes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from ulid import ULID

from server_stub import bootstrap, transfer
from server_stub.app import create_app
from server_stub.settings import ServerSettings
from server_stub.storage import Storage

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def city(tmp_path, rules, form, t0):
    """A SQLite server with tickets, a knowledge-base article, audit rows and a seat's cursor."""
    db = tmp_path / "server.db"
    issued = bootstrap.init(
        db, t0, seats=["012"], units=["city_housing"], supervisors=["值班长"], known_units=rules.taxonomy.units
    )
    tokens = {p.seat or p.unit or p.role.value: t for p, t in issued}
    seat = {"Authorization": f"Bearer {tokens['012']}"}
    with TestClient(create_app(ServerSettings(db_path=db, sweep_every_seconds=0, clock=lambda: t0), rules)) as client:
        for n in range(1, 31):
            tid = str(ULID())
            events = [
                {
                    "id": str(ULID()),
                    "ticket_id": tid,
                    "kind": kind,
                    "actor": "op",
                    "role": "operator",
                    "seat": "012",
                    "at": t0.isoformat(),
                    "payload": payload,
                }
                for kind, payload in (
                    ("register", {**form(name=f"欧阳春花{n}"), "number": f"2611020120{n:03d}"}),
                    ("accept", {}),
                    ("dispatch", {"lead_unit": "city_housing"}),
                )
            ]
            assert client.post("/v1/events", json={"events": events}, headers=seat).status_code == 200
        client.put(
            "/v1/kb/articles/heat",
            json={"title": "供暖", "body": "室温标准"},
            headers={"Authorization": f"Bearer {tokens['supervisor']}"},
        )
        cursor = client.get("/v1/changes", headers=seat).json()["next"]
    return db, tokens, cursor


def _move(cli, db, url):
    return cli("server", "migrate", "--from", str(db), "--to", url)


def test_a_city_moves_verified_and_its_seats_keep_their_cursors(cli, city, server_db, rules, t0):
    db, tokens, cursor = city
    r = _move(cli, db, server_db)
    assert r.code == 0, r.err
    assert "tickets" in r.out and "一致" in r.out
    with Storage.open(db) as source, Storage.open(server_db) as target:
        for table in (*transfer.TABLES, "audit"):
            checks = {c.table: c for c in transfer.verify(source, target)}
            assert checks[table].ok and checks[table].source_rows == checks[table].target_rows
        assert checks["tickets"].target_rows == 30 and checks["audit"].target_rows > 0
        with target.read() as tx:
            assert [t.number for t in tx.lookup(name="春花7")] == ["2611020120007"]
    app = create_app(ServerSettings(db_path=server_db, sweep_every_seconds=0, clock=lambda: t0), rules)
    with TestClient(app) as client:
        page = client.get("/v1/changes", params={"since": cursor}, headers={"Authorization": f"Bearer {tokens['012']}"})
        assert page.status_code == 200 and page.json()["changes"] == []  # the same epoch: no full resync
        audit = client.get("/v1/audit", headers={"Authorization": f"Bearer {tokens['admin']}"}).json()
        assert audit and all(a["id"] > 0 for a in audit)


def test_an_interrupted_move_resumes_and_a_second_run_changes_nothing(cli, city, server_db, monkeypatch):
    db, _, _ = city
    monkeypatch.setattr(transfer, "BATCH", 7)
    batches = [0]
    copy = transfer._copy_table

    def dies_after_some_batches(source, target, table, say):
        def counting(line):
            batches[0] += 1
            if batches[0] == 9:  # a kill in the middle of the events
                raise KeyboardInterrupt

        return copy(source, target, table, counting)

    monkeypatch.setattr(transfer, "_copy_table", dies_after_some_batches)
    with pytest.raises(KeyboardInterrupt):
        transfer.migrate(db, server_db)
    with Storage.open(server_db) as target, target.read() as tx:
        assert 0 < tx.table_count("events") < 90 and any(k.startswith("migrate:") for k, _ in tx.table_rows("meta"))
    monkeypatch.setattr(transfer, "_copy_table", copy)
    resumed = _move(cli, db, server_db)
    assert resumed.code == 0, resumed.err
    # it went on from its last committed batch: fewer than the 13 batches of 7 events the whole takes
    assert 0 < sum(line.strip().startswith("events:") for line in resumed.err.splitlines()) < 13
    again = _move(cli, db, server_db)
    assert again.code == 0, again.err
    with Storage.open(server_db) as target, target.read() as tx:
        assert tx.table_count("events") == 90
        assert not any(k.startswith("migrate:") for k, _ in tx.table_rows("meta"))


def test_a_target_that_differs_from_the_source_fails_verification_in_one_line(cli, city, server_db):
    db, _, _ = city
    assert _move(cli, db, server_db).code == 0
    with Storage.open(server_db) as target, target.write() as tx:
        tx._exec("UPDATE tickets SET status = 'closed' WHERE number = ?", ("2611020120003",))
    r = _move(cli, db, server_db)
    last = r.err.strip().splitlines()[-1]  # after the progress lines, the error: one line
    assert r.code == 2 and "verification failed" in last and "tickets（30 → 30" in last and "events" not in last


def test_bad_arguments_are_one_line_and_exit_2(cli, tmp_path, server_db):
    assert _move(cli, tmp_path / "missing.db", server_db).code == 2
    r = cli("server", "migrate", "--from", str(tmp_path / "x.db"), "--to", str(tmp_path / "y.db"))
    assert r.code == 2 and "postgresql://" in r.err
    r = _move(cli, tmp_path / "missing.db", server_db)
    assert "missing.db" in r.err and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
