"""One SQLite file on the server: WAL, a connection per thread, one writer at a time.

Each thread keeps its own connection (never shared between threads) and reuses it: closing the
last connection to a WAL database checkpoints and deletes the WAL, which cost ~4 ms a request
when connections were opened per request. Writers are serialised by a lock in the process as well
as by `BEGIN IMMEDIATE`, so that waiting writers queue instead of polling SQLite's busy handler.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from operator_tui.migrate import prepare_sqlite


class SqliteFile:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._local = threading.local()

    def create(self, migrations: Sequence[str]) -> None:
        """Create the file (mode 0600: it holds personal data, R33.1), switch to WAL, migrate: the
        same `prepare_sqlite` as the seat's store."""
        prepare_sqlite(self.path, migrations)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection; a separate one if it is already in use (nested units of work)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and not conn.in_transaction:
            yield conn
            return
        fresh = self._connect()
        if conn is None:
            self._local.conn = fresh
            yield fresh
            return
        try:
            yield fresh
        finally:
            fresh.close()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot (WAL lets it run beside the writer)."""
        with self._connection() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")

    @contextmanager
    def writing(self, *, durable: bool) -> Iterator[sqlite3.Connection]:
        """One write transaction. durable: synchronous=FULL (survives power loss); otherwise NORMAL
        (survives a crash of the process; a power cut may lose the last commits)."""
        with self._connection() as conn:
            conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
