"""The `hotline` command.

Every sub-command lives in its own module and registers itself on the app. A run registers only
the module of the command it was asked for (importing all of them costs the seat ~50 ms of
start-up); `operator_tui.cli.app` (tests, docs) has them all. Errors a person can cause end in one
line on stderr that names the field and what to fix, and exit code 2; nothing is written. An error
of the tree (operator_tui/domain/errors.py) that a command did not turn into a CliError is answered
here by its kind (`EXIT_CODES`): 1 when something is unavailable and a retry may work, 70
(sysexits EX_SOFTWARE) for a broken invariant, our bug and never the user's mistake.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import typer

from ..domain.errors import (
    BadInput,
    BrokenInvariant,
    HotlineError,
    Misconfigured,
    NotFound,
    Refused,
    Unavailable,
    describe,
    kind_of,
)
from ..settings import Settings, SettingsError
from ..settings_table import ENV
from .base import CliError, settings

__all__ = ["CliError", "main", "settings"]

# What each kind of error exits with: 2 for what the person can fix in what they typed or set up.
EXIT_CODES: dict[type[HotlineError], int] = {
    BadInput: 2,
    NotFound: 2,
    Refused: 2,
    Misconfigured: 2,
    Unavailable: 1,  # nothing wrong with the command: the server, the switch or the lock may be back later
    BrokenInvariant: 70,  # EX_SOFTWARE: a bug in this program
}


def exit_code_of(exc: HotlineError) -> int:
    kind = kind_of(exc)
    return EXIT_CODES[kind] if kind is not None else 70


_app = typer.Typer(
    name="hotline",
    help="8890 群众诉求热线坐席客户端 / seat client for the Anshan 8890 citizen-appeals hotline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"hotline {__version__}")
        raise typer.Exit()


@_app.callback()
def root(
    ctx: typer.Context,
    db: Path = typer.Option(
        None, "--db", envvar=ENV["db"], help="Seat database file (default: the platform data dir)."
    ),
    operator: str = typer.Option(None, "--operator", envvar=ENV["operator"], help="Operator id recorded on events."),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    # Resolved once here (option > environment > config.toml > default); sub-commands read it with
    # `settings(ctx)` and put their own options on top with `Settings.given`.
    try:
        ctx.obj = Settings.resolve(db=db, operator=operator)
    except SettingsError as exc:
        raise CliError(str(exc)) from None


# command name → module; each module has register(app)
COMMANDS = {
    "db": "db_cmd",
    "deadline": "deadline_cmd",
    "ticket": "ticket_cmd",
    "triage": "triage_cmd",
    "kb": "kb_cmd",
    "seat": "seat_cmd",
    "server": "server_cmd",
    "sync": "sync_cmd",
    "cti": "cti_cmd",
    "report": "report_cmd",
}
_registered: set[str] = set()


def _register(names) -> typer.Typer:
    for name in names:
        if name not in _registered:
            _registered.add(name)
            importlib.import_module(f"{__name__}.{COMMANDS[name]}").register(_app)
    return _app


def __getattr__(name: str):
    if name == "app":  # the whole command tree, for whoever walks it
        return _register(COMMANDS)
    raise AttributeError(name)


def _command_of(args: list[str]) -> str | None:
    """The sub-command named in `args`, skipping the root options and their values."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--db", "--operator"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning every user error into one line on stderr."""
    args = argv if argv is not None else sys.argv[1:]
    wanted = _command_of(args)
    command = typer.main.get_command(_register([wanted] if wanted in COMMANDS else COMMANDS))
    try:
        rv = command.main(args=args, prog_name="hotline", standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("已取消", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:
        ctx = getattr(exc, "ctx", None)
        if ctx is not None and exc.format_message() == ctx.get_help():
            # A bare group (`hotline server`): its "error" is its help. Typer does not export that
            # exception's class, so it is recognised by what it says rather than by its name.
            typer.echo(exc.format_message())
            sys.exit(2)
        # Usage errors (bad option values, missing arguments) carry the context they arose in.
        hint = f"（见 `{ctx.command_path} --help`）" if ctx is not None and not isinstance(exc, CliError) else ""
        typer.echo(f"错误：{exc.format_message()}{hint}", err=True)
        sys.exit(2 if ctx is not None else exc.exit_code)
    except HotlineError as exc:  # one of the tree that no command turned into a CliError
        typer.echo(f"错误：{describe(exc)}", err=True)
        sys.exit(exit_code_of(exc))
    sys.exit(rv if isinstance(rv, int) else 0)
