"""Helpers shared by the sub-commands: opening the store, the clock, printing caller text safely."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from ..config import ConfigError, Rules, default_rules
from ..domain.text import clean_text
from ..path_checks import database_problem, new_database_problem
from ..settings import Settings
from ..store.db import Store, StoreError


def rules() -> Rules:
    from . import CliError

    try:
        return default_rules()
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def open_store(
    s: Settings, must_exist: bool = True, write: bool = False, *, key=None, key_file: Path | None = None
) -> Store:
    """The seat database. Only `hotline db init` passes `must_exist=False` (issue 14: a mistyped
    --db made a new, empty database); `write` also refuses a read-only file or folder. An encrypted
    one opens with `key`, or the key from `key_file` or the usual sources (store/keys.py)."""
    from . import CliError

    if must_exist:
        require_database(s.db_path, "--db", write=write)
    else:
        require(new_database_problem(s.db_path, "--db"))
    try:
        # the key_file setting (environment, config.toml) when the command names none
        key_file = key_file or s.key_path
        return Store.open(s.db_path, key=key, key_file=key_file)
    except StoreError as exc:
        raise CliError(f"--db：无法打开数据库 {s.db_path}（{exc.reason}）") from None


def require(problem: str | None) -> None:
    """A path check's answer (operator_tui.path_checks): one line and exit code 2, or nothing."""
    from . import CliError

    if problem:
        raise CliError(problem)


def require_database(
    path: Path, option: str = "--db", *, write: bool = False, create_with: str = "hotline db init"
) -> None:
    """An existing SQLite database at `path` (also writable with `write`); the server commands use
    this with `create_with="hotline server init"`."""
    require(database_problem(path, option, write=write, create_with=create_with))


def require_new_database(path: Path, option: str = "--db") -> None:
    """For `db init` and `server init`: a database may be created at `path`."""
    require(new_database_problem(path, option))


def now() -> datetime:
    return datetime.now(UTC)


def echo_text(*parts: object) -> None:
    """Print parts of which some are caller text: cleaned, never interpreted."""
    typer.echo("".join(clean_text(str(p)) for p in parts))
