"""Several server processes on one PostgreSQL database (issue 17): two in-process apps, each with
its own connection pool, stand for two `hotline server` processes (tests/e2e has the real ones).
Cursors, idempotency and sweeps stay correct: writers are serialised by an advisory lock, the
sweep by another."""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.postgresql_only


def _together(*calls):
    """Run the calls at once (a barrier), in threads; their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.rule("R18.2")
def test_the_same_push_to_two_processes_at_once_is_applied_once(api, second):
    for _ in range(5):
        ticket_id, number, events = api.register()
        events += [api.event("accept", ticket_id), api.event("dispatch", ticket_id, {"lead_unit": "city_housing"})]
        body = {"events": events}
        a, b = _together(
            lambda body=body: api.client.post("/v1/events", json=body, headers=api.headers("seat")),
            lambda body=body: second.post("/v1/events", json=body, headers=api.headers("seat")),
        )
        assert a.status_code == b.status_code == 200, (a.text, b.text)
        ra, rb = a.json()["results"], b.json()["results"]
        assert [r["status"] for r in ra] == [r["status"] for r in rb] == ["applied"] * 3
        assert [r["seq"] for r in ra] == [r["seq"] for r in rb]  # one answer, replayed to the other
        assert sorted([ra[0]["replayed"], rb[0]["replayed"]]) == [False, True]
    with api.storage.read() as tx:
        ids = [r[0] for r in tx._all("SELECT id FROM events")]
    assert len(ids) == len(set(ids)) == 15


def test_a_cursor_followed_across_processes_never_misses_a_change_written_meanwhile(api, second):
    clients = (api.client, second)
    written: list[str] = []
    done = threading.Event()

    def write(client, who: str, seat: str) -> None:
        for _ in range(15):
            ticket_id, _, events = api.register(seat=seat)
            r = client.post("/v1/events", json={"events": events}, headers=api.headers(who))
            assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text
            written.append(ticket_id)

    seen: set[str] = set()
    cursor = [""]

    def pull(client) -> None:
        while True:
            page = client.get(
                "/v1/changes", params={"since": cursor[0], "limit": 3}, headers=api.headers("supervisor")
            ).json()
            seen.update(c["ticket"]["ticket"]["id"] for c in page["changes"])
            cursor[0] = page["next"]
            if not page["more"]:
                return

    def read() -> None:
        turn = 0
        while not done.is_set():
            pull(clients[turn % 2])
            turn += 1

    writers = [
        threading.Thread(target=write, args=(api.client, "seat", "012")),
        threading.Thread(target=write, args=(second, "seat2", "013")),
    ]
    reader = threading.Thread(target=read)
    for t in (*writers, reader):
        t.start()
    for t in writers:
        t.join()
    done.set()
    reader.join()
    pull(second)  # what the last round may have started before the final commits
    assert len(written) == 30 and seen == set(written)


@pytest.mark.rule("R25.1")
def test_two_processes_sweeping_at_once_supervise_once(api, second):
    numbers = [api.ticket(lead="city_housing")[1] for _ in range(4)]
    api.clock.advance(days=10)
    sweeps = _together(
        *[
            (lambda c=c: c.post("/v1/sweeps", headers=api.headers("supervisor")))
            for c in (api.client, second, api.client, second)
        ]
    )
    assert all(r.status_code == 200 for r in sweeps)
    raised = 0
    for number in numbers:
        events = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()["events"]
        grounds = [e["payload"]["ground"] for e in events if e["kind"] == "supervise"]
        assert sorted(grounds) == [1, 2]  # overdue (1) and the pile of four (2): each once, never twice
        raised += len(grounds)
    assert sum(sum(r.json()["supervised"].values()) for r in sweeps) == raised == 8
