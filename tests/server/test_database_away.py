"""The server's PostgreSQL away for a moment (restarting, failing over, the network cut; issue 17):
a request that cannot reach it is answered 503 "try again later", which the seats retry, not 500
as for a bug; the server recovers by itself when the database is back."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.postgresql_only


@pytest.mark.rule("R29.1")
def test_connections_cut_under_the_server_give_503_then_it_recovers(api, server_db):
    assert api.changes("seat").status_code == 200  # the pool holds a live connection now
    with psycopg.connect(server_db, autocommit=True) as conn:  # what a database restart does to them
        cut = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert cut
    answers = []
    for _ in range(40):  # each broken pooled connection fails one request, then the pool replaces it
        r = api.changes("seat")
        answers.append(r.status_code)
        if r.status_code == 200:
            break
        assert r.status_code == 503, r.text
        assert "try again later" in r.json()["detail"]
    assert 503 in answers and answers[-1] == 200


@pytest.mark.rule("R29.1")
def test_a_request_that_waits_too_long_for_a_connection_is_503_not_a_hang(server_db, rules, t0, monkeypatch):
    """Every pooled connection busy (or none to be had while the database is down): the request
    waits `POOL_WAIT`, below the seats' client timeout, and is answered 503 "try again later", so a
    seat hears why instead of timing out."""
    from fastapi.testclient import TestClient

    from server_stub import bootstrap, pg
    from server_stub.app import create_app
    from server_stub.settings import ServerSettings

    assert pg.POOL_WAIT < 10  # the seats' sync timeout (operator_tui/sync)
    monkeypatch.setattr(pg, "POOL_WAIT", 0.3)  # read when the pool opens: keep the test short
    issued = bootstrap.init(server_db, t0, seats=["012"])
    seat = next(token for p, token in issued if p.seat)
    app = create_app(ServerSettings(db_path=server_db, sweep_every_seconds=0, pool_size=1), rules)
    auth = {"Authorization": f"Bearer {seat}"}
    with TestClient(app) as client:
        assert client.get("/v1/changes", headers=auth).status_code == 200
        with app.state.storage.pool.connection():  # the only connection, held
            r = client.get("/v1/changes", headers=auth)
            assert r.status_code == 503 and "try again later" in r.json()["detail"]
        assert client.get("/v1/changes", headers=auth).status_code == 200
