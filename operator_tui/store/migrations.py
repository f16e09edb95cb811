"""The seat's numbered schema migrations, tracked in `PRAGMA user_version`.

Append new migrations (SQL text); never edit a released one. Each runs in its own transaction,
through the runner the server shares (`operator_tui.migrate`).
"""

from __future__ import annotations

import sqlite3

from ..migrate import migrate_sqlite

_001_INITIAL = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- Projection of each ticket: the fold of its events, plus columns to query by.
        CREATE TABLE tickets (
            id TEXT PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            phone TEXT NOT NULL,
            status TEXT NOT NULL,
            matter TEXT NOT NULL,
            place TEXT NOT NULL,
            appeal_type TEXT NOT NULL,
            lead_unit TEXT,
            priority INTEGER NOT NULL DEFAULT 0,
            referrals INTEGER NOT NULL DEFAULT 0,
            registered_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed INTEGER NOT NULL DEFAULT 0,
            clock TEXT,
            due_at TEXT,
            due_provisional INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX tickets_phone ON tickets (phone, registered_at DESC);
        CREATE INDEX tickets_status ON tickets (status, due_at);
        CREATE INDEX tickets_open_due ON tickets (closed, due_at);
        -- R18.2: the append-only history. `received_at` is the server's stamp once synced.
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            ticket_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            seat TEXT NOT NULL,
            at TEXT NOT NULL,
            payload TEXT NOT NULL,
            received_at TEXT
        );
        CREATE INDEX events_ticket ON events (ticket_id, seq);
        -- Sync outbox: the frozen bytes of each local event, pushed in order.
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            op_id TEXT NOT NULL UNIQUE,
            ticket_id TEXT NOT NULL,
            body BLOB NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL
        );
        -- Per-seat, per-day ticket number sequence.
        CREATE TABLE number_seq (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
        -- The form being typed, autosaved so a crash loses at most the last keystrokes.
        CREATE TABLE drafts (slot TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL);
        -- Events the server rejected, kept with its reason until the operator resolves them.
        CREATE TABLE conflicts (
            event_id TEXT PRIMARY KEY,
            ticket_id TEXT NOT NULL,
            rule TEXT,
            reason TEXT NOT NULL,
            body BLOB NOT NULL,
            server_state TEXT,
            created_at TEXT NOT NULL,
            resolved_at TEXT
        );
"""

# Columns the supervisor's overview counts by (R30.1), kept up to date by every save.
_002_OVERVIEW_COLUMNS = """
        ALTER TABLE tickets ADD COLUMN seat TEXT NOT NULL DEFAULT '';
        ALTER TABLE tickets ADD COLUMN closed_at TEXT;
        ALTER TABLE tickets ADD COLUMN resolution_due TEXT;
        ALTER TABLE tickets ADD COLUMN responded_at TEXT;
        ALTER TABLE tickets ADD COLUMN on_time INTEGER;
        ALTER TABLE tickets ADD COLUMN open_demands INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tickets ADD COLUMN supervision_level INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tickets ADD COLUMN coordination_level INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX tickets_closed_at ON tickets (closed_at);
        CREATE INDEX tickets_registered ON tickets (registered_at);
        -- Covering partial indexes over the open tickets only: the overview scans ~10% of a
        -- year's tickets in index pages instead of whole rows (scripts/bench_overview.py).
        CREATE INDEX tickets_open_cover ON tickets (status, lead_unit, clock, due_at, supervision_level) WHERE closed = 0;
        CREATE INDEX tickets_open_recent ON tickets (registered_at, matter, place) WHERE closed = 0;
        CREATE INDEX tickets_urgent ON tickets (due_at) WHERE closed = 0 AND (referrals > 0 OR open_demands > 0);
        CREATE INDEX tickets_demands ON tickets (open_demands) WHERE open_demands > 0;
        CREATE INDEX tickets_responded ON tickets (responded_at, lead_unit, on_time);
        CREATE INDEX events_kind_at ON events (kind, at);
"""

MIGRATIONS: list[str] = [_001_INITIAL, _002_OVERVIEW_COLUMNS]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the version reached. `conn` must be in autocommit
    mode (isolation_level=None). The runner is the one the server uses too (operator_tui/migrate.py):
    each step in its own transaction, the version checked again under the write lock, so two
    processes opening a new file at once do not both run it."""
    return migrate_sqlite(conn, MIGRATIONS)
