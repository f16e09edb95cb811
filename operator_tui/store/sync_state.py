"""What the seat knows about its link to the server, and applying what it pulled.

Kept in the `meta` table so that every process on the seat (the TUI, `hotline sync`) sees the same
cursor, last sync and clock offset. A pulled page and its cursor are written in the caller's one
transaction: a crash between pages resumes at the last whole page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from ..domain.deadlines import Clock
from ..domain.model import Event, Ticket
from . import meta, tickets
from .db import sql_errors

CURSOR = "sync.cursor"
KB_CURSOR = "sync.kb_cursor"
LAST_SYNC = "sync.last_sync_at"
LAST_ATTEMPT = "sync.last_attempt_at"
ONLINE = "sync.online"
OFFSET = "sync.clock_offset_s"
LAST_ERROR = "sync.last_error"


def cursor(db: sqlite_utils.Database, key: str = CURSOR) -> str:
    return meta.get(db, key) or ""


def set_cursor(db: sqlite_utils.Database, value: str, key: str = CURSOR) -> None:
    meta.put(db, key, value)


def record_attempt(db: sqlite_utils.Database, now: datetime, *, online: bool, error: str | None) -> None:
    meta.put(db, LAST_ATTEMPT, now.isoformat())
    meta.put(db, ONLINE, "1" if online else "0")
    meta.put(db, LAST_ERROR, (error or "")[:500])
    if online and error is None:
        meta.put(db, LAST_SYNC, now.isoformat())


def set_clock_offset(db: sqlite_utils.Database, offset: timedelta) -> None:
    meta.put(db, OFFSET, f"{offset.total_seconds():.3f}")


@dataclass(frozen=True)
class LinkState:
    online: bool | None
    last_sync_at: datetime | None
    last_attempt_at: datetime | None
    clock_offset: timedelta | None
    last_error: str | None


def link_state(db: sqlite_utils.Database) -> LinkState:
    def when(key: str) -> datetime | None:
        v = meta.get(db, key)
        return datetime.fromisoformat(v) if v else None

    online = meta.get(db, ONLINE)
    offset = meta.get(db, OFFSET)
    return LinkState(
        online=None if online is None else online == "1",
        last_sync_at=when(LAST_SYNC),
        last_attempt_at=when(LAST_ATTEMPT),
        clock_offset=timedelta(seconds=float(offset)) if offset else None,
        last_error=meta.get(db, LAST_ERROR) or None,
    )


def _utc(at: datetime) -> str:
    """As `tickets.save` writes times: UTC, so the columns compare as text."""
    return at.astimezone(UTC).isoformat()


def add_server_events(db: sqlite_utils.Database, events: Iterable[tuple[Event, datetime]]) -> None:
    """Events the server holds (with its receipt time): new ones join the local history, known ones
    get their receipt stamped. Event ids are unique, so a page applied twice changes nothing."""
    rows = list(events)
    db.conn.executemany(
        "INSERT OR IGNORE INTO events (id, ticket_id, kind, actor, role, seat, at, payload, received_at) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                e.id,
                e.ticket_id,
                e.kind,
                e.actor,
                e.role.value,
                e.seat,
                _utc(e.at),
                json.dumps(e.payload, ensure_ascii=False, default=str),
                _utc(at),
            )
            for e, at in rows
        ],
    )
    db.conn.executemany(
        "UPDATE events SET received_at = ? WHERE id = ? AND received_at IS NULL", [(_utc(at), e.id) for e, at in rows]
    )


def put_server_ticket(db: sqlite_utils.Database, ticket: Ticket, clock: Clock | None, now: datetime) -> str | None:
    """Store the server's projection of a ticket (the server owns workflow fields). Returns a reason
    when it cannot be stored: another local ticket holds the same number (two seats with one code)."""
    try:
        db.conn.execute("SAVEPOINT put_server_ticket")
        tickets.save(db, ticket, [], clock, now, outbox=False)
        db.conn.execute("RELEASE put_server_ticket")
    except sql_errors("IntegrityError") as exc:  # either driver: the seat's file may be SQLCipher
        db.conn.execute("ROLLBACK TO put_server_ticket")
        db.conn.execute("RELEASE put_server_ticket")
        return f"ticket number {ticket.number} is held locally by another ticket ({exc})"
    return None


def note_conflict(
    db: sqlite_utils.Database,
    key: str,
    ticket_id: str,
    rule: str | None,
    reason: str,
    body: dict[str, Any],
    now: datetime,
) -> None:
    """A conflict that is not an outbox event (e.g. a pulled ticket that cannot be stored)."""
    db.conn.execute(
        "INSERT OR IGNORE INTO conflicts (event_id, ticket_id, rule, reason, body, created_at) VALUES (?,?,?,?,?,?)",
        (key, ticket_id, rule, reason, json.dumps(body, ensure_ascii=False).encode(), now.isoformat()),
    )
