"""Who has the seat database open: a lock beside it, so `hotline db encrypt` and `rekey` can refuse
while a seat (or a sync, or any hotline command) uses the file.

SQLite's own locks cannot tell: the seat opens a connection per unit of work, so between two saves
nobody holds one. The seat (`Store.open(..., hold=True)`, from seat_start) takes a *shared* flock on
`<db>.lock` for as long as it runs; a conversion takes it *exclusive* without waiting, and so fails
while a seat runs, and a seat started meanwhile fails rather than write into a file about to be
replaced. Short commands (`hotline sync`, `ticket`) take no lock: stop them by hand (README).

A separate file, not the database: closing any descriptor of the database drops the POSIX locks
SQLite holds on it in this process (see operator_tui/migrate.py). flock locks belong to one open
file description, so two Stores in one process share; a conversion in a process that still holds a
Store of the same file conflicts with itself (callers close theirs first).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..domain.errors import Unavailable


class LockBusy(Unavailable, RuntimeError):
    pass


def lock_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock")


class SeatLock:
    """A held flock on `<db>.lock`, released by `release()` or when the object is collected."""

    def __init__(self, fd: int | None):
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __del__(self) -> None:
        self.release()


def _open(db_path: Path) -> int | None:
    try:
        return os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None  # a read-only folder: nobody can convert the file there either


def shared(db_path: Path) -> SeatLock:
    """For a running seat; LockBusy while a conversion runs."""
    fd = _open(db_path)
    if fd is None:
        return SeatLock(None)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise LockBusy("数据库正在加密或更换密钥，请稍后再试") from None
    return SeatLock(fd)


def exclusive(db_path: Path) -> SeatLock:
    """For a conversion; LockBusy while a seat has the database open."""
    fd = _open(db_path)
    if fd is None:
        raise LockBusy(f"无法在 {Path(db_path).parent} 中创建锁文件")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise LockBusy("坐席正在使用此数据库；请先关闭坐席（并停止同步）后再试") from None
    return SeatLock(fd)
