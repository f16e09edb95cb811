"""`hotline server migrate --from server.db --to postgresql://…`: move a city's server data from
SQLite to PostgreSQL, verify it, and be restartable (issue 17).

- **Everything moves as it is**: every table of `storage.TABLES` and the read audit, row for row;
  the `meta` rows overwrite the target's, so the epoch and the sequence counter are the source's
  and the seats' change-feed cursors stay valid (no full resync after the move).
- **Restartable**: each batch is inserted together with a progress mark (`meta`
  `migrate:<table>` = the last source key copied) in one PostgreSQL transaction, so a copy killed
  at any moment resumes after its last committed batch; rows already there are left as they are
  (`ON CONFLICT DO NOTHING`), so even a repeated batch changes nothing.
- **Verified**: per table, the row count and an order-independent checksum (the sum of each row's
  sha256) on both sides, compared at the end; the marks are removed only when all agree.

Stop the SQLite server first: a write during the copy shows up as a mismatch (run it again).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from operator_tui.domain.errors import BadInput

from .audit import COLUMNS
from .storage import AUDIT_COLUMNS, TABLES, describe
from .storage_sqlite import SqliteStorage

BATCH = 2000
AUDIT = "audit"
_MARK = "migrate:"
_MOD = 1 << 256


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


class TransferError(BadInput, RuntimeError):
    """The move cannot start or did not verify; the message says what to do."""


def _canonical(row: tuple[Any, ...]) -> bytes:
    # PostgreSQL stores a NUL in text as U+FFFD (pg.py): the checksum sees both sides alike.
    values = [v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(rows: Iterator[tuple[Any, ...]]) -> tuple[int, str]:
    count, total = 0, 0
    for row in rows:
        count += 1
        total = (total + int.from_bytes(hashlib.sha256(_canonical(row)).digest(), "big")) % _MOD
    return count, f"{total:064x}"[:16]


def _pages(
    fetch: Callable[[tuple[Any, ...] | None], list[tuple[Any, ...]]],
    key_of: Callable[[tuple[Any, ...]], tuple[Any, ...]],
) -> Iterator[tuple[Any, ...]]:
    after: tuple[Any, ...] | None = None
    while True:
        rows = fetch(after)
        yield from rows
        if len(rows) == 0:
            return
        after = key_of(rows[-1])


def _key_of(table: str) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    cols, key = TABLES[table]
    idx = [cols.index(k) for k in key]
    return lambda row: tuple(row[i] for i in idx)


def _source_audit(source: Any, after: tuple[Any, ...] | None, limit: int) -> list[tuple[Any, ...]]:
    with source.audit.reading() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM audit WHERE id > ? ORDER BY id LIMIT ?",
                (after[0] if after else 0, limit),
            )
        ]


def _target_audit(target: Any, after: tuple[Any, ...] | None, limit: int) -> list[tuple[Any, ...]]:
    with target.read() as tx:
        return [
            tuple(r)
            for r in tx.conn.execute(
                f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit WHERE id > %s ORDER BY id LIMIT %s",
                (after[0] if after else 0, limit),
            ).fetchall()
        ]


def _copy_table(source: Any, target: Any, table: str, say: Callable[[str], None]) -> int:
    key_of = _key_of(table) if table != AUDIT else (lambda row: (row[0],))
    with target.read() as tx:
        mark = tx.meta(_MARK + table)
    after = tuple(json.loads(mark)) if mark else None
    copied = 0
    while True:
        if table == AUDIT:
            rows = _source_audit(source, after, BATCH)
        else:
            with source.read() as tx:
                rows = tx.table_rows(table, after, BATCH)
        if not rows:
            break
        after = key_of(rows[-1])
        with target.write() as tx:
            if table == AUDIT:
                tx._many(
                    f"INSERT INTO audit ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))}) "
                    "ON CONFLICT DO NOTHING",
                    rows,
                )
            elif table == "meta":
                for k, v in rows:  # the source's epoch and sequence: the seats' cursors stay valid
                    tx.put_meta(k, v)
            else:
                tx.insert_rows(table, rows)
            tx.put_meta(_MARK + table, json.dumps(list(after), ensure_ascii=False))
        copied += len(rows)
        say(f"  {table}: {copied} rows")
    if table == AUDIT:
        with target.write() as tx:  # later audit rows continue after the copied ids
            tx.conn.execute(
                "SELECT setval(pg_get_serial_sequence('audit', 'id'), GREATEST((SELECT max(id) FROM audit), 1))"
            )
    return copied


def _rows(
    storage: Any, table: str, audit_fetch: Callable[[Any, tuple[Any, ...] | None, int], list[tuple[Any, ...]]]
) -> Iterator[tuple[Any, ...]]:
    if table == AUDIT:
        return _pages(lambda after: audit_fetch(storage, after, BATCH), lambda r: (r[0],))

    def fetch(after: tuple[Any, ...] | None) -> list[tuple[Any, ...]]:
        with storage.read() as tx:
            rows: list[tuple[Any, ...]] = tx.table_rows(table, after, BATCH)
        return rows

    rows = _pages(fetch, _key_of(table))
    if table == "meta":
        return (r for r in rows if not r[0].startswith(_MARK))
    return rows


def verify(source: Any, target: Any) -> list[TableCheck]:
    checks = []
    for table in (*TABLES, AUDIT):
        s_count, s_sum = _digest(_rows(source, table, _source_audit))
        t_count, t_sum = _digest(_rows(target, table, _target_audit))
        checks.append(TableCheck(table, s_count, t_count, s_sum, t_sum))
    return checks


def migrate(source_path: Path, target_url: str, say: Callable[[str], None] = lambda _: None) -> list[TableCheck]:
    """Copy `source_path` (a SQLite server database) into `target_url` (PostgreSQL), resuming a copy
    that was interrupted, then verify; returns the checks. Raises TransferError if they disagree."""
    from .pg import PgStorage  # psycopg only when a copy to PostgreSQL is made

    if not Path(source_path).is_file():
        raise TransferError(f"--from：{source_path} 处没有服务端数据库")
    try:
        source = SqliteStorage.open(Path(source_path))
    except sqlite3.DatabaseError as exc:
        raise TransferError(f"--from：{source_path} 不是可读的服务端数据库：{exc}") from None
    with PgStorage.open(target_url, pool_size=2) as target:
        say(f"{source_path} → {describe(target_url)}")
        for table in (*TABLES, AUDIT):
            _copy_table(source, target, table, say)
        checks = verify(source, target)
        if not all(c.ok for c in checks):
            bad = "，".join(
                f"{c.table}（{c.source_rows} → {c.target_rows} 行，校验 {c.source_sum} ≠ {c.target_sum}）"
                for c in checks
                if not c.ok
            )
            raise TransferError(
                f"核对不一致 / verification failed: {bad}；源服务器是否仍在运行？停止它后再运行同一命令；"
                "若目标库另有改动，请换一个空库"
            )
        with target.write() as tx:
            tx._exec("DELETE FROM meta WHERE key LIKE ?", (_MARK + "%",))
    return checks
