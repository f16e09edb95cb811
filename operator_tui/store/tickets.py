"""Tickets and their events in the local store.

`save` writes the new events, the ticket's projection and one outbox row per event in the caller's
transaction (see `Store.transaction`), so the three never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from ..domain.deadlines import Clock, Clocks, running_clock
from ..domain.model import Event, Status, Ticket

if TYPE_CHECKING:
    from ..domain.taxonomy import Taxonomy


@dataclass(frozen=True)
class TicketRow:
    """What lists show without unpacking the whole ticket."""

    id: str
    number: str
    status: Status
    matter: str
    registered_at: datetime
    due_at: datetime | None
    clock: str | None
    due_provisional: bool
    priority: int
    referrals: int


def _iso(dt: datetime | None) -> str | None:
    """UTC ISO text: the query columns compare as strings, so they share one offset."""
    return dt.astimezone(UTC).isoformat() if dt else None


def insert_event(conn: Any, e: Event) -> None:
    """One event row, as every writer of the seat's event log stores it (a save, an outbox import)."""
    conn.execute(
        "INSERT INTO events (id, ticket_id, kind, actor, role, seat, at, payload) VALUES (?,?,?,?,?,?,?,?)",
        (
            e.id,
            e.ticket_id,
            e.kind,
            e.actor,
            e.role.value,
            e.seat,
            _iso(e.at),
            json.dumps(e.payload, ensure_ascii=False, default=str),
        ),
    )


def save(
    db: sqlite_utils.Database,
    ticket: Ticket,
    events: Iterable[Event],
    clock: Clock | None,
    now: datetime,
    *,
    outbox: bool = True,
) -> None:
    """Write `events`, the projection `ticket` and (for local events) their outbox rows."""
    conn = db.conn
    for e in events:
        body = e.model_dump_json()
        insert_event(conn, e)
        if outbox:
            conn.execute(
                "INSERT INTO outbox (op_id, ticket_id, body, created_at) VALUES (?,?,?,?)",
                (e.id, e.ticket_id, body.encode(), now.isoformat()),
            )
    # R22.1 on-time: the resolution limit in force when the unit responded. Kept from the last
    # save while a resolution clock ran, since no clock runs once the ticket is responded.
    resolution_due = _iso(clock.due.at) if clock and clock.name in ("resolution", "extension") else None
    if resolution_due is None:
        row = conn.execute("SELECT resolution_due FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
        resolution_due = row[0] if row else None
    on_time = None
    if ticket.responded_at is not None and resolution_due is not None:
        on_time = int(ticket.responded_at <= datetime.fromisoformat(resolution_due))
    open_demands = sum(1 for d in ticket.explanation_demands if not d.answer)
    conn.execute(
        """INSERT INTO tickets (id, number, phone, status, matter, place, appeal_type, lead_unit, priority,
               referrals, registered_at, updated_at, closed, clock, due_at, due_provisional, version, data,
               seat, closed_at, resolution_due, responded_at, on_time, open_demands, supervision_level,
               coordination_level)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
           ON CONFLICT(id) DO UPDATE SET status=excluded.status, matter=excluded.matter, place=excluded.place,
               appeal_type=excluded.appeal_type, lead_unit=excluded.lead_unit, priority=excluded.priority,
               referrals=excluded.referrals, updated_at=excluded.updated_at, closed=excluded.closed,
               clock=excluded.clock, due_at=excluded.due_at, due_provisional=excluded.due_provisional,
               version=excluded.version, data=excluded.data, phone=excluded.phone,
               closed_at=excluded.closed_at, resolution_due=excluded.resolution_due,
               responded_at=excluded.responded_at, on_time=excluded.on_time, open_demands=excluded.open_demands,
               supervision_level=excluded.supervision_level, coordination_level=excluded.coordination_level""",
        (
            ticket.id,
            ticket.number,
            ticket.appellant.phone,
            ticket.status.value,
            ticket.matter,
            ticket.place,
            ticket.appeal_type,
            ticket.lead_unit,
            ticket.priority,
            len(ticket.referrals),
            _iso(ticket.registered_at),
            _iso(ticket.updated_at),
            int(ticket.closed),
            clock.name if clock else None,
            _iso(clock.due.at) if clock else None,
            int(bool(clock and clock.due.provisional)),
            ticket.version,
            ticket.model_dump_json(),
            ticket.seat,
            _iso(ticket.closed_at),
            resolution_due,
            _iso(ticket.responded_at),
            on_time,
            open_demands,
            ticket.supervision_level,
            ticket.coordination_level,
        ),
    )


# The rows whose stored deadline can go stale without an event: one computed on the Mon–Fri
# fallback (provisional) until the holiday file has its year, and one held by an open recusal
# request (R27.1), whose limits stand still while the clock does not.
_STALE = (
    "SELECT data, clock, due_at, due_provisional FROM tickets WHERE closed = 0 AND "
    "(due_provisional = 1 OR clock = 'recusal_decision' OR instr(data, '\"ended_at\":null') > 0)"
)


def refresh_deadlines(db: sqlite_utils.Database, clocks: Clocks, taxonomy: Taxonomy, now: datetime) -> int:
    """Recompute the stored deadline of every open ticket whose row may be stale (see `_STALE`)
    with today's calendar: call it when holiday data arrives (the seat's start, the overview's
    refresh, `hotline ticket list/show`). Returns how many rows changed. Issue 12, defect 5: a
    ticket stored as due 2027-02-10 (provisional) stayed so after the 2027 holiday file came."""
    changed = []
    for data, clock_name, due_at, provisional in db.conn.execute(_STALE).fetchall():
        ticket = Ticket.model_validate_json(data)
        clock = running_clock(ticket, now, clocks, taxonomy)
        new = (
            clock.name if clock else None,
            _iso(clock.due.at) if clock else None,
            int(bool(clock and clock.due.provisional)),
        )
        if new != (clock_name, due_at, provisional):
            resolution = new[1] if new[0] in ("resolution", "extension") else None
            changed.append((*new, resolution, ticket.id))
    if changed:
        own = not db.conn.in_transaction
        if own:
            db.conn.execute("BEGIN IMMEDIATE")
        db.conn.executemany(
            "UPDATE tickets SET clock = ?, due_at = ?, due_provisional = ?,"
            " resolution_due = coalesce(?, resolution_due) WHERE id = ?",
            changed,
        )
        if own:
            db.conn.execute("COMMIT")
    return len(changed)


def _ticket(row: Sequence[Any] | None) -> Ticket | None:
    return Ticket.model_validate_json(row[0]) if row else None


def get(db: sqlite_utils.Database, ticket_id: str) -> Ticket | None:
    return _ticket(db.conn.execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,)).fetchone())


def by_number(db: sqlite_utils.Database, number: str) -> Ticket | None:
    return _ticket(db.conn.execute("SELECT data FROM tickets WHERE number = ?", (number,)).fetchone())


def events(db: sqlite_utils.Database, ticket_id: str) -> list[Event]:
    rows = db.conn.execute(
        "SELECT id, ticket_id, kind, actor, role, seat, at, payload FROM events WHERE ticket_id = ? ORDER BY seq",
        (ticket_id,),
    ).fetchall()
    return [
        Event(
            id=r[0],
            ticket_id=r[1],
            kind=r[2],
            actor=r[3],
            role=r[4],
            seat=r[5],
            at=datetime.fromisoformat(r[6]),
            payload=json.loads(r[7]),
        )
        for r in rows
    ]


_ROW_COLS = "id, number, status, matter, registered_at, due_at, clock, due_provisional, priority, referrals"


def _row(r: Sequence[Any]) -> TicketRow:
    return TicketRow(
        r[0],
        r[1],
        Status(r[2]),
        r[3],
        datetime.fromisoformat(r[4]),
        datetime.fromisoformat(r[5]) if r[5] else None,
        r[6],
        bool(r[7]),
        r[8],
        r[9],
    )


def caller_history(db: sqlite_utils.Database, phone: str, limit: int = 20) -> list[TicketRow]:
    """R13.1 screen pop: the caller's earlier tickets, newest first."""
    rows = db.conn.execute(
        f"SELECT {_ROW_COLS} FROM tickets WHERE phone = ? ORDER BY registered_at DESC LIMIT ?", (phone, limit)
    ).fetchall()
    return [_row(r) for r in rows]


def search(
    db: sqlite_utils.Database,
    *,
    phone: str | None = None,
    status: str | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[Ticket]:
    where, args = [], []
    if phone:
        where.append("phone = ?")
        args.append(phone)
    if status:
        where.append("status = ?")
        args.append(status)
    if open_only:
        where.append("closed = 0")
    sql = "SELECT data FROM tickets" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY registered_at DESC LIMIT ?"
    return [Ticket.model_validate_json(r[0]) for r in db.conn.execute(sql, (*args, limit))]


def count(db: sqlite_utils.Database) -> int:
    return int(db.conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


# --- the centre-wide lookup's local half (issue 11) ------------------------------------------


def _like(fragment: str) -> str:
    return "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def lookup(
    db: sqlite_utils.Database,
    *,
    number: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    address: str | None = None,
    registered_from: datetime | None = None,
    registered_to: datetime | None = None,
    open_only: bool = False,
    unsynced_only: bool = False,
    limit: int = 20,
) -> list[tuple[Ticket, datetime | None]]:
    """The seat's own tickets by the lookup's criteria (as `POST /v1/lookup` takes them), newest
    first, each with its stored deadline. `unsynced_only`: only tickets with events still in the
    outbox, the ones the server does not know as they are here."""
    where: list[str] = []
    args: list[str | int] = []
    for column, value in (("number", number), ("phone", phone)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    for path, fragment in (("$.appellant.name", name), ("$.appellant.address", address)):
        if fragment is not None:
            where.append(f"json_extract(data, '{path}') LIKE ? ESCAPE '\\'")
            args.append(_like(fragment))
    if registered_from is not None:
        where.append("registered_at >= ?")
        args.append(registered_from.astimezone(UTC).isoformat())
    if registered_to is not None:
        where.append("registered_at < ?")
        args.append(registered_to.astimezone(UTC).isoformat())
    if open_only:
        where.append("closed = 0")
    if unsynced_only:
        where.append("id IN (SELECT ticket_id FROM outbox)")
    sql = "SELECT data, due_at FROM tickets" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY registered_at DESC LIMIT ?"
    return [
        (Ticket.model_validate_json(r[0]), datetime.fromisoformat(r[1]) if r[1] else None)
        for r in db.conn.execute(sql, (*args, limit))
    ]


def unsynced(db: sqlite_utils.Database, ticket_id: str) -> bool:
    """Whether the ticket has events the server has not acknowledged yet."""
    return db.conn.execute("SELECT 1 FROM outbox WHERE ticket_id = ? LIMIT 1", (ticket_id,)).fetchone() is not None
