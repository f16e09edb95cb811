"""What every `hotline` sub-command module shares, importable without the command tree: the user
error (one line on stderr, exit code 2) and the settings the root callback resolved."""

from __future__ import annotations

import typer

from ..domain.errors import BadInput
from ..settings import Settings


class CliError(BadInput, typer.TyperException):
    """A user error: printed as one line, exit code 2."""

    exit_code = 2


def settings(ctx: typer.Context) -> Settings:
    """The settings of this invocation (`--db`, `--operator`, environment), resolved once at the root."""
    return ctx.find_root().obj
