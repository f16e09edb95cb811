"""The read audit (R33.1): every read of personal data — who, when, which ticket, why — and never
the data itself. This is the SQLite engine's; on PostgreSQL it is a table (pg.py, schema_pg.py).

A file of its own beside the server database: an audit row is written while answering a read, and
in its own file it never waits behind an event commit (synchronous=FULL) of the main database.
Rows are committed with synchronous=NORMAL before the answer leaves: a crash of the process loses
none, a power cut may lose the last moments — the trade that keeps 300 polling seats fast.
"""

from __future__ import annotations

from typing import Any

from .sqlite import SqliteFile
from .storage import AUDIT_COLUMNS

MIGRATIONS = [
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, principal_id TEXT NOT NULL, role TEXT NOT NULL,
        ticket_id TEXT NOT NULL, number TEXT NOT NULL, purpose TEXT NOT NULL, endpoint TEXT NOT NULL
    );
    CREATE INDEX audit_ticket ON audit (ticket_id, id);
"""
]
COLUMNS = AUDIT_COLUMNS
_INSERT = f"INSERT INTO audit ({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * (len(COLUMNS) - 1))})"


class AuditLog(SqliteFile):
    def append(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self.writing(durable=False) as conn:
                conn.executemany(_INSERT, [tuple(r[c] for c in COLUMNS[1:]) for r in rows])

    def rows(self, ticket_id: str | None, limit: int) -> list[dict[str, Any]]:
        args: tuple[Any, ...] = ()
        sql = f"SELECT {', '.join(COLUMNS)} FROM audit"
        if ticket_id:
            sql, args = sql + " WHERE ticket_id = ?", (ticket_id,)
        with self.reading() as conn:
            return [dict(zip(COLUMNS, r)) for r in conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))]
