"""The SQLite engine of `storage.Storage`: one file, WAL, a connection per thread, one writer at a
time (`sqlite.SqliteFile`); beside it the read audit (`audit.AuditLog`, a file of its own) and the
`<db>.issued-seq` high-water mark. The embedded default: nothing to set up for a demo or a city
of Anshan's size.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .audit import MIGRATIONS as AUDIT_MIGRATIONS
from .audit import AuditLog
from .schema import MIGRATIONS
from .sqlite import SqliteFile
from .storage import Storage, Tx


class SqliteTx(Tx):
    """The queries of `storage.Tx` on one sqlite3 connection (`?` placeholders as written)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def _all(self, sql: str, args: Iterable[Any] = ()) -> Iterable[tuple[Any, ...]]:
        cursor: Iterable[tuple[Any, ...]] = self.conn.execute(sql, tuple(args))
        return cursor

    def _one(self, sql: str, args: Iterable[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(sql, tuple(args)).fetchone()
        return row

    def _exec(self, sql: str, args: Iterable[Any] = ()) -> None:
        self.conn.execute(sql, tuple(args))

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(sql, rows)

    def _holds(self, column: str) -> str:
        return f"instr({column}, ?) > 0"

    def _text_filter(self, terms: list[tuple[str, str]]) -> tuple[str, list[Any]] | None:
        # The FTS5 trigram table of schema _003, keyed by the tickets' rowid.
        query = " AND ".join(f'{column} : "' + fragment.replace('"', '""') + '"' for column, fragment in terms)
        return "rowid IN (SELECT rowid FROM ticket_text WHERE ticket_text MATCH ?)", [query]


class SqliteStorage(SqliteFile, Storage):
    """The server's database file, and beside it the read-audit log (`audit.AuditLog`): a separate
    file with its own writer, so that recording who read what never waits behind an event commit.

    A third file, `<db>.issued-seq`, remembers the highest sequence number ever committed. If the
    database opens *below* it, it was restored from an older backup: seats hold cursors past its
    end that new changes would reuse, so the epoch changes and every such cursor becomes unknown
    (410, full resync) instead of silently skipping changes. Restore the database, not that file."""

    engine = "sqlite"

    def __init__(self, path: Path):
        super().__init__(path)
        self.audit = AuditLog(self.path.with_suffix(".audit.db"))
        self.high_water = Path(str(self.path) + ".issued-seq")
        self._exclusive: dict[str, threading.Lock] = {}

    @classmethod
    def open(cls, path: Path) -> SqliteStorage:  # type: ignore[override]
        """Create (mode 0600) and migrate the database; a new database gets a random epoch, which
        makes cursors from any other database unknown here (so does a restored older copy)."""
        storage = cls(path)
        storage.create(MIGRATIONS)
        storage.audit.create(AUDIT_MIGRATIONS)
        issued = int(storage.high_water.read_text() or 0) if storage.high_water.exists() else 0
        with storage.write() as tx:
            if tx.meta("epoch") is None or tx.last_seq() < issued:
                tx.put_meta("epoch", secrets.token_hex(4))
        return storage

    @contextmanager
    def read(self) -> Iterator[SqliteTx]:
        """A consistent snapshot (WAL lets it run beside the writer)."""
        with self.reading() as conn:
            yield SqliteTx(conn)

    @contextmanager
    def write(self) -> Iterator[SqliteTx]:
        """One write transaction, committed with synchronous=FULL (it holds callers' words)."""
        with self.writing(durable=True) as conn:
            tx = SqliteTx(conn)
            yield tx
            seq = tx.last_seq()
        # After the commit, so the file never runs ahead of the database (a crash leaves it behind,
        # the safe side). Only one writer at a time reaches here per process.
        if seq > self._issued:
            self._issued = seq
            self.high_water.write_text(str(seq))

    _issued = 0

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        # One process serves a SQLite file, so a lock in the process is the whole story.
        lock = self._exclusive.setdefault(name, threading.Lock())
        with lock:
            yield
