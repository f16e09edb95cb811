"""Turning a plain seat database into an encrypted one, and giving an encrypted one a new key
(`hotline db encrypt`, `hotline db rekey`; issue 16, R33.2).

Both copy the database with SQLCipher's `sqlcipher_export` into a new file beside it, verify the
copy (integrity check, the row count of every table, the schema version), keep the new key, and
only then put the copy in the old one's place with one rename: a crash at any moment leaves the old
database or the new one, never half of either, and never a new database whose key was not kept.

The old file is overwritten with zeros before it is let go ("securely enough": on an SSD, a
copy-on-write or journalling file system, or under backups and snapshots, old blocks may survive;
full-disk encryption is the answer there). Its WAL, which may hold recent plaintext pages, is
checkpointed into it first and scrubbed the same way.

A running seat holds the seat lock (seat_lock); a conversion refuses while it does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.errors import BrokenInvariant, Refused
from . import keys
from .db import SIDE_FILES, StoreError, open_sqlite, sql_errors
from .seat_lock import LockBusy, exclusive

if TYPE_CHECKING:
    import sqlite3


class ConversionError(Refused, RuntimeError):
    """The conversion did not happen (the old database is untouched); the message says why."""


@dataclass(frozen=True)
class Converted:
    tables: int
    rows: dict[str, int]  # every table's row count, equal in the old and the new file
    backup: Path | None  # the plain copy kept on request (`--keep-plain-backup`)


def key_for_new(db_path: Path, key_file: Path | None) -> tuple[keys.Key, Callable[[], None] | None]:
    """The key a database being encrypted gets, and how to keep it (None: it is kept already).

    A configured key (HOTLINE_DB_KEY, an existing key file) is used as it is. Otherwise a new random
    key, kept in the key file named (--key-file / HOTLINE_DB_KEY_FILE) if it does not exist yet,
    else in the OS keyring."""
    from ..settings import environment

    in_env = environment("key_file")
    named = key_file or (Path(in_env) if in_env else None)
    if environment("db_key") or (named is not None and named.exists()):
        configured = keys.explicit_key(key_file)  # the same sources as the test above: a Key
        if configured is None:
            raise BrokenInvariant("a configured database key could not be read back")
        return configured, None
    fresh = keys.new_key()
    if named is not None:
        return (keys.Key(fresh, f"密钥文件 {named}", "file", named), lambda: keys.write_key_file(named, fresh))
    return keys.Key(fresh, "系统钥匙串", "keyring"), lambda: keys.keyring_put(db_path, fresh)


def _counts(conn: sqlite3.Connection, schema: str = "main") -> dict[str, int]:
    names = [r[0] for r in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0] for n in names}


def _zero(fd: int) -> None:
    """Zeros over every byte of an open file, flushed to disk; closes `fd`."""
    try:
        size = os.fstat(fd).st_size
        block = b"\0" * (1 << 20)
        os.lseek(fd, 0, os.SEEK_SET)
        done = 0
        while done < size:
            done += os.write(fd, block[: min(len(block), size - done)])
        os.fsync(fd)
    finally:
        os.close(fd)


def _scrub(path: Path) -> None:
    """Overwrite a file with zeros, then unlink it."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return
    _zero(fd)
    path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def convert(
    path: Path, old: keys.Key | None, new: keys.Key, keep: Callable[[], None] | None = None, *, keep_plain: bool = False
) -> Converted:
    """Re-write `path` (plain with `old` None, else keyed with `old`) encrypted with `new`. `keep`
    stores the new key; it runs after the copy is verified and before the copy replaces the old
    file, so a key that cannot be kept leaves the old database as it was."""
    path = Path(path)
    try:
        lock = exclusive(path)
    except LockBusy as exc:
        raise ConversionError(str(exc)) from None
    tmp = Path(str(path) + ".converting")
    try:
        for stale in (tmp, *(Path(str(tmp) + s) for s in SIDE_FILES)):
            _scrub(stale)  # a conversion that crashed before: its copy may be half written
        os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        from sqlcipher3 import dbapi2

        try:
            src = open_sqlite(path, old, timeout=10) if old else dbapi2.connect(str(path), isolation_level=None)
        except StoreError as exc:
            raise ConversionError(exc.reason) from None
        try:
            src.execute("PRAGMA busy_timeout = 10000")
            src.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL's pages into the file being copied
            version = src.execute("PRAGMA user_version").fetchone()[0]
            src.execute(f"ATTACH DATABASE ? AS converted KEY \"x'{new.hex}'\"", (str(tmp),))
            src.execute("BEGIN IMMEDIATE")  # no writer between the copy and the counts
            src.execute("SELECT sqlcipher_export('converted')")
            src.execute(f"PRAGMA converted.user_version = {int(version)}")  # not copied by the export
            before = _counts(src)
            src.execute("COMMIT")
            src.execute("DETACH DATABASE converted")
        except sql_errors() as exc:
            raise ConversionError(f"复制数据库失败（{exc}）") from None
        finally:
            src.close()
        _verify(tmp, new, before, version)
        if keep is not None:
            keep()  # keys.KeyProblem: the copy is dropped below, the old file stays
        backup = _replace(path, tmp, keep_plain)
        keys.remember(path, new)
        return Converted(len(before), before, backup)
    except keys.KeyProblem as exc:
        raise ConversionError(str(exc)) from None
    finally:
        for leftover in (tmp, *(Path(str(tmp) + s) for s in SIDE_FILES)):
            _scrub(leftover)
        lock.release()


def _verify(tmp: Path, key: keys.Key, before: dict[str, int], version: int) -> None:
    try:
        conn = open_sqlite(tmp, key, timeout=10, isolation_level=None)
    except StoreError as exc:
        raise ConversionError(f"新文件无法用新密钥打开（{exc.reason}）") from None
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        after = _counts(conn)
        got_version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    if check != "ok":
        raise ConversionError(f"新文件完整性检查未通过（{check}）；原数据库未改动")
    if after != before or got_version != version:
        differ = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
        raise ConversionError(f"新文件与原数据库行数不一致（{', '.join(differ) or 'user_version'}）；原数据库未改动")


def _replace(path: Path, tmp: Path, keep_plain: bool) -> Path | None:
    backup = None
    if keep_plain:
        backup = Path(str(path) + ".plain-backup")
        if backup.exists():
            raise ConversionError(f"{backup} 已存在；请先移走它")
        os.link(path, backup)  # the same file under a second name: the rename below keeps it whole
        os.chmod(backup, 0o600)
    old_fd = None if keep_plain else os.open(path, os.O_WRONLY)
    for suffix in SIDE_FILES:  # the old file's WAL must never be read as the new file's
        _scrub(Path(str(path) + suffix))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    if old_fd is not None:  # the old inode, now nameless: zeros over its pages before it is freed
        _zero(old_fd)
    return backup
