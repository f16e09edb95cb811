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
