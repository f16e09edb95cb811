"""GET /v1/changes: the change feed in server sequence order, by cursor (R29.1: one unified
database that every seat follows)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rule("R29.1")


def _numbers(page: dict) -> list[str]:
    return [c["ticket"]["ticket"]["number"] for c in page["changes"]]


def test_pages_follow_the_server_sequence_and_end_with_a_cursor(api):
    made = [api.ticket(lead=None)[1] for _ in range(5)]
    page1 = api.changes("supervisor", limit=2).json()
    assert _numbers(page1) == made[:2] and page1["more"] is True
    page2 = api.changes("supervisor", page1["next"], limit=2).json()
    page3 = api.changes("supervisor", page2["next"], limit=2).json()
    assert _numbers(page2) == made[2:4] and _numbers(page3) == made[4:] and page3["more"] is False
    seqs = [c["seq"] for p in (page1, page2, page3) for c in p["changes"]]
    assert seqs == sorted(seqs)
    assert api.changes("supervisor", page3["next"]).json()["changes"] == []


def test_a_changed_ticket_moves_to_the_end_of_the_feed_with_all_its_events(api):
    first_id, first = api.ticket(lead=None)
    second_id, second = api.ticket(lead=None)
    cursor = api.changes("supervisor").json()["next"]
    api.act("supervisor", first, "accept")
    page = api.changes("supervisor", cursor).json()
    assert _numbers(page) == [first]
    assert [e["kind"] for e in page["changes"][0]["events"]] == ["register", "accept"]
    assert page["changes"][0]["ticket"]["status_name"] == "已受理，待转办"


def test_a_seat_follows_its_own_tickets(api):
    mine = api.ticket(lead=None)[1]
    theirs = api.ticket(lead=None, who="seat2", seat="013")[1]
    assert _numbers(api.changes("seat").json()) == [mine]
    assert _numbers(api.changes("seat2").json()) == [theirs]
    assert set(_numbers(api.changes("supervisor").json())) == {mine, theirs}


def test_a_seat_that_acted_on_another_seats_ticket_follows_it_from_then_on(api):
    ticket_id, number = api.ticket(lead=None, who="seat2", seat="013")
    cursor = api.changes("seat").json()["next"]
    assert api.push("seat", [api.event("accept", ticket_id)]).json()["results"][0]["status"] == "applied"
    assert _numbers(api.changes("seat", cursor).json()) == [number]


@pytest.mark.parametrize("cursor", ["nonsense", "deadbeef-1", "-5", "x-y"])
def test_an_unknown_cursor_is_410_gone(api, cursor):
    api.ticket(lead=None)
    r = api.changes("seat", cursor)
    assert r.status_code == 410 and "from the start" in r.json()["detail"]


def test_a_cursor_from_the_future_is_410_gone(api):
    api.ticket(lead=None)
    epoch, _, seq = api.changes("seat").json()["next"].partition("-")
    assert api.changes("seat", f"{epoch}-{int(seq) + 1}").status_code == 410


def test_a_cursor_from_another_server_is_410_gone(api, tmp_path, rules):
    from server_stub.storage import Storage

    other = Storage.open(tmp_path / "other.db")
    with other.read() as tx:
        foreign = f"{tx.meta('epoch')}-0"
    assert api.changes("seat", foreign).status_code == 410


def test_knowledge_base_and_tickets_share_one_sequence_without_gaps_in_either_feed(api):
    api.ticket(lead=None)
    api.client.put("/v1/kb/articles/heat", json={"title": "供暖"}, headers=api.headers("supervisor"))
    second = api.ticket(lead=None)[1]
    first_page = api.changes("supervisor", limit=1).json()
    rest = api.changes("supervisor", first_page["next"]).json()
    assert _numbers(rest) == [second]


def test_a_database_restored_from_an_older_backup_makes_old_cursors_unknown(tmp_path, rules, t0, form):
    import shutil
    import sqlite3

    from ulid import ULID

    from operator_tui.contract import EventIn
    from operator_tui.domain.model import Role
    from server_stub import ingest
    from server_stub.auth import Principal
    from server_stub.storage import Storage

    db, backup = tmp_path / "server.db", tmp_path / "backup.db"
    storage = Storage.open(db)
    seat = Principal(id="p", name="seat", role=Role.OPERATOR, seat="012")

    def register(n: int) -> None:
        e = EventIn(
            id=str(ULID()),
            ticket_id=str(ULID()),
            kind="register",
            actor="op",
            role=Role.OPERATOR,
            seat="012",
            at=t0,
            payload={**form(), "number": f"2611020120{n:03d}"},
        )
        ingest.push(storage, rules, seat, [e], None, t0)

    register(1)
    with sqlite3.connect(db) as conn:
        conn.execute(f"VACUUM INTO '{backup}'")
    with storage.read() as tx:
        epoch_before, seq_at_backup = tx.meta("epoch"), tx.last_seq()
    register(2)
    register(3)  # a seat now holds a cursor two changes past the backup
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"server.db{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, db)
    with Storage.open(db).read() as tx:
        assert tx.last_seq() == seq_at_backup
        assert tx.meta("epoch") != epoch_before  # so that cursor is unknown (410), not silently reused


def test_an_ordinary_restart_keeps_the_epoch(server_db):
    from server_stub.storage import Storage

    with Storage.open(server_db) as storage, storage.read() as tx:
        first = tx.meta("epoch")
    with Storage.open(server_db) as storage, storage.read() as tx:
        assert tx.meta("epoch") == first
