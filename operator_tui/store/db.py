"""Opening the seat's database: WAL, synchronous=FULL, file mode 0600, one connection per unit of work.

SQLite connections are not shared across threads (Textual workers run in threads): every unit of
work opens its own through `Store.connect()`; WAL lets readers and the one writer coexist.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from typing import TYPE_CHECKING

from ..migrate import prepare_sqlite
from .migrations import MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

SIDE_FILES = ("-wal", "-shm", "-journal")


class StoreError(RuntimeError):
    """The local database cannot be opened or used; the message says why."""


class Store:
    """The seat's local SQLite file. Cheap to construct; `connect()` per unit of work."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def open(cls, path: Path) -> "Store":
        """Create (0600) and migrate the database at `path`."""
        store = cls(path)
        try:
            prepare_sqlite(store.path, MIGRATIONS, timeout=10)  # 0600, WAL, migrated: as the server's files
            for suffix in SIDE_FILES:
                side = Path(str(store.path) + suffix)
                if side.exists():
                    os.chmod(side, 0o600)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"cannot open the local database {path}: {exc}") from None
        return store

    def _raw(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so a save is exactly one transaction.
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA synchronous=FULL")  # commits hold callers' words: survive power loss
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    @contextmanager
    def connect(self) -> Iterator[sqlite_utils.Database]:
        """A connection for one unit of work, closed afterwards."""
        import sqlite_utils  # ~50 ms to import: not on the seat's path to its first frame

        conn = self._raw()
        try:
            yield sqlite_utils.Database(conn)
        finally:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection for a quick read on the seat's start-up path, where importing
        sqlite-utils (~0.1 s with its dependencies) would delay the first frame."""
        conn = self._raw()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One unit of work in one write transaction (BEGIN IMMEDIATE … COMMIT, or ROLLBACK)."""
        with self.connect() as db:
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.conn.execute("ROLLBACK")
                raise
            db.conn.execute("COMMIT")
