"""`hotline server init | token add | token list | token revoke` on either engine: `--db` takes a
file or a postgresql:// URL; a database that cannot be reached is one line and exit 2."""

from __future__ import annotations


def test_init_and_tokens_on_either_engine(cli, server_db):
    db = str(server_db)
    made = cli("server", "init", "--db", db, "--seat", "001", "--json")
    assert made.code == 0, made.err
    added = cli("server", "token", "add", "--db", db, "--role", "unit", "--unit", "heat_group", "--json")
    assert added.code == 0, added.err
    unit_id = added.json()[0]["id"]
    assert cli("server", "token", "revoke", unit_id, "--db", db).code == 0
    listed = cli("server", "token", "list", "--db", db, "--json").json()
    assert {r["role"] for r in listed} == {"admin", "operator", "unit"}
    assert next(r for r in listed if r["id"] == unit_id)["revoked_at"]
    again = cli("server", "init", "--db", db)
    assert again.code == 2 and "already initialised" in again.err


def test_an_unreachable_postgresql_is_one_line_without_the_password(cli):
    url = "postgresql://hotline:s3cret@127.0.0.1:1/hotline"
    for args in (("init",), ("token", "list"), ("token", "add", "--role", "supervisor")):
        r = cli("server", *args, "--db", url)
        assert r.code == 2 and len(r.err.strip().splitlines()) == 1, r.err
        assert "s3cret" not in r.err and "127.0.0.1" in r.err and "Traceback" not in r.err
