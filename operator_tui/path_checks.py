"""Checks of the paths a person types on the command line (issue 14).

Each function returns the one line (in Chinese) that names the option and what to fix, or None when
the path will do. The CLI (`operator_tui.cli.common.require_*`) turns a line into exit code 2
before the command touches anything, and the seat's start (`seat_start`, which must not import
typer) into its own start error. Only `hotline db init` and `hotline server init` create a
database; every other command needs one that exists, so a mistyped `--db` is an error rather than
a new, empty database.
"""

from __future__ import annotations

import os
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"


def database_problem(
    path: Path, option: str = "--db", *, write: bool = False, create_with: str = "hotline db init"
) -> str | None:
    """`path` as an existing SQLite database (writable too, with `write`)."""
    if not path.exists():
        return f"{option}：找不到数据库 {path}；请检查路径，或先用 `{create_with}` 创建"
    if path.is_dir():
        return f"{option}：{path} 是目录，应为数据库文件"
    if not os.access(path, os.R_OK):
        return f"{option}：没有读取 {path} 的权限"
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return f"{option}：无法读取 {path}（{exc.strerror}）"
    if head != SQLITE_MAGIC and not _may_be_encrypted(path):
        return f"{option}：{path} 不是数据库文件；请检查路径"
    # SQLite in WAL mode writes beside the file (-wal, -shm): a writer needs the folder too.
    if write and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return f"{option}：数据库 {path} 或其所在目录只读，无法写入"
    return None


def _may_be_encrypted(path: Path) -> bool:
    """A SQLCipher file (issue 16) is random bytes from the first: whole pages, at least one. Its key
    is checked when it is opened (operator_tui/store/keys.py); a text file typed by mistake is not."""
    size = path.stat().st_size
    return size >= 1024 and size % 512 == 0


def new_database_problem(path: Path, option: str = "--db") -> str | None:
    """A database may be created (or, existing, opened for writing) at `path`: not a folder, not
    some other file, in a writable folder that exists (a typo must not make folders)."""
    if path.is_dir():
        return f"{option}：{path} 是目录，应为数据库文件的路径"
    if path.exists():
        return database_problem(path, option, write=True)
    parent = path.parent
    if not parent.exists():
        return f"{option}：目录 {parent} 不存在；请先创建它，或检查路径"
    if not parent.is_dir():
        return f"{option}：{parent} 不是目录"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{option}：目录 {parent} 只读，无法在其中创建数据库"
    return None


def output_file_problem(path: Path, option: str = "--out") -> str | None:
    """A file may be written at `path`: its folder exists and is writable; it is no folder."""
    if path.is_dir():
        return f"{option}：{path} 是目录，应为文件路径"
    parent = path.parent
    if not parent.is_dir():
        return f"{option}：目录 {parent} 不存在；请先创建它，或检查路径"
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{option}：{path} 所在位置只读，无法写入"
    return None


def output_dir_problem(path: Path, option: str = "--out") -> str | None:
    """Files may be written into the folder `path` (made if missing, one level only)."""
    if path.exists():
        if not path.is_dir():
            return f"{option}：{path} 已存在且不是目录"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{option}：目录 {path} 只读，无法写入"
        return None
    parent = path.parent
    if not parent.is_dir():
        return f"{option}：目录 {parent} 不存在；请先创建它，或检查路径"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{option}：目录 {parent} 只读，无法在其中创建 {path.name}"
    return None
