"""Opening the seat's database: WAL, synchronous=FULL, file mode 0600, one connection per unit of work;
SQLCipher when the database is encrypted (issue 16, R33.2; where the key comes from: `keys`).

SQLite connections are not shared across threads (Textual workers run in threads): every unit of
work opens its own through `Store.connect()`; WAL lets readers and the one writer coexist.

A keyed connection comes from `sqlcipher3`, whose classes are not those of `sqlite3`: catch
`sql_errors(...)` rather than `sqlite3.X` where a seat database may be encrypted. `sqlcipher3` is
imported only when a key is used, so a plain seat starts as before.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..domain.errors import Misconfigured
from ..migrate import prepare_sqlite
from . import keys
from .migrations import MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

    from .seat_lock import SeatLock

SIDE_FILES = ("-wal", "-shm", "-journal")


class StoreError(Misconfigured, RuntimeError):
    """The local database cannot be opened or used; `reason` says why, for a person."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason or message


def sql_errors(name: str = "Error") -> tuple[type[BaseException], ...]:
    """sqlite3's exception class `name`, and SQLCipher's once it is loaded (the two are unrelated
    classes; a SQLCipher error can only come after a keyed database was opened)."""
    found: list[type[BaseException]] = [getattr(sqlite3, name)]
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    if cipher is not None:
        found.append(getattr(cipher, name))
    return tuple(found)


def _open_failures() -> tuple[type[BaseException], ...]:
    return (OSError, *sql_errors("DatabaseError"))


def is_connection(obj: Any) -> bool:
    """A DB-API connection of either driver (a sqlite-utils Database holds one as `.conn`)."""
    return isinstance(obj, sqlite3.Connection) or type(obj).__module__.startswith("sqlcipher3")


# sqlite3's transaction modes as typeshed names them; None is autocommit (we BEGIN ourselves).
Isolation = Literal["DEFERRED", "EXCLUSIVE", "IMMEDIATE"] | None


def open_sqlite(path: Path, key: keys.Key | None, *, timeout: float = 10, isolation_level: Isolation = None) -> Any:
    """A connection to `path`: plain sqlite3 without a key; SQLCipher keyed with `key`, checked at
    once (SQLCipher reads with the key only at the first statement), so a wrong key is
    StoreError("密钥不正确") here and never a half-open connection."""
    if key is None:
        return sqlite3.connect(path, timeout=timeout, isolation_level=isolation_level)
    from sqlcipher3 import dbapi2

    conn = dbapi2.connect(str(path), timeout=timeout, isolation_level=isolation_level)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our one line, not SQLCipher's log
        conn.execute(f"PRAGMA key = \"x'{key.hex}'\"")  # hex checked by keys.check_hex: nothing to inject
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError:
        conn.close()
        raise StoreError(
            f"cannot open the local database {path}: 密钥不正确（{key.source}）", f"密钥不正确（{key.source}）"
        ) from None
    return conn


def connect_path(path: Path, *, timeout: float = 10, isolation_level: Isolation = "DEFERRED") -> Any:
    """A connection by path alone, for code that shares the seat's file without a Store (the
    knowledge base): the key a Store of this process found, else the usual sources."""
    try:
        key = keys.known(path) or keys.resolve(path)
    except keys.KeyProblem as exc:
        raise StoreError(f"cannot open the local database {path}: {exc}", str(exc)) from None
    return open_sqlite(path, key, timeout=timeout, isolation_level=isolation_level)


class Store:
    """The seat's local SQLite file. Cheap to construct; `connect()` per unit of work."""

    def __init__(self, path: Path, key: keys.Key | None = None):
        self.path = Path(path)
        self.key = key
        self._lock: SeatLock | None = None

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @classmethod
    def open(
        cls, path: Path, *, key: keys.Key | None = None, key_file: Path | None = None, hold: bool = False
    ) -> Store:
        """Create (0600) and migrate the database at `path`. The key is `key`, or found from
        `key_file` and the usual sources (`keys.resolve`). `hold`: the running seat, which holds the
        shared lock that `hotline db encrypt/rekey` waits for (seat_lock)."""
        store = cls(path)
        try:
            store.key = key if key is not None else keys.resolve(store.path, key_file)
            if hold:
                from .seat_lock import LockBusy, shared

                try:
                    store._lock = shared(store.path)
                except LockBusy as exc:
                    raise StoreError(f"cannot open the local database {path}: {exc}", str(exc)) from None
            prepare_sqlite(
                store.path,
                MIGRATIONS,
                timeout=10,  # 0600, WAL, migrated: as the server's files
                connect=lambda p, timeout: open_sqlite(p, store.key, timeout=timeout),
            )
            for suffix in SIDE_FILES:
                side = Path(str(store.path) + suffix)
                if side.exists():
                    os.chmod(side, 0o600)
        except keys.KeyProblem as exc:
            raise StoreError(f"cannot open the local database {path}: {exc}", str(exc)) from None
        except _open_failures() as exc:  # evaluated here: opening may just have loaded SQLCipher
            raise StoreError(f"cannot open the local database {path}: {exc}", str(exc)) from None
        keys.remember(store.path, store.key)
        return store

    def release(self) -> None:
        """Let go of the seat lock (a test, or a seat closing)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _raw(self) -> Any:
        # isolation_level=None: we issue BEGIN ourselves, so a save is exactly one transaction.
        conn = open_sqlite(self.path, self.key, timeout=10, isolation_level=None)
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
        """A plain DB-API connection for a quick read on the seat's start-up path, where importing
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
