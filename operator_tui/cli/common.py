"""Helpers shared by the sub-commands: opening the store, the clock, printing caller text safely."""

from __future__ import annotations

from datetime import datetime, timezone

import typer

from ..config import ConfigError, Rules, default_rules
from ..domain.text import clean_text
from ..settings import Settings
from ..store.db import Store, StoreError


def rules() -> Rules:
    from . import CliError

    try:
        return default_rules()
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def open_store(s: Settings, must_exist: bool = True) -> Store:
    from . import CliError

    if must_exist and not s.db_path.exists():
        raise CliError(f"--db: no seat database at {s.db_path}; create it with `hotline db init` (add --demo for demo data)")
    try:
        return Store.open(s.db_path)
    except StoreError as exc:
        raise CliError(str(exc)) from None


def now() -> datetime:
    return datetime.now(timezone.utc)


def echo_text(*parts: object) -> None:
    """Print parts of which some are caller text: cleaned, never interpreted."""
    typer.echo("".join(clean_text(str(p)) for p in parts))
