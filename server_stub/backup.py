"""Backups of the server's SQLite database (R30.1): take one while the server writes, verify it,
restore it into a new file.

A backup is a folder `server-<UTC stamp>/` holding `server.db`, `server.audit.db` and
`manifest.json` (time, event count, sequence head, epoch, sha256 and size of each file). It is
written under a temporary name and renamed when complete, so a folder with a manifest is always a
whole backup, and a crash mid-copy leaves only a `.tmp-` folder that the next run removes.

Copies use SQLite's online backup API: it reads one consistent snapshot (WAL lets the server keep
committing meanwhile), unlike copying the file, which can catch a half-written page. The audit
file is copied the same way; it is independent of the events, so the two snapshots need not be
the same instant.

A restore writes a NEW database (never over an existing file) and gives it a new epoch: every
seat's cursor then becomes unknown (410), the seats pull everything again and push back the
events the backup lacks (operator_tui/sync/service.py). PostgreSQL is not handled here: use
`pg_dump -Fc` / `pg_restore` (or pg_basebackup for a standby) — see the README.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from operator_tui.domain.errors import BadInput

MANIFEST = "manifest.json"
MAIN, AUDIT = "server.db", "server.audit.db"
PREFIX = "server-"
FORMAT = 1


class BackupError(BadInput):
    """A backup that cannot be taken, verified or restored; the message says what to do (Chinese,
    shown as is by the CLI)."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    engine: str
    event_count: int
    seq_head: int
    epoch: str
    files: dict[str, dict[str, object]]  # name → {"sha256": hex, "bytes": n}

    def write(self, folder: Path) -> None:
        text = json.dumps(asdict(self), ensure_ascii=False, indent=2)
        _private_file(folder / MANIFEST, text.encode())

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{folder}：不是备份目录（缺少 {MANIFEST}）")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{path}：备份清单无法读取（{type(exc).__name__}），该备份不可用") from None


def _private_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: Path, target: Path) -> None:
    """One consistent snapshot of `source` into a new file `target` (mode 0600: personal data),
    as a single journal-mode DELETE file so that the backup is exactly one file."""
    _private_file(target, b"")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # pages=-1: all at once, under one read snapshot
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.commit()
    finally:
        dst.close()
        src.close()


def _facts(db: Path) -> tuple[int, int, str]:
    """(event count, sequence head, epoch) as the copy holds them."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        count = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('seq', 'epoch')").fetchall())
    finally:
        conn.close()
    return int(count), int(meta.get("seq") or 0), str(meta.get("epoch") or "")


def audit_path(db: Path) -> Path:
    """Where SqliteStorage keeps the read audit beside `db`."""
    return db.with_suffix(".audit.db")


def take(db: Path, into: Path, now: datetime) -> Path:
    """Back up the database `db` (and its audit file) into a new folder under `into`; returns it."""
    db = Path(db)
    if not db.is_file():
        raise BackupError(f"--db：没有服务端数据库 {db}")
    into.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = into / f"{PREFIX}{stamp}"
    if final.exists():
        raise BackupError(f"{final} 已存在：同一时刻的备份已做过")
    work = into / f".tmp-{stamp}-{secrets.token_hex(3)}"
    work.mkdir(mode=0o700)
    try:
        _copy(db, work / MAIN)
        files = [MAIN]
        if audit_path(db).is_file():
            _copy(audit_path(db), work / AUDIT)
            files.append(AUDIT)
        count, head, epoch = _facts(work / MAIN)
        Manifest(
            FORMAT,
            now.astimezone(UTC).isoformat(),
            "sqlite",
            count,
            head,
            epoch,
            {name: {"sha256": sha256(work / name), "bytes": (work / name).stat().st_size} for name in files},
        ).write(work)
        os.replace(work, final)  # a backup appears whole or not at all
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _folder(backup: Path) -> Path:
    """A backup named by its folder or by its manifest file."""
    backup = Path(backup)
    return backup.parent if backup.name == MANIFEST else backup


def verify(backup: Path) -> Manifest:
    """Checksums, SQLite's integrity check and the event count against the manifest; raises
    BackupError with the first problem found."""
    folder = _folder(backup)
    if not folder.is_dir():
        raise BackupError(f"{folder}：没有这个备份目录")
    manifest = Manifest.read(folder)
    if MAIN not in manifest.files:
        raise BackupError(f"{folder}：清单中没有 {MAIN}，该备份不可用")
    for name, want in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{folder}：缺少文件 {name}")
        if sha256(path) != want.get("sha256"):
            raise BackupError(f"{path}：校验和与清单不符（文件已损坏或被改动）")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path}：不是可读的 SQLite 数据库（{exc}）") from None
        finally:
            conn.close()
        if result != ["ok"]:
            raise BackupError(f"{path}：完整性检查失败：{result[0]}")
    count, head, _ = _facts(folder / MAIN)
    if count != manifest.event_count or head != manifest.seq_head:
        raise BackupError(
            f"{folder}：事件数 {count}（序号 {head}）与清单的 {manifest.event_count}（序号 {manifest.seq_head}）不符"
        )
    return manifest


def restore(backup: Path, target: Path) -> tuple[Manifest, str]:
    """Verify `backup`, then write it as the new database `target` (and its audit file) with a
    new epoch. Returns the manifest and the new epoch. Never writes over an existing file."""
    target = Path(target)
    for path in (target, audit_path(target), Path(str(target) + ".issued-seq"), Path(str(target) + "-wal")):
        if path.exists():
            raise BackupError(f"--to：{path} 已存在；恢复只写入新的数据库文件，请换一个路径")
    if not target.parent.is_dir():
        raise BackupError(f"--to：目录 {target.parent} 不存在")
    manifest = verify(backup)
    folder = _folder(backup)
    epoch = secrets.token_hex(4)
    while epoch == manifest.epoch:  # a new epoch, so that every seat's cursor becomes unknown
        epoch = secrets.token_hex(4)
    work = target.with_name(f".{target.name}.restoring-{secrets.token_hex(3)}")
    try:
        _copy(folder / MAIN, work)
        conn = sqlite3.connect(work)
        try:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (epoch,),
            )
            conn.commit()
        finally:
            conn.close()
        if AUDIT in manifest.files:
            _copy(folder / AUDIT, audit_path(target))
        os.replace(work, target)  # the main file last: its presence means the restore is complete
    except BaseException:
        work.unlink(missing_ok=True)
        if not target.exists():
            audit_path(target).unlink(missing_ok=True)
        raise
    return manifest, epoch


def backups(into: Path) -> list[Path]:
    """The complete backups under `into`, oldest first (the stamp sorts as time)."""
    if not into.is_dir():
        return []
    return sorted(p for p in into.iterdir() if p.is_dir() and p.name.startswith(PREFIX) and (p / MANIFEST).is_file())


def prune(into: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` backups under `into`, remove older ones and leftovers of interrupted
    runs; returns what was removed."""
    removed = []
    for leftover in into.glob(".tmp-*") if into.is_dir() else []:
        # Only old ones: a fresh one may be a backup another process is writing right now.
        if time.time() - leftover.stat().st_mtime > 3600:
            shutil.rmtree(leftover, ignore_errors=True)
    done = backups(into)
    for old in done[: max(0, len(done) - keep)]:
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    return removed


@dataclass(frozen=True)
class Schedule:
    """`hotline server --backup-every S --keep N --backup-dir DIR`: what the server's own loop does."""

    every_seconds: float
    keep: int
    into: Path

    def run_once(self, db: Path, now: datetime) -> Path:
        made = take(db, self.into, now)
        prune(self.into, self.keep)
        return made
