"""Two real `hotline server` processes on one PostgreSQL database (issue 17): the same push sent
to both at once is applied once; a seat whose server dies finishes its sync through the other, and
every event is there exactly once."""

from __future__ import annotations

import threading

import httpx
import pytest
from ulid import ULID

pytestmark = [pytest.mark.slow, pytest.mark.postgresql_only]


@pytest.fixture
def pair(backend, second_server):
    return backend, second_server


def test_the_same_pushes_to_two_processes_at_once_are_applied_once(pair, form):
    first, second = pair
    headers = {"Authorization": f"Bearer {first.tokens['seat']}"}
    answers: dict[str, list] = {first.url: [], second.url: []}

    def push(url: str, batches: list[dict], barrier: threading.Barrier) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for body in batches:
                barrier.wait()
                r = client.post("/v1/events", json=body, headers=headers)
                assert r.status_code == 200, r.text
                answers[url].append(r.json()["results"])

    batches = []
    for n in range(1, 21):
        tid = str(ULID())
        batches.append(
            {
                "events": [
                    {
                        "id": str(ULID()),
                        "ticket_id": tid,
                        "kind": kind,
                        "actor": "op",
                        "role": "operator",
                        "seat": "012",
                        "at": "2026-11-02T09:00:00+08:00",
                        "payload": payload,
                    }
                    for kind, payload in (("register", {**form(), "number": f"2611020120{n:03d}"}), ("accept", {}))
                ]
            }
        )
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=push, args=(s.url, batches, barrier)) for s in pair]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(answers[first.url], answers[second.url]):
        assert [(r["status"], r["seq"]) for r in a] == [(r["status"], r["seq"]) for r in b]
        assert all(r["status"] == "applied" for r in a)
    ids = [r[0] for r in first.query("SELECT id FROM events")]
    assert len(ids) == len(set(ids)) == 40


def test_a_seat_finishes_its_sync_through_the_other_process(pair, seat, delivered, until):
    first, second = pair
    seat.record(500)
    proc = seat.sync_cli(first.url, first.tokens["seat"], "--batch", "50")
    assert until(lambda: first.event_count() >= 200), "the push never started"
    first.kill()  # one machine lost; the database and the other process are still there
    proc.wait(120)
    seat.sync_until_done(second.url, second.tokens["seat"])
    delivered(second, seat)
