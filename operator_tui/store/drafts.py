"""The form being typed, autosaved (debounced) so that a crash mid-call loses at most the last
keystrokes. One slot per seat window; cleared when the ticket is saved."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SLOT = "intake"


def save(db: sqlite_utils.Database, data: dict[str, Any], now: datetime, slot: str = SLOT) -> None:
    db.conn.execute(
        "INSERT INTO drafts (slot, data, updated_at) VALUES (?,?,?) "
        "ON CONFLICT(slot) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        (slot, json.dumps(data, ensure_ascii=False), now.isoformat()),
    )


def load(db: sqlite_utils.Database | sqlite3.Connection, slot: str = SLOT) -> dict[str, Any] | None:
    conn = db if isinstance(db, sqlite3.Connection) else db.conn  # Store.read() or Store.connect()
    row = conn.execute("SELECT data FROM drafts WHERE slot = ?", (slot,)).fetchone()
    return json.loads(row[0]) if row else None


def clear(db: sqlite_utils.Database, slot: str = SLOT) -> None:
    db.conn.execute("DELETE FROM drafts WHERE slot = ?", (slot,))
