"""One migration runner for every database of the project: the seat's SQLite file, the server's
SQLite file and its read audit, and the server on PostgreSQL (issue 18, issue 17).

A schema is a list of numbered migrations (SQL text of the engine's own kind); migration N is
`migrations[N - 1]`. The runner applies each one the database has not had yet, **each in its own
transaction, with the version checked again under the engine's lock**: two processes opening a new
database at once (two seats' CLIs, several server processes) never both run a step, and a step
that fails leaves the database at the version before it, never half-way.

What differs per engine sits in a `Dialect`: how the lock is taken (`BEGIN IMMEDIATE` on SQLite,
a transaction-level advisory lock on PostgreSQL), where the version is kept (`PRAGMA user_version`
on SQLite, so existing seat and server files keep working; a one-row table on PostgreSQL) and how
a script is cut into statements. This module imports no database driver: the PostgreSQL dialect
lives with the PostgreSQL storage (server_stub/pg.py), so the seat never loads psycopg.

`prepare_sqlite` is the one way a SQLite file is created and migrated (the seat's store, the
server's file and its audit file). Append migrations; never edit a released one.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from .domain.errors import Misconfigured


class SchemaTooNew(Misconfigured, RuntimeError):
    """The database was migrated by a newer program than this one."""


class Dialect(Protocol):
    def version(self, conn: Any) -> int: ...

    def begin_locked(self, conn: Any) -> None:
        """Begin a transaction holding the lock every migrating process takes."""

    def run_script(self, conn: Any, sql: str) -> None: ...

    def set_version(self, conn: Any, number: int) -> None: ...

    def commit(self, conn: Any) -> None: ...

    def rollback(self, conn: Any) -> None: ...


def migrate(conn: Any, migrations: Sequence[str], dialect: Dialect) -> int:
    """Bring `conn`'s database up to `len(migrations)`; returns the version reached."""
    target = len(migrations)
    current = dialect.version(conn)
    if current == target:
        return target  # up to date (every start): no lock taken
    if current > target:
        raise SchemaTooNew(f"database schema {current} is newer than this program ({target}): upgrade hotline")
    for number, sql in enumerate(migrations, start=1):
        if number <= current:
            continue
        dialect.begin_locked(conn)
        try:
            version = dialect.version(conn)  # again, under the lock: another process may have run it
            if version > target:
                raise SchemaTooNew(f"database schema {version} is newer than this program ({target}): upgrade hotline")
            if version < number:
                dialect.run_script(conn, sql)
                dialect.set_version(conn, number)
            dialect.commit(conn)
        except BaseException:
            dialect.rollback(conn)
            raise
    return target


def sqlite_statements(sql: str) -> list[str]:
    """Split SQLite migration SQL into complete statements (comment lines and blank lines dropped).
    `sqlite3.complete_statement` knows a trigger's BEGIN … END is one statement."""
    out, buf = [], ""
    for line in sql.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buf.strip()[:80]}")
    return out


class SqliteDialect:
    """SQLite: `conn` in autocommit mode (isolation_level=None). Statements run one by one with
    `execute` (not `executescript`, which commits whatever transaction is open), so a migration
    is one transaction."""

    def version(self, conn: sqlite3.Connection) -> int:
        return conn.execute("PRAGMA user_version").fetchone()[0]

    def begin_locked(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def run_script(self, conn: sqlite3.Connection, sql: str) -> None:
        for statement in sqlite_statements(sql):
            conn.execute(statement)

    def set_version(self, conn: sqlite3.Connection, number: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(number)}")

    def commit(self, conn: sqlite3.Connection) -> None:
        conn.execute("COMMIT")

    def rollback(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


SQLITE = SqliteDialect()


def migrate_sqlite(conn: sqlite3.Connection, migrations: Sequence[str]) -> int:
    return migrate(conn, migrations, SQLITE)


def prepare_sqlite(
    path: Path, migrations: Sequence[str], *, timeout: float = 30, connect: Callable[[Path, float], Any] | None = None
) -> int:
    """The one way a SQLite file of the project is opened for the first time, seat and server alike:
    created with mode 0600 before SQLite touches it (it holds callers' personal data, R33.1), put in
    WAL mode, migrated. Returns the schema version reached. `connect(path, timeout)` opens it
    instead of `sqlite3.connect` (the seat's keyed SQLCipher connection, issue 16); it must return
    a connection in autocommit mode (isolation_level=None)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Only a new file: closing any descriptor of a file drops every POSIX lock this process
        # holds on it, including those of SQLite connections already open on it (a second open
        # in the same process, e.g. a tool beside a running server) — a way to corrupt it.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    if connect is None:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    else:
        conn = connect(path, timeout)
    try:
        conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        conn.execute("PRAGMA journal_mode=WAL")
        return migrate_sqlite(conn, migrations)
    finally:
        conn.close()
