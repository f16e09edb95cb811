"""`hotline server`: run the backend; `hotline server init` / `token`: make its first tokens.

    hotline server init --db server.db --seat 001 --unit city_housing --supervisor 值班长
    hotline server --db server.db --host 127.0.0.1 --port 8890

Tokens are printed once: the server keeps only their sha256.
"""

from __future__ import annotations

import gc
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import List

import platformdirs
import typer

server_app = typer.Typer(help="The backend: FastAPI on uvicorn over SQLite (R29.1).", invoke_without_command=True)


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server")


def _default_db() -> Path:
    return platformdirs.user_data_path("hotline") / "server.db"


DB_OPTION = typer.Option(None, "--db", envvar="HOTLINE_SERVER_DB", help="Server database file (default: the platform data dir).")


class _NoQueryStrings(logging.Filter):
    """R33.1: no personal data in logs — access lines keep the path but never the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            path, sep, _ = record.args[2].partition("?")
            record.args = (*record.args[:2], path + ("?…" if sep else ""), *record.args[3:])
        return True


@server_app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    db: Path = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8890, "--port", min=0, max=65535, help="Port to listen on."),
    sweep_every: float = typer.Option(60.0, "--sweep-every", min=0, help="Seconds between deadline/supervision sweeps (0: off)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level: critical|error|warning|info|debug."),
) -> None:
    """Run the backend until interrupted."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from server_stub.app import create_app
    from server_stub.settings import ServerSettings

    from . import CliError
    from .common import rules

    path = db or _default_db()
    try:
        app = create_app(ServerSettings(db_path=path, sweep_every_seconds=sweep_every), rules())
    except Exception as exc:  # cannot open or migrate the database
        raise CliError(f"--db: cannot open the server database {path}: {exc}") from None
    logging.getLogger("uvicorn.access").addFilter(_NoQueryStrings())
    # The app's long-lived objects (rules, taxonomy, routes) out of the collector's sight: a full
    # collection then walks only request garbage, which keeps pauses out of the latency tail.
    gc.collect()
    gc.freeze()
    typer.echo(f"hotline server: {path} on http://{host}:{port} (OpenAPI at /openapi.json)", err=True)
    # date_header=False: the app stamps `Date` from its own clock (seats derive their offset from it).
    uvicorn.run(app, host=host, port=port, log_level=log_level, date_header=False, server_header=False)


def _print_tokens(issued, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([{"role": p.role.value, "name": p.name, "seat": p.seat, "unit": p.unit, "token": t}
                               for p, t in issued], ensure_ascii=False, indent=2))
        return
    typer.echo("令牌只显示这一次，请立即妥善保存 / tokens are shown only once; store them now:")
    for p, token in issued:
        who = f"seat {p.seat}" if p.seat else (f"unit {p.unit}" if p.unit else p.name)
        typer.echo(f"  {p.role.value:<10} {who:<24} {token}")


@server_app.command("init")
def init(
    db: Path = DB_OPTION,
    seat: List[str] = typer.Option([], "--seat", help="Enrol a seat by its 3-digit code (repeatable)."),
    unit: List[str] = typer.Option([], "--unit", help="A token for a handling unit, by unit code (repeatable)."),
    supervisor: List[str] = typer.Option([], "--supervisor", help="A token for a supervisor, by name (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the tokens as JSON."),
) -> None:
    """Create the server database with an admin token (and seat, unit, supervisor tokens)."""
    from server_stub import bootstrap
    from server_stub.auth import EnrolError

    from . import CliError
    from .common import rules

    path = db or _default_db()
    try:
        issued = bootstrap.init(path, datetime.now(timezone.utc), seats=seat, units=unit, supervisors=supervisor,
                                known_units=rules().taxonomy.units)
    except EnrolError as exc:
        raise CliError(str(exc)) from None
    typer.echo(f"server database ready: {path}", err=True)
    _print_tokens(issued, as_json)


@server_app.command("token")
def token(
    db: Path = DB_OPTION,
    role: str = typer.Option("operator", "--role", help="operator | supervisor | unit | admin"),
    name: str = typer.Option(None, "--name", help="Who holds it (default: the seat or unit code)."),
    seat: str = typer.Option(None, "--seat", help="Enrol this 3-digit seat code (role operator)."),
    unit: str = typer.Option(None, "--unit", help="The unit's code (role unit)."),
    as_json: bool = typer.Option(False, "--json", help="Print the token as JSON."),
) -> None:
    """Add one token to an existing server database (printed once)."""
    from operator_tui.domain.model import Role
    from server_stub import bootstrap
    from server_stub.auth import HUMAN_ROLES, EnrolError

    from . import CliError
    from .common import rules

    path = db or _default_db()
    if not path.exists():
        raise CliError(f"--db: no server database at {path}; create it with `hotline server init --db {path}`")
    if role not in {r.value for r in HUMAN_ROLES}:
        raise CliError(f"--role: '{role}' must be one of {', '.join(r.value for r in HUMAN_ROLES)}")
    try:
        issued = bootstrap.issue(path, datetime.now(timezone.utc), role=Role(role), name=name or seat or unit or role,
                                 unit=unit, seat=seat, known_units=rules().taxonomy.units)
    except EnrolError as exc:
        raise CliError(str(exc)) from None
    _print_tokens([issued], as_json)
