"""The one migration runner (operator_tui/migrate.py) on both engines: numbered steps, each all or
nothing, the version re-checked under the engine's lock (BEGIN IMMEDIATE; an advisory lock)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from operator_tui.migrate import SQLITE, SchemaTooNew, migrate


@pytest.fixture
def connect(server_engine, server_db):
    """``connect()``: a new autocommit connection to the test's empty database, and its dialect."""
    if server_engine == "sqlite":
        return lambda: (sqlite3.connect(server_db, isolation_level=None, timeout=30, check_same_thread=False), SQLITE)
    import psycopg

    from server_stub.pg import PgDialect

    # The template is migrated; this test wants a database without hotline's schema.
    with psycopg.connect(server_db, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return lambda: (psycopg.connect(server_db, autocommit=True), PgDialect())


def _count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# A step that is not idempotent: run twice, it would insert twice (or fail on the CREATE).
STEPS = [
    "CREATE TABLE runs (step INTEGER NOT NULL);\nINSERT INTO runs (step) VALUES (1);",
    "INSERT INTO runs (step) VALUES (2);\nCREATE TABLE other (x INTEGER);",
    "INSERT INTO runs (step) VALUES (3);",
]


def test_processes_migrating_a_new_database_at_once_run_each_step_once(connect):
    barrier, errors, versions = threading.Barrier(4), [], []

    def start() -> None:
        conn, dialect = connect()
        try:
            barrier.wait()
            versions.append(migrate(conn, STEPS, dialect))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and versions == [3, 3, 3, 3]
    conn, dialect = connect()
    assert sorted(r[0] for r in conn.execute("SELECT step FROM runs").fetchall()) == [1, 2, 3]
    assert dialect.version(conn) == 3
    conn.close()


def test_a_failing_step_leaves_the_database_at_the_step_before(connect):
    conn, dialect = connect()
    broken = [*STEPS[:2], "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);"]
    with pytest.raises(Exception):  # noqa: B017 - the driver's own error class, sqlite3's or psycopg's
        migrate(conn, broken, dialect)
    assert dialect.version(conn) == 2
    assert _count(conn, "runs") == 2
    with pytest.raises(Exception):  # noqa: B017 - the failed step's first statement was rolled back with it
        _count(conn, "half")
    assert migrate(conn, STEPS, dialect) == 3  # and the right step 3 then runs
    assert _count(conn, "runs") == 3
    conn.close()


def test_a_database_newer_than_the_program_is_refused(connect):
    conn, dialect = connect()
    migrate(conn, STEPS, dialect)
    with pytest.raises(SchemaTooNew, match="newer"):
        migrate(conn, STEPS[:2], dialect)
    conn.close()
