"""The seat's outbox (R16.1): local events waiting for the server, in the order they were recorded,
and the conflicts the server sent back.

Rows leave the outbox only two ways: acknowledged by the server (the event is then stamped with the
server's receipt time), or set aside as a conflict with the server's reason. Nothing is dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    op_id: str
    ticket_id: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class ConflictRow:
    """An event the server refused, kept until the operator resolves it (ARCHITECTURE, Sync 5)."""

    event_id: str
    ticket_id: str
    kind: str
    rule: str | None
    reason: str
    body: bytes
    server_state: str | None
    created_at: datetime
    resolved_at: datetime | None


def pending(db: sqlite_utils.Database, limit: int) -> list[OutboxRow]:
    rows = db.conn.execute("SELECT seq, op_id, ticket_id, body, attempts FROM outbox ORDER BY seq LIMIT ?", (limit,))
    return [OutboxRow(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in rows]


def pending_for(db: sqlite_utils.Database, ticket_id: str) -> list[OutboxRow]:
    rows = db.conn.execute(
        "SELECT seq, op_id, ticket_id, body, attempts FROM outbox WHERE ticket_id = ? ORDER BY seq", (ticket_id,)
    )
    return [OutboxRow(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in rows]


def depth(db: sqlite_utils.Database) -> int:
    return int(db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def acknowledge(db: sqlite_utils.Database, received: dict[str, str]) -> None:
    """The server holds these events (op id → its receipt time): out of the outbox."""
    db.conn.executemany("UPDATE events SET received_at = ? WHERE id = ?", [(at, op) for op, at in received.items()])
    db.conn.executemany("DELETE FROM outbox WHERE op_id = ?", [(op,) for op in received])


def set_aside(
    db: sqlite_utils.Database, row: OutboxRow, rule: str | None, reason: str, server_state: str | None, now: datetime
) -> None:
    """Move one refused event from the outbox to the conflicts, with the server's reason."""
    db.conn.execute(
        "INSERT INTO conflicts (event_id, ticket_id, rule, reason, body, server_state, created_at) VALUES (?,?,?,?,?,?,?) "
        "ON CONFLICT(event_id) DO UPDATE SET rule = excluded.rule, reason = excluded.reason, "
        "server_state = excluded.server_state, resolved_at = NULL",
        (row.op_id, row.ticket_id, rule, reason, row.body, server_state, now.isoformat()),
    )
    db.conn.execute("DELETE FROM outbox WHERE op_id = ?", (row.op_id,))


def record_failure(db: sqlite_utils.Database, op_ids: list[str], error: str, next_attempt_at: datetime | None) -> None:
    db.conn.executemany(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE op_id = ?",
        [(error[:500], next_attempt_at.isoformat() if next_attempt_at else None, op) for op in op_ids],
    )


def conflicts(db: sqlite_utils.Database, *, include_resolved: bool = False, limit: int = 500) -> list[ConflictRow]:
    sql = "SELECT event_id, ticket_id, rule, reason, body, server_state, created_at, resolved_at FROM conflicts"
    sql += "" if include_resolved else " WHERE resolved_at IS NULL"
    out = []
    for r in db.conn.execute(sql + " ORDER BY created_at, event_id LIMIT ?", (limit,)):
        body = bytes(r[4])
        try:
            kind = str(json.loads(body).get("kind", "?"))
        except (ValueError, AttributeError):
            kind = "?"
        out.append(
            ConflictRow(
                r[0],
                r[1],
                kind,
                r[2],
                r[3],
                body,
                r[5],
                datetime.fromisoformat(r[6]),
                datetime.fromisoformat(r[7]) if r[7] else None,
            )
        )
    return out


def open_conflicts(db: sqlite_utils.Database) -> int:
    return int(db.conn.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0])


def resolve(db: sqlite_utils.Database, event_id: str, now: datetime) -> None:
    """The operator has dealt with it (re-recorded it, or decided it no longer matters)."""
    db.conn.execute("UPDATE conflicts SET resolved_at = ? WHERE event_id = ?", (now.isoformat(), event_id))
