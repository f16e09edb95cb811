"""The seat's local store: durability settings, file mode, migrations, one transaction per save,
ticket numbers, drafts and the caller's history (R16.1, R18.2, R13.1, R33.1)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from operator_tui.desk import Desk, IntakeInvalid
from operator_tui.domain.model import Event, Role, Status
from operator_tui.store import drafts, meta, tickets
from operator_tui.store.db import Store
from operator_tui.store.migrations import MIGRATIONS, migrate

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
DISPATCH = [("accept", {}), ("dispatch", {"lead_unit": "heat_group", "co_units": ["city_housing"]})]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def counts(store: Store) -> dict[str, int]:
    with store.connect() as db:
        return {
            table: db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("events", "tickets", "outbox", "number_seq")
        }


@pytest.fixture
def desk(store, rules) -> Desk:
    return Desk(store, rules, "op-1")


# --- opening the file ---------------------------------------------------------------------------


@pytest.mark.rule("R16.1")
def test_wal_and_synchronous_full_on_every_connection(store):
    for opener in (store.connect, store.transaction, Store(store.path).connect):
        with opener() as db:
            assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.rule("R33.1")
def test_database_file_is_private(tmp_path, desk, form):
    path = tmp_path / "seat.db"
    assert mode(path) == 0o600
    desk.register(form(), T0)  # a write creates the WAL and shared-memory files
    for suffix in ("", "-wal", "-shm"):
        side = tmp_path / f"seat.db{suffix}"
        if side.exists():
            assert mode(side) == 0o600, suffix


@pytest.mark.rule("R33.1")
def test_an_existing_world_readable_file_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    path.touch()
    os.chmod(path, 0o644)
    old = os.umask(0)
    try:
        Store.open(path)
    finally:
        os.umask(old)
    assert mode(path) == 0o600


@pytest.mark.rule("R33.1")
def test_db_init_makes_a_private_file(cli):
    result = cli("db", "init")
    assert result.code == 0, result.err
    assert mode(cli.db_path) == 0o600


# --- migrations ---------------------------------------------------------------------------------


def schema(store: Store) -> list[tuple]:
    with store.connect() as db:
        return db.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


@pytest.mark.rule("R16.1")
def test_migrations_are_idempotent_and_set_user_version(store):
    before = schema(store)
    assert {"tickets", "events", "outbox", "meta", "number_seq", "drafts", "conflicts"} <= {r[1] for r in before}
    Store.open(store.path)
    with store.connect() as db:
        assert migrate(db.conn) == len(MIGRATIONS)
        assert db.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert schema(store) == before


@pytest.mark.rule("R16.1")
def test_a_newer_schema_is_refused(store):
    with store.connect() as db:
        db.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        with pytest.raises(RuntimeError, match="newer"):
            migrate(db.conn)


# --- one transaction per save -------------------------------------------------------------------


@pytest.mark.rule("R18.2")
def test_save_writes_events_projection_and_outbox_together(store, desk, form):
    t = desk.register(form(), T0, DISPATCH)
    assert t.status is Status.DISPATCHED
    with store.connect() as db:
        events = tickets.events(db, t.id)
        assert [e.kind for e in events] == ["register", "accept", "dispatch"]
        outbox = db.conn.execute("SELECT op_id, ticket_id, body FROM outbox ORDER BY seq").fetchall()
        assert [r[0] for r in outbox] == [e.id for e in events]
        assert {r[1] for r in outbox} == {t.id}
        assert [Event.model_validate_json(r[2]) for r in outbox] == events
        row = db.conn.execute("SELECT number, phone, status, lead_unit, clock, due_at, version FROM tickets").fetchone()
        assert row[:5] == (t.number, "13912345678", "dispatched", "heat_group", "resolution")
        assert datetime.fromisoformat(row[5]) == datetime(2026, 11, 9, 23, 59, 59, tzinfo=SHANGHAI) and row[6] == 3
        assert tickets.get(db, t.id) == t
    assert counts(store) == {"events": 3, "tickets": 1, "outbox": 3, "number_seq": 1}


@pytest.mark.rule("R18.2")
def test_a_failure_after_the_event_insert_leaves_nothing(store, desk, form, monkeypatch):
    real_save = tickets.save

    def save_then_fail(db, *args, **kwargs):
        real_save(db, *args, **kwargs)
        assert db.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 3  # written, not committed
        raise OSError("disk full")

    monkeypatch.setattr(tickets, "save", save_then_fail)
    with pytest.raises(OSError):
        desk.register(form(), T0, DISPATCH)
    assert counts(store) == {"events": 0, "tickets": 0, "outbox": 0, "number_seq": 0}
    monkeypatch.undo()
    assert desk.register(form(), T0).number.endswith("0001")  # the number was not used up either


@pytest.mark.rule("R18.2")
def test_a_duplicate_number_rolls_back_the_event_and_outbox(store, desk, form):
    first = desk.register(form(), T0)
    with store.transaction() as db:  # make the next allocation collide with the stored number
        db.conn.execute("UPDATE number_seq SET last = last - 1")
    before = counts(store)
    with pytest.raises(sqlite3.IntegrityError):
        desk.register(form(phone="13800000000"), T0 + timedelta(minutes=5))
    assert counts(store) == before
    with store.connect() as db:
        assert [t.id for t in tickets.search(db)] == [first.id]


@pytest.mark.rule("R18.2")
def test_a_failed_action_keeps_the_saved_ticket(store, desk, form, monkeypatch):
    t = desk.register(form(), T0, DISPATCH)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(tickets, "save", fail)
    with pytest.raises(OSError):
        desk.record(t.id, "add_note", {"text": "补充"}, T0 + timedelta(hours=1))
    monkeypatch.undo()
    with store.connect() as db:
        assert tickets.get(db, t.id).version == 3 and len(tickets.events(db, t.id)) == 3


@pytest.mark.rule("R19.1")
def test_invalid_intake_writes_nothing(store, desk, form):
    with pytest.raises(IntakeInvalid) as info:
        desk.register(form(phone="12345", description=None), T0)
    assert {e.field for e in info.value.errors} == {"phone", "description"}
    assert counts(store) == {"events": 0, "tickets": 0, "outbox": 0, "number_seq": 0}


@pytest.mark.rule("R18.2")
def test_record_appends_one_event_and_updates_the_projection(store, rules, desk, form):
    t = desk.register(form(), T0, DISPATCH)
    unit = Desk(store, rules, "unit:heat_group", Role.UNIT)
    t2 = unit.record(t.id, "receive", {"unit": "heat_group"}, T0 + timedelta(hours=2))
    with store.connect() as db:
        assert tickets.get(db, t.id) == t2 and t2.status is Status.IN_PROGRESS
        assert [e.kind for e in tickets.events(db, t.id)][-1] == "receive"
        assert db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 4
        assert tickets.by_number(db, t.number) == t2


@pytest.mark.rule("R18.2")
def test_remote_events_skip_the_outbox(store, desk, form):
    t = desk.register(form(), T0)
    e = Event(
        id="01REMOTEEVENT0000000000000",
        ticket_id=t.id,
        kind="add_note",
        actor="server",
        role=Role.SUPERVISOR,
        seat="000",
        at=T0 + timedelta(hours=1),
        payload={"text": "服务器补充"},
    )
    new = desk.rules.workflow.apply(t, e, e.at)
    with store.transaction() as db:
        tickets.save(db, new, [e], None, e.at, outbox=False)
    assert counts(store)["events"] == 2 and counts(store)["outbox"] == 1


# --- ticket numbers -----------------------------------------------------------------------------


@pytest.mark.rule("R10.1")
def test_ticket_numbers_are_date_seat_and_sequence(store, desk, form):
    with store.transaction() as db:
        meta.put(db, "seat_code", "012")
    numbers = [desk.register(form(), T0 + timedelta(minutes=i)).number for i in range(25)]
    assert len(set(numbers)) == 25
    for i, n in enumerate(numbers, start=1):
        assert n.isdigit() and len(n) == 13
        assert n[:6] == "261102" and n[6:9] == "012" and n[9:] == f"{i:04d}"


@pytest.mark.rule("R10.1")
def test_ticket_number_uses_the_local_day_and_restarts_each_day(store, desk, form):
    late = desk.register(form(), datetime(2026, 11, 26, 15, 30, tzinfo=ZoneInfo("UTC")))  # 23:30 in Anshan
    early = desk.register(form(), datetime(2026, 11, 26, 16, 30, tzinfo=ZoneInfo("UTC")))  # 00:30 next day
    again = desk.register(form(), datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI))
    assert late.number == "2611260010001"
    assert early.number == "2611270010001" and again.number == "2611270010002"


@pytest.mark.rule("R10.1")
def test_ticket_number_never_changes(store, rules, desk, form):
    t = desk.register(form(), T0, DISPATCH)
    unit = Desk(store, rules, "unit:heat_group", Role.UNIT)
    unit.record(t.id, "receive", {"unit": "heat_group"}, T0 + timedelta(hours=1))
    unit.record(
        t.id, "respond", {"unit": "heat_group", "result": "已修复", "told_appellant": True}, T0 + timedelta(hours=5)
    )
    with store.transaction() as db:
        meta.put(db, "seat_code", "077")  # even a changed seat code does not renumber saved tickets
    desk.record(t.id, "add_note", {"text": "x"}, T0 + timedelta(hours=6))
    with store.connect() as db:
        saved = tickets.get(db, t.id)
        assert saved.number == t.number and saved.version == 6
        assert db.conn.execute("SELECT number FROM tickets WHERE id = ?", (t.id,)).fetchone()[0] == t.number
        assert tickets.by_number(db, t.number).id == t.id


@pytest.mark.rule("R10.1")
def test_a_full_day_of_numbers_refuses_and_writes_nothing(store, desk, form):
    with store.transaction() as db:
        db.conn.execute("INSERT INTO number_seq (day, last) VALUES ('261102', 9999)")
    with pytest.raises(OverflowError):
        desk.register(form(), T0)
    assert counts(store)["tickets"] == 0


def test_seat_code_validation():
    assert meta.valid_seat_code("012")
    for bad in ("12", "0123", "a12", ""):
        assert not meta.valid_seat_code(bad)


# --- drafts -------------------------------------------------------------------------------------


@pytest.mark.rule("R16.1")
def test_drafts_save_load_clear(store, desk, form):
    with store.transaction() as db:
        assert drafts.load(db) is None
        drafts.save(db, {"description": "暖气"}, T0)
        drafts.save(db, {"description": "暖气不热", "phone": "139"}, T0 + timedelta(seconds=2))
        drafts.save(db, {"note": "other"}, T0, slot="second-window")
    with store.connect() as db:
        assert drafts.load(db) == {"description": "暖气不热", "phone": "139"}
        assert drafts.load(db, "second-window") == {"note": "other"}
    desk.register(form(), T0)  # saving the ticket clears the intake draft
    with store.transaction() as db:
        assert drafts.load(db) is None and drafts.load(db, "second-window") == {"note": "other"}
        drafts.clear(db, "second-window")
        assert drafts.load(db, "second-window") is None


# --- the caller's history -----------------------------------------------------------------------


@pytest.mark.rule("R13.1")
def test_caller_history_newest_first(store, desk, form):
    saved = [desk.register(form(phone="13912345678"), T0 + timedelta(days=d)) for d in (3, 0, 5, 1)]
    desk.register(form(phone="13800000000"), T0 + timedelta(days=6))
    with store.connect() as db:
        history = tickets.caller_history(db, "13912345678")
        assert [r.registered_at for r in history] == sorted((t.registered_at for t in saved), reverse=True)
        assert {r.id for r in history} == {t.id for t in saved}
        assert [r.id for r in tickets.caller_history(db, "13912345678", limit=2)] == [saved[2].id, saved[0].id]
        assert tickets.caller_history(db, "13700000000") == []
        row = history[0]
        assert row.status is Status.REGISTERED and row.clock == "acceptance" and row.due_at is not None


@pytest.mark.rule("R10.1")
def test_search_by_phone_and_status(store, desk, form):
    a = desk.register(form(phone="0412-2345678"), T0)
    b = desk.register(form(phone="2345678"), T0 + timedelta(hours=1), DISPATCH)
    with store.connect() as db:
        assert [t.id for t in tickets.search(db, phone="04122345678")] == [b.id, a.id]
        assert [t.id for t in tickets.search(db, status="dispatched")] == [b.id]
        assert [t.id for t in tickets.search(db, open_only=True, limit=1)] == [b.id]
        assert tickets.count(db) == 2


@pytest.mark.rule("R18.2")
def test_events_round_trip(store, desk, form):
    t = desk.register(form(), T0, DISPATCH)
    with store.connect() as db:
        events = tickets.events(db, t.id)
        assert desk.rules.workflow.replay(events, T0) == t
        payload = json.loads(db.conn.execute("SELECT payload FROM events WHERE kind = 'register'").fetchone()[0])
        assert payload["number"] == t.number and payload["appellant"]["phone"] == "13912345678"
