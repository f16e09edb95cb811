"""The standby (issue 17), once, with real processes: a streaming replica made with pg_basebackup,
synchronous commit, the primary killed mid-sync, the replica promoted, a server pointed at it. The
seat keeps syncing, and every event the seat was told was acknowledged is on the new primary."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg
import pytest

from server_stub import bootstrap
from server_stub.pg_cluster import Cluster

pytestmark = pytest.mark.slow


@pytest.fixture
def clusters(tmp_path):
    made: list[Cluster] = []
    yield made
    for cluster in made:
        cluster.destroy()


def _synchronous(primary: Cluster, standby_name: str) -> None:
    """Make `standby_name` the synchronous standby: a commit returns only once it holds it."""
    with psycopg.connect(primary.url(), autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{standby_name}'")
        conn.execute("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = %s", (standby_name,)
            ).fetchone()
            if row and row[0] == "sync":
                return
            time.sleep(0.1)
    raise AssertionError("the standby never became synchronous")


def _acknowledged(seat) -> set[str]:
    """The events the server told the seat it holds (the seat stamps their receipt time)."""
    with seat.store.connect() as db:
        return {r[0] for r in db.conn.execute("SELECT id FROM events WHERE received_at IS NOT NULL")}


@pytest.mark.rule("R16.1")
def test_primary_lost_standby_promoted_every_acknowledged_event_kept(
    clusters, tmp_path, rules, seat, server_process, delivered, until
):
    # fsync off keeps the test quick and changes nothing here: the primary's *process* dies, not
    # the machine; what is tested is that a commit is acknowledged only once the standby holds it.
    primary = Cluster.create(settings=("synchronous_commit = on",))
    clusters.append(primary)
    url = primary.create_database("hotline")
    tokens = {
        "seat" if p.seat else p.role.value: t
        for p, t in bootstrap.init(url, datetime.now(UTC), seats=["012"], known_units=rules.taxonomy.units)
    }
    standby = primary.standby(name="standby")  # temporary directories the postgres user owns
    clusters.append(standby)
    _synchronous(primary, "standby")

    first = server_process(url, tokens)
    seat.record(600)
    proc = seat.sync_cli(first.url, tokens["seat"], "--batch", "25")
    assert until(lambda: first.event_count() >= 600), "the push never started"
    assert proc.poll() is None, "the push ended before the loss; nothing was tested"
    primary.kill()  # the machine holding the primary and its server is lost, mid-push
    first.kill()
    proc.communicate(timeout=300)  # the seat's sync ends offline once its retries run out
    acknowledged = _acknowledged(seat)
    assert acknowledged, "the seat was told of no event before the loss"

    standby.promote()
    second = server_process(standby.url("hotline"), tokens)
    held = {r[0] for r in second.query("SELECT id FROM events")}
    assert acknowledged <= held  # synchronous commit: nothing the seat was told of is lost
    seat.sync_until_done(second.url, tokens["seat"])
    delivered(second, seat)  # and the seat finishes through the new primary: every event exactly once
