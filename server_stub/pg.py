"""The PostgreSQL engine of `storage.Storage` (issue 17): psycopg 3 over a connection pool.

Everything PostgreSQL does differently from SQLite for this server is in this module:

- **Writers, one at a time, across every process.** Each write transaction first takes a
  transaction-level advisory lock (`WRITER_LOCK`), as SQLite's `BEGIN IMMEDIATE` does for a file.
  It is what keeps the sync protocol's promises with several server processes: sequence numbers
  (one counter in `meta`) commit in the order they were taken, so a change-feed cursor can never
  pass a change that commits later; and a push's receipts are read under the lock, so two
  processes receiving the same event at once apply it once and the second replays the answer.
  A push is one transaction for a whole batch, so the lock costs one round trip per batch.
- **Reads are snapshots**: `REPEATABLE READ READ ONLY`, like a SQLite read transaction in WAL.
- **Placeholders**: the shared queries are written with `?`; here they become `%s` (cached).
- **Text**: PostgreSQL text cannot hold NUL. The truth of a ticket is its JSON (`data`, where json
  escapes NUL), so a NUL in a query argument is stored as U+FFFD in the query columns and matched
  as U+FFFD in lookups, rather than failing the request.
- **Search**: name/address fragments use `LIKE`, which pg_trgm's GIN indexes serve directly.
- **Audit** (R33.1): a table in the same database (one thing to back up and fail over), written
  outside the writers' lock with synchronous_commit=off: the same trade as SQLite's separate file.
- **The database away** (stopped, restarting, failing over, the network cut): a request that
  cannot reach it is answered 503 with "try again later" (`DatabaseUnavailable`), as the seats
  expect of a server that is briefly down, not 500 as for a bug.
- **Locks by name** (`exclusive`): session advisory locks, held on a connection of their own for
  the duration, so the sweep runs once at a time however many processes there are.
- **Migrations**: the shared runner (`operator_tui.migrate`) with `PgDialect` below.
- **Tokens remembered** (`principal_cache.py`): a trigger NOTIFYs on every change of `principals`,
  and a listener thread per process (`_PrincipalListener`) forgets what it remembered, so a
  revocation takes effect at its commit in the process that made it, within milliseconds in the
  others.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from operator_tui.domain.errors import Unavailable
from operator_tui.migrate import migrate as run_migrations

from .principal_cache import PrincipalCache
from .schema_pg import MIGRATIONS, PRINCIPALS_CHANNEL
from .storage import AUDIT_COLUMNS, Storage, Tx, describe


def lock_key(name: str) -> int:
    """A stable 63-bit advisory-lock key for `name` (hotline's keys never meet another program's)."""
    return int.from_bytes(hashlib.sha256(f"hotline:{name}".encode()).digest()[:8], "big") >> 1


WRITER_LOCK = lock_key("writer")
MIGRATION_LOCK = lock_key("migrate")


@lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The shared query text with psycopg's placeholders (a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


_PLAIN_INSERT = re.compile(r"^INSERT INTO (\w+) \(([\w, ]+)\) VALUES \([?,\s]+\)$")


@lru_cache(maxsize=64)
def as_copy(sql: str) -> str | None:
    """`COPY … FROM STDIN` for a plain one-row INSERT (no ON CONFLICT), else None: events and
    receipts go in by COPY, several times faster than row-by-row statements."""
    m = _PLAIN_INSERT.match(sql)
    return f"COPY {m.group(1)} ({m.group(2)}) FROM STDIN" if m else None


class DatabaseUnavailable(Unavailable):
    """The server's PostgreSQL cannot be reached now: the request changed nothing; retry later."""


# Connection exceptions (class 08) and the server shutting down or starting (57P01-57P03); a
# client-side failure to connect or a connection that died has no SQLSTATE at all.
_AWAY = ("08", "57P01", "57P02", "57P03")


# How long a request waits for a pooled connection before it is answered 503 "try again later".
# Below the seats' 10 s client timeout (operator_tui/sync), so while the database is away a seat
# hears the server say so instead of timing out on it; at 1,000 seats a wait is milliseconds.
POOL_WAIT = 5.0


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn "the database is not there" into `DatabaseUnavailable`; every other error (a conflict,
    a bad query: ours to fix) passes unchanged."""
    try:
        yield
    except PoolTimeout as exc:
        raise DatabaseUnavailable(
            "数据库暂时无法连接（连接池等待超时），请稍后重试 / the database is unavailable; try again later"
        ) from exc
    except psycopg.OperationalError as exc:
        if exc.sqlstate is None or exc.sqlstate.startswith(_AWAY):
            raise DatabaseUnavailable(
                "数据库暂时无法连接，请稍后重试 / the database is unavailable; try again later"
            ) from exc
        raise


def _clean(args: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(a.replace("\x00", "\ufffd") if isinstance(a, str) and "\x00" in a else a for a in args)


def _abandon(conn: psycopg.Connection) -> None:
    """Roll back whatever is open; a broken connection is the pool's to replace, and its error
    must not hide the one that broke it."""
    if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        try:
            conn.execute("ROLLBACK")
        except psycopg.OperationalError:
            pass


class PgTx(Tx):
    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.revoked = False  # this process forgets its tokens at the commit, not when it hears it

    def revoke_principal(self, principal_id: str, at: datetime) -> None:
        super().revoke_principal(principal_id, at)
        self.revoked = True

    def _all(self, sql: str, args: Iterable[Any] = ()) -> Iterable[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.conn.execute(pg_sql(sql), _clean(args)).fetchall()
        return rows

    def _one(self, sql: str, args: Iterable[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(pg_sql(sql), _clean(args)).fetchone()
        return row

    def _exec(self, sql: str, args: Iterable[Any] = ()) -> None:
        self.conn.execute(pg_sql(sql), _clean(args))

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        # Plain inserts (events, receipts) go by COPY; the others (upserts, ON CONFLICT, updates) by
        # executemany, which psycopg pipelines: one round trip for the lot, each statement prepared
        # once (measured faster than one many-row INSERT: 63,000 against 29,000 event rows/s).
        if not rows:
            return
        copy = as_copy(sql)
        with self.conn.cursor() as cur:
            if copy is None:
                cur.executemany(pg_sql(sql), [_clean(r) for r in rows])
                return
            with cur.copy(copy) as out:
                for r in rows:
                    out.write_row(_clean(r))

    def _holds(self, column: str) -> str:
        return f"strpos({column}, ?) > 0"

    def _text_filter(self, terms: list[tuple[str, str]]) -> tuple[str, list[Any]] | None:
        return None  # the LIKE conditions use the pg_trgm GIN indexes themselves


class PgDialect:
    """The migration runner's PostgreSQL side: the version in a one-row table, the lock an advisory
    one held to the end of the migration's transaction (DDL is transactional in PostgreSQL)."""

    def version(self, conn: psycopg.Connection) -> int:
        found = conn.execute("SELECT to_regclass('schema_version')").fetchone()
        if found is None or found[0] is None:
            return 0
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def begin_locked(self, conn: psycopg.Connection) -> None:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")

    def run_script(self, conn: psycopg.Connection, sql: str) -> None:
        conn.execute(sql)  # no parameters: several statements in one go (the simple protocol)

    def set_version(self, conn: psycopg.Connection, number: int) -> None:
        conn.execute("DELETE FROM schema_version")
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))

    def commit(self, conn: psycopg.Connection) -> None:
        conn.execute("COMMIT")

    def rollback(self, conn: psycopg.Connection) -> None:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")


def migrate(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return run_migrations(conn, MIGRATIONS, PgDialect())


class PgAudit:
    """The read audit as a table of the server's database."""

    _INSERT = pg_sql(
        f"INSERT INTO audit ({', '.join(AUDIT_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(AUDIT_COLUMNS) - 1))})"
    )

    def __init__(self, storage: PgStorage):
        self.storage = storage

    def append(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        with _reachable(), self.storage.pool.connection() as conn, conn.transaction():
            # Committed before the answer leaves; not waited for on disk (nor on a standby): a crash
            # of the database server may lose the last moments of the audit, never the events.
            conn.execute("SET LOCAL synchronous_commit TO OFF")
            with conn.cursor() as cur:
                cur.executemany(self._INSERT, [_clean(r[c] for c in AUDIT_COLUMNS[1:]) for r in rows])

    def rows(self, ticket_id: str | None, limit: int) -> list[dict[str, Any]]:
        args: tuple[Any, ...] = ()
        sql = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit"
        if ticket_id:
            sql, args = sql + " WHERE ticket_id = %s", (ticket_id,)
        with self.storage.pool.connection() as conn:
            return [
                dict(zip(AUDIT_COLUMNS, r))
                for r in conn.execute(sql + " ORDER BY id DESC LIMIT %s", _clean((*args, limit)))
            ]


class _PrincipalListener:
    """A thread holding one connection that LISTENs on the principals' channel, and tells the cache
    of each change; while it is not listening (not yet connected, the connection lost, closed) the
    cache is not live, so every token is checked against the database."""

    RETRY_SECONDS = 1.0

    def __init__(self, url: str, cache: PrincipalCache):
        self.url, self.cache = url, cache
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hotline-principals", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {PRINCIPALS_CHANNEL}")
                    self.cache.set_live(True)
                    while not self._stop.is_set():
                        # A short timeout, so that `stop` is seen; each notice is a change somewhere.
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.cache.invalidate()
            except psycopg.Error:
                pass  # the database is away: not live until it is back (below)
            finally:
                self.cache.set_live(False)
            self._stop.wait(self.RETRY_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class PgStorage(Storage):
    """The server's database on PostgreSQL (`hotline server --db postgresql://…`)."""

    engine = "postgresql"
    blocking = True

    def __init__(self, url: str, *, pool_size: int = 16):
        self.url, self.pool_size = url, pool_size
        self._pool: ConnectionPool | None = None
        self._pool_lock = threading.Lock()
        self.audit = PgAudit(self)
        self._exclusive: dict[str, threading.Lock] = {}
        self.token_cache = PrincipalCache()
        self._listener: _PrincipalListener | None = None

    @property
    def pool(self) -> ConnectionPool:
        """The pool, opened on first use and again after `close()` (an app started twice)."""
        pool = self._pool
        if pool is None or pool.closed:
            with self._pool_lock:
                if self._pool is None or self._pool.closed:
                    # autocommit: transactions are begun explicitly (reads and writes want different ones).
                    self._pool = ConnectionPool(
                        self.url,
                        min_size=1,
                        max_size=self.pool_size,
                        kwargs={"autocommit": True},
                        name="hotline",
                        open=False,
                        timeout=POOL_WAIT,
                    )
                    self._pool.open(wait=True)
                    self._listener = _PrincipalListener(self.url, self.token_cache)
                pool = self._pool
        return pool

    @classmethod
    def open(cls, url: str, *, pool_size: int = 16) -> PgStorage:  # type: ignore[override]
        """Migrate the database (the runner's lock makes concurrent starts safe), open the pool and
        give a new database its random epoch (cursors from any other database are unknown here)."""
        migrate(url)
        storage = cls(url, pool_size=pool_size)
        with storage.write() as tx:
            if tx.meta("epoch") is None:
                tx.put_meta("epoch", secrets.token_hex(4))
        return storage

    def __repr__(self) -> str:
        return f"PgStorage({describe(self.url)})"

    @contextmanager
    def read(self) -> Iterator[PgTx]:
        """A snapshot, as SQLite's read transactions in WAL are: the change feed reads its head and
        its page from the same moment."""
        with _reachable(), self.pool.connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield PgTx(conn)
            finally:
                _abandon(conn)

    @contextmanager
    def read_one(self) -> Iterator[PgTx]:
        with _reachable(), self.pool.connection() as conn:  # autocommit: the statement is its own snapshot
            yield PgTx(conn)

    @contextmanager
    def write(self) -> Iterator[PgTx]:
        """One write transaction, after every other process's (the writers' lock, module docstring).
        Committed durably: with synchronous_commit on (the default), and on the synchronous standby
        when one is configured, before the answer is sent."""
        with _reachable(), self.pool.connection() as conn:
            conn.execute("BEGIN")
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
                tx = PgTx(conn)
                yield tx
            except BaseException:
                _abandon(conn)
                raise
            conn.execute("COMMIT")
            if tx.revoked:  # the other processes hear it from the trigger, within milliseconds
                self.token_cache.invalidate()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        key = lock_key(name)
        with self._exclusive.setdefault(name, threading.Lock()), self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._pool is not None:
            self._pool.close()
