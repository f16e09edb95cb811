"""The form being typed, autosaved (debounced with a maximum wait, see
`operator_tui/ui/screens/intake_draft.py`) so that a crash mid-call loses at most the last half
second of keystrokes. One slot per seat window; cleared when the ticket is saved.

Each function takes a plain `sqlite3.Connection` (autocommit, as `Store.read()` opens it: the
draft writer runs while the seat is still starting and must not import sqlite-utils) or a
sqlite-utils `Database`."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import sqlite_utils

SLOT = "intake"


def _conn(db: sqlite_utils.Database | sqlite3.Connection) -> sqlite3.Connection:
    # A sqlite-utils Database holds its connection as `.conn`; a connection (sqlite3's, or
    # SQLCipher's on an encrypted seat) has none. Told apart by that, not by importing store.db:
    # the draft writer runs while the seat starts, and store.db brings the key sources with it.
    return cast("sqlite3.Connection", getattr(db, "conn", db))


def save(db: sqlite_utils.Database | sqlite3.Connection, data: dict[str, Any], now: datetime, slot: str = SLOT) -> None:
    _conn(db).execute(
        "INSERT INTO drafts (slot, data, updated_at) VALUES (?,?,?) "
        "ON CONFLICT(slot) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        (slot, json.dumps(data, ensure_ascii=False), now.isoformat()),
    )


def load(db: sqlite_utils.Database | sqlite3.Connection, slot: str = SLOT) -> dict[str, Any] | None:
    row = _conn(db).execute("SELECT data FROM drafts WHERE slot = ?", (slot,)).fetchone()
    return json.loads(row[0]) if row else None


def clear(db: sqlite_utils.Database | sqlite3.Connection, slot: str = SLOT) -> None:
    _conn(db).execute("DELETE FROM drafts WHERE slot = ?", (slot,))
