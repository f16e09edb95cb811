"""Tokens remembered per process on PostgreSQL (issue 17, server_stub/principal_cache.py): a
revocation still takes effect at once in the process that made it and within moments in every
other, whoever made it; a process that cannot hear revocations checks every token again."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg
import pytest

from server_stub import auth, bootstrap
from server_stub.principal_cache import PrincipalCache
from server_stub.schema_pg import PRINCIPALS_CHANNEL


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def live_cache(**kw) -> PrincipalCache:
    cache = PrincipalCache(**kw)
    cache.set_live(True)
    return cache


# --- the cache alone -----------------------------------------------------------------------------


def test_a_cache_that_cannot_hear_changes_remembers_nothing():
    cache = PrincipalCache()
    cache.put("h", "p", cache.generation)
    assert cache.get("h") is None and len(cache) == 0


def test_a_lookup_that_raced_a_change_is_not_remembered():
    cache = live_cache()
    generation = cache.generation  # taken before the read
    cache.invalidate()  # a revocation commits while the read is under way
    cache.put("h", "stale", generation)
    assert cache.get("h") is None
    cache.put("h", "fresh", cache.generation)
    assert cache.get("h") == "fresh"


def test_a_change_or_a_lost_channel_forgets_everything():
    cache = live_cache()
    cache.put("a", 1, cache.generation)
    cache.invalidate()
    assert cache.get("a") is None
    cache.put("b", 2, cache.generation)
    cache.set_live(False)
    assert cache.get("b") is None
    cache.set_live(True)  # back: nothing heard while away is trusted
    assert cache.get("b") is None


def test_entries_expire_and_the_oldest_used_go_first():
    clock = Clock()
    cache = live_cache(ttl=60, max_entries=2, clock=clock)
    cache.put("a", 1, cache.generation)
    cache.put("b", 2, cache.generation)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.put("c", 3, cache.generation)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    clock.t += 60
    assert cache.get("a") is None and cache.get("c") is None


# --- on PostgreSQL, with several processes ------------------------------------------------------

pg = pytest.mark.postgresql_only


def _wait(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _listening(storage) -> bool:
    return storage.token_cache.live


@pg
@pytest.mark.rule("R33.1")
def test_a_token_revoked_in_one_process_is_refused_by_the_other(api, second):
    other = second.app.state.storage
    assert _wait(lambda: _listening(other)) and _wait(lambda: _listening(api.storage))
    for _ in range(2):  # the second answer comes from the other process's memory
        assert second.get("/v1/me", headers=api.headers("unit")).status_code == 200
    assert len(other.token_cache) >= 1  # it was remembered, so the revocation has something to undo
    unit_id = api.client.get("/v1/me", headers=api.headers("unit")).json()["id"]
    r = api.client.post(f"/v1/principals/{unit_id}/revoke", headers=api.headers("admin"))
    assert r.status_code == 200
    assert api.client.get("/v1/me", headers=api.headers("unit")).status_code == 401  # here: at once
    assert _wait(lambda: second.get("/v1/me", headers=api.headers("unit")).status_code == 401)
    assert second.get("/v1/me", headers=api.headers("unit2")).status_code == 200  # the others still work


@pg
def test_a_token_revoked_from_the_command_line_is_refused_by_a_running_server(api, server_db):
    assert _wait(lambda: _listening(api.storage))
    assert api.changes("seat").status_code == 200
    assert api.changes("seat").status_code == 200
    with api.storage.read() as tx:
        seat_id = auth.lookup(tx, api.tokens["seat"]).id
    bootstrap.revoke(server_db, seat_id, datetime.now(UTC))  # another connection: `hotline server token revoke`
    assert _wait(lambda: api.changes("seat").status_code == 401)


@pg
def test_a_process_that_loses_the_channel_checks_every_token_until_it_hears_again(api, server_db):
    storage = api.storage
    assert _wait(lambda: _listening(storage))
    assert api.client.get("/v1/me", headers=api.headers("seat")).status_code == 200
    assert len(storage.token_cache) == 1
    with psycopg.connect(server_db, autocommit=True) as conn:  # the listener's connection dies
        killed = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = %s",
            (f"LISTEN {PRINCIPALS_CHANNEL}",),
        ).fetchall()
    assert killed
    assert _wait(lambda: len(storage.token_cache) == 0)  # forgotten when the loss was noticed
    assert api.client.get("/v1/me", headers=api.headers("seat")).status_code == 200  # still served
    assert _wait(lambda: _listening(storage))  # and listening again after a reconnect
