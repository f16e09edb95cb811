"""After the server was restored from a backup (issue 16): find the seat's own events the server
no longer holds and put them back in the outbox.

The server acknowledged them (they left the outbox, `events.received_at` is set), then lost them
with the restore. The seat learns of the restore from a 410 on its cursor (the restore gave the
database a new epoch) and pulls everything again from the start; every event that full pull
brings is one the server holds. The seat's own acknowledged events the pull did not bring are
re-queued, in the order they were recorded, and pushed again. Pushing is idempotent by event id
(the server's receipts), so an event re-queued needlessly (e.g. on a ticket outside the seat's
feed) is answered "applied" again and changes nothing.

A full pull interrupted half-way cannot tell what the server holds: the flag `RECOVERING` stays
set, and the next run starts the full pull over.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain.model import Event, Role
from ..store import meta

if TYPE_CHECKING:
    import sqlite_utils

RECOVERING = "sync.recovering_after_restore"


def recovering(db: sqlite_utils.Database) -> bool:
    return meta.get(db, RECOVERING) == "1"


def begin(db: sqlite_utils.Database) -> None:
    meta.put(db, RECOVERING, "1")


def own_acknowledged(db: sqlite_utils.Database) -> set[str]:
    """Ids of the events this seat recorded that a server acknowledged (no longer in the outbox,
    not set aside as conflicts)."""
    seat = meta.get(db, "seat_code")
    rows = db.conn.execute(
        "SELECT id FROM events WHERE seat = ? AND received_at IS NOT NULL "
        "AND id NOT IN (SELECT op_id FROM outbox) AND id NOT IN (SELECT event_id FROM conflicts)",
        (seat,),
    )
    return {r[0] for r in rows}


def requeue(db: sqlite_utils.Database, missing: set[str], now: datetime) -> int:
    """Put `missing` back in the outbox in recorded order, end the recovery; returns how many."""
    rows = []
    if missing:
        held = db.conn.execute(
            "SELECT id, ticket_id, kind, actor, role, seat, at, payload FROM events WHERE received_at IS NOT NULL "
            "ORDER BY seq"
        ).fetchall()
        for r in held:
            if r[0] in missing:
                event = Event(
                    id=r[0],
                    ticket_id=r[1],
                    kind=r[2],
                    actor=r[3],
                    role=Role(r[4]),
                    seat=r[5],
                    at=datetime.fromisoformat(r[6]),
                    payload=json.loads(r[7]),
                )
                rows.append((event.id, event.ticket_id, event.model_dump_json().encode(), now.isoformat()))
    db.conn.executemany("INSERT OR IGNORE INTO outbox (op_id, ticket_id, body, created_at) VALUES (?,?,?,?)", rows)
    # Until the push acknowledges them again they count as not held by the server.
    db.conn.executemany("UPDATE events SET received_at = NULL WHERE id = ?", [(r[0],) for r in rows])
    db.conn.execute("DELETE FROM meta WHERE key = ?", (RECOVERING,))
    return len(rows)
