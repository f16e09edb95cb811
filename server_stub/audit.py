"""The read audit (R33.1): every read of personal data — who, when, which ticket, why — and never
the data itself.

A file of its own beside the server database: an audit row is written while answering a read, and
in its own file it never waits behind an event commit (synchronous=FULL) of the main database.
Rows are committed with synchronous=NORMAL before the answer leaves: a crash of the process loses
none, a power cut may lose the last moments — the trade that keeps 300 polling seats fast.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from .schema import run
from .sqlite import SqliteFile

MIGRATIONS = ["""
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, principal_id TEXT NOT NULL, role TEXT NOT NULL,
        ticket_id TEXT NOT NULL, number TEXT NOT NULL, purpose TEXT NOT NULL, endpoint TEXT NOT NULL
    );
    CREATE INDEX audit_ticket ON audit (ticket_id, id);
"""]
COLUMNS = ("id", "at", "principal_id", "role", "ticket_id", "number", "purpose", "endpoint")


def migrate_audit(conn: sqlite3.Connection) -> int:
    return run(conn, MIGRATIONS)


class AuditLog(SqliteFile):
    def append(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self.writing(durable=False) as conn:
                sqlite_utils.Database(conn)["audit"].insert_all(rows)

    def rows(self, ticket_id: str | None, limit: int) -> list[dict[str, Any]]:
        sql, args = f"SELECT {', '.join(COLUMNS)} FROM audit", ()
        if ticket_id:
            sql, args = sql + " WHERE ticket_id = ?", (ticket_id,)
        with self.reading() as conn:
            return [dict(zip(COLUMNS, r)) for r in conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))]
