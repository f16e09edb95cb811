"""`hotline server`: run the backend; `hotline server init`: make its first tokens;
`hotline server token add|list|revoke`: manage tokens afterwards; `hotline server migrate`: move
a SQLite server database to PostgreSQL; `hotline server backup|verify|restore` (server_backup_cmd).

    hotline server init --db server.db --seat 001 --unit city_housing --supervisor 值班长
    hotline server token add --db server.db --role operator --seat 001 --name 张三 --staff-no 1024
    hotline server --db server.db --host 127.0.0.1 --port 8890
    hotline server --db postgresql://hotline@db.example/hotline --port 8890     (issue 17)
    hotline server migrate --from server.db --to postgresql://hotline@db.example/hotline

Tokens are printed once: the server keeps only their sha256.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
import typer

from ..domain.errors import Misconfigured
from ..domain.model import Role
from ..settings_table import ENV
from .base import CliError, settings
from .common import require_database, require_new_database, rules

server_app = typer.Typer(
    help="The backend: FastAPI on uvicorn over SQLite or PostgreSQL (R29.1).", invoke_without_command=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server")


def _default_db() -> Path:
    return platformdirs.user_data_path("hotline") / "server.db"


# server_stub (~10 ms for its storage, ~0.3 s with FastAPI and uvicorn) is imported inside the
# command that needs it: `hotline --help` loads every command module, and `hotline server token
# list` needs no web framework.
DB_OPTION = typer.Option(
    None,
    "--db",
    envvar=ENV["server_db"],
    help="Server database: a SQLite file (default: the platform data dir) or a postgresql://user@host:port/dbname URL.",
)


def _target(db: str | None, ctx: typer.Context | None = None) -> Path | str:
    """`--db` as the storage takes it: a PostgreSQL URL as written, anything else a file path
    (typer's Path would fold the URL's '//' away). Without `--db` (or HOTLINE_SERVER_DB, which
    typer reads), the server_db setting the root resolved from config.toml, else the default."""
    # server_stub only when a command runs: see the note above DB_OPTION
    from server_stub.storage import is_postgres

    if not db and ctx is not None and ctx.find_root().obj is not None:
        db = ctx.find_root().obj.server_db
    if not db:
        return _default_db()
    return db if is_postgres(db) else Path(db)


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
    db: str = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8890, "--port", min=0, max=65535, help="Port to listen on."),
    sweep_every: float = typer.Option(
        60.0, "--sweep-every", min=0, help="Seconds between deadline/supervision sweeps (0: off)."
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level: critical|error|warning|info|debug."),
    tls_cert: Path | None = typer.Option(
        None,
        "--tls-cert",
        envvar=ENV["tls_cert"],
        help="Serve HTTPS with this certificate (PEM, with its chain); needs --tls-key.",
    ),
    tls_key: Path | None = typer.Option(
        None, "--tls-key", envvar=ENV["tls_key"], help="The certificate's private key (PEM)."
    ),
    backup_every: float = typer.Option(
        0, "--backup-every", min=0, help="Take a backup every SECONDS (SQLite; 0: off)."
    ),
    backup_keep: int = typer.Option(7, "--keep", help="Scheduled backups: keep the newest N."),
    backup_dir: Path = typer.Option(None, "--backup-dir", help="Scheduled backups: the folder they go in."),
    reports_dir: Path | None = typer.Option(
        None,
        "--reports-dir",
        envvar=ENV["reports_dir"],
        help="Write the daily, weekly and monthly reports (.xlsx + HTML) into this folder "
        "on the [reports] schedule of the policy file (R31.1).",
    ),
) -> None:
    """Run the backend until interrupted (HTTPS with --tls-cert and --tls-key)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn  # the web stack (~0.3 s) only when the server runs

    from server_stub.app import create_app
    from server_stub.settings import ServerSettings
    from server_stub.storage import describe

    path = _target(db, ctx)
    # the options over the settings the root resolved (environment, config.toml)
    s = settings(ctx).given(tls_cert=tls_cert, tls_key=tls_key, reports_dir=reports_dir)
    tls_cert, tls_key, reports_dir = s.tls_cert, s.tls_key, s.reports_dir
    tls = _tls_files(tls_cert, tls_key)
    if isinstance(path, Path):  # issue 14: a mistyped --db is refused, not created empty
        require_database(path, "--db", write=True, create_with=f"hotline server init --db {path}")
    saves = server_backup_cmd.schedule(backup_every, backup_keep, backup_dir, path)
    from .report_docs_cmd import report_job  # a cycle: report_docs_cmd builds on this module

    reports = report_job(reports_dir)
    try:
        app = create_app(
            ServerSettings(db_path=path, sweep_every_seconds=sweep_every), rules(), backup=saves, reports=reports
        )
    except Exception as exc:
        # The database cannot be opened or migrated: a driver's error, the file system's, or the tree's
        # word that the setup is wrong (a schema newer than this program). Anything else is a bug
        # and keeps its traceback.
        if not (_is_driver_error(exc) or isinstance(exc, (OSError, Misconfigured))):
            raise
        raise CliError(f"--db：无法打开服务端数据库 {describe(path)}：{_reason(exc)}") from None
    logging.getLogger("uvicorn.access").addFilter(_NoQueryStrings())
    # The app's long-lived objects (rules, taxonomy, routes) out of the collector's sight: a full
    # collection then walks only request garbage, which keeps pauses out of the latency tail.
    gc.collect()
    gc.freeze()
    typer.echo(
        f"hotline server: {describe(path)} on {'https' if tls else 'http'}://{host}:{port} (OpenAPI at /openapi.json)",
        err=True,
    )
    # date_header=False: the app stamps `Date` from its own clock (seats derive their offset from it).
    uvicorn.run(app, host=host, port=port, log_level=log_level, date_header=False, server_header=False, **tls)


@contextlib.contextmanager
def _database(path: Path | str, option: str = "--db") -> Iterator[None]:
    """A server database that cannot be reached or read is one line and exit 2, not a traceback
    (a PostgreSQL server down, a wrong password, a file that is not a database). Only the
    drivers' errors: anything else is a bug and keeps its traceback."""
    # server_stub only when a command runs: see the note above DB_OPTION
    from server_stub.storage import describe

    try:
        yield
    except Exception as exc:
        if not _is_driver_error(exc):
            raise
        raise CliError(f"{option}：无法打开服务端数据库 {describe(path)}：{_reason(exc)}") from None


def _is_driver_error(exc: Exception) -> bool:
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.split(".")[0] in ("psycopg", "psycopg_pool")


def _reason(exc: Exception) -> str:
    """One line for why a database could not be opened (a driver's message may span several)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _tls_files(cert: Path | None, key: Path | None) -> dict[str, Any]:
    """uvicorn's TLS arguments, checked here so that a wrong path is one line, not a traceback."""
    import ssl  # ~10 ms, only to check a certificate when serving HTTPS

    if cert is None and key is None:
        return {}
    if cert is None or key is None:
        raise CliError("--tls-cert and --tls-key go together: give the certificate and its private key")
    for option, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            raise CliError(f"{option}: no file at {path}")
    try:  # the same check uvicorn makes, before the server starts
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(cert), str(key))
    except (ssl.SSLError, OSError) as exc:
        raise CliError(f"--tls-cert/--tls-key: cannot use {cert} with {key}: {exc}") from None
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}


def _print_tokens(issued, as_json: bool) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": p.id,
                        "role": p.role.value,
                        "name": p.name,
                        "staff_no": p.staff_no,
                        "seat": p.seat,
                        "unit": p.unit,
                        "token": t,
                    }
                    for p, t in issued
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    typer.echo("令牌只显示这一次，请立即妥善保存 / tokens are shown only once; store them now:")
    for p, token in issued:
        who = (
            f"{p.name} 工号{p.staff_no} seat {p.seat}"
            if p.staff_no and p.seat
            else f"seat {p.seat}"
            if p.seat
            else f"unit {p.unit}"
            if p.unit
            else p.name + (f" 工号{p.staff_no}" if p.staff_no else "")
        )
        typer.echo(f"  {p.role.value:<10} {who:<24} {token}")


@server_app.command("init")
def init(
    ctx: typer.Context,
    db: str = DB_OPTION,
    seat: list[str] = typer.Option([], "--seat", help="Enrol a seat by its 3-digit code (repeatable)."),
    unit: list[str] = typer.Option([], "--unit", help="A token for a handling unit, by unit code (repeatable)."),
    supervisor: list[str] = typer.Option([], "--supervisor", help="A token for a supervisor, by name (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the tokens as JSON."),
) -> None:
    """Create the server database with an admin token (and seat, unit, supervisor tokens)."""
    # server_stub only when a command runs: see the note above DB_OPTION
    from server_stub import bootstrap
    from server_stub.auth import EnrolError
    from server_stub.storage import describe

    path = _target(db, ctx)
    if isinstance(path, Path):  # issue 14: a missing folder or a read-only one is one line, before anything
        if path == _default_db():  # the platform's data folder may be made; a typed path's not
            path.parent.mkdir(parents=True, exist_ok=True)
        require_new_database(path, "--db")
    try:
        with _database(path):
            issued = bootstrap.init(
                path,
                datetime.now(UTC),
                seats=seat,
                units=unit,
                supervisors=supervisor,
                known_units=rules().taxonomy.units,
            )
    except EnrolError as exc:
        raise CliError(str(exc)) from None
    typer.echo(f"server database ready: {describe(path)}", err=True)
    _print_tokens(issued, as_json)


# --- tokens -----------------------------------------------------------------------------------

token_app = typer.Typer(
    help="Tokens: add, list, revoke (the server keeps only their sha256).", invoke_without_command=True
)
server_app.add_typer(token_app, name="token")


def _server_db(ctx: typer.Context, db: str | None) -> Path | str:
    """`--db` of the command, else of an enclosing group (`hotline server --db X token list`)."""
    parent = ctx.parent
    while db is None and parent is not None:
        db = parent.params.get("db")
        parent = parent.parent
    path = _target(db, ctx)
    if isinstance(path, Path) and not path.exists():
        raise CliError(f"--db: no server database at {path}; create it with `hotline server init --db {path}`")
    return path


def _add(ctx: typer.Context, db, role, name, seat, new_seat, unit, staff_no, as_json) -> None:
    # server_stub only when a command runs: see the note above DB_OPTION
    from server_stub import bootstrap
    from server_stub.auth import HUMAN_ROLES, EnrolError

    path = _server_db(ctx, db)
    if role not in {r.value for r in HUMAN_ROLES}:
        raise CliError(f"--role: '{role}' must be one of {', '.join(r.value for r in HUMAN_ROLES)}")
    if new_seat and seat:
        raise CliError(
            "--new-seat and --seat: give one (--new-seat NNN enrols a seat; --seat NNN names an enrolled one)"
        )
    code = new_seat or seat
    default_name = f"坐席{code}" if code and not staff_no else (unit or role)
    try:
        with _database(path):
            issued = bootstrap.issue(
                path,
                datetime.now(UTC),
                role=Role(role),
                name=name or default_name,
                unit=unit,
                seat=code,
                staff_no=staff_no,
                new_seat=bool(new_seat),
                known_units=rules().taxonomy.units,
            )
    except EnrolError as exc:
        raise CliError(str(exc)) from None
    _print_tokens([issued], as_json)


_ROLE = typer.Option(
    "operator", "--role", help="operator | supervisor | unit | admin | partner (Open311, with --seat NNN)"
)
_NAME = typer.Option(None, "--name", help="Who holds it, e.g. 张三 (default: the seat or unit code).")
_SEAT = typer.Option(None, "--seat", help="An enrolled 3-digit seat the operator works at (a person's token).")
_NEW_SEAT = typer.Option(None, "--new-seat", help="Enrol this new 3-digit seat code and make the seat's token.")
_UNIT = typer.Option(None, "--unit", help="The unit's code (role unit).")
_STAFF = typer.Option(None, "--staff-no", help="The person's staff number (工号, 1–10 digits).")
_JSON = typer.Option(False, "--json", help="Print as JSON.")


@token_app.callback(invoke_without_command=True)
def token(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", envvar=ENV["server_db"], hidden=True),
    role: str = typer.Option("operator", "--role", hidden=True),
    name: str = typer.Option(None, "--name", hidden=True),
    seat: str = typer.Option(None, "--seat", hidden=True),
    new_seat: str = typer.Option(None, "--new-seat", hidden=True),
    unit: str = typer.Option(None, "--unit", hidden=True),
    staff_no: str = typer.Option(None, "--staff-no", hidden=True),
    as_json: bool = typer.Option(False, "--json", hidden=True),
) -> None:
    """Tokens: `add`, `list`, `revoke`. `hotline server token --role …` (no sub-command) is `add`."""
    if ctx.invoked_subcommand is None:
        _add(ctx, db, role, name, seat, new_seat, unit, staff_no, as_json)


@token_app.command("add")
def token_add(
    ctx: typer.Context,
    db: str = DB_OPTION,
    role: str = _ROLE,
    name: str = _NAME,
    seat: str = _SEAT,
    new_seat: str = _NEW_SEAT,
    unit: str = _UNIT,
    staff_no: str = _STAFF,
    as_json: bool = _JSON,
) -> None:
    """Add one token to an existing server database (printed once).

    A person at a seat: --role operator --seat 001 --name 张三 --staff-no 1024.
    A new seat: --new-seat 004. A unit: --role unit --unit heat_group."""
    _add(ctx, db, role, name, seat, new_seat, unit, staff_no, as_json)


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    db: str = DB_OPTION,
    active: bool = typer.Option(False, "--active", help="Only tokens not revoked."),
    as_json: bool = _JSON,
) -> None:
    """Every token: id, role, name, staff number, seat, unit, created, revoked (never the token)."""
    # server_stub only when a command runs: see the note above DB_OPTION
    from server_stub import bootstrap

    path = _server_db(ctx, db)
    with _database(path):
        rows = [r for r in bootstrap.tokens(path) if not (active and r["revoked_at"])]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    head = ("id", "role", "name", "staff no", "seat", "unit", "created", "revoked")
    table = [head] + [
        (
            r["id"],
            r["role"],
            r["name"],
            r["staff_no"] or "",
            r["seat"] or "",
            r["unit"] or "",
            _local(r["created_at"]),
            _local(r["revoked_at"]) or "-",
        )
        for r in rows
    ]
    widths = [max(_width(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        typer.echo("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip())


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    principal_id: str = typer.Argument(..., metavar="ID", help="The token's id from `hotline server token list`."),
    db: str = DB_OPTION,
) -> None:
    """Revoke a token at once: every request with it then gets 401."""
    # server_stub only when a command runs: see the note above DB_OPTION
    from server_stub import bootstrap
    from server_stub.auth import EnrolError

    path = _server_db(ctx, db)
    try:
        with _database(path):
            row = bootstrap.revoke(path, principal_id.strip(), datetime.now(UTC))
    except (LookupError, EnrolError) as exc:
        raise CliError(f"ID: {exc}") from None
    who = f"seat {row['seat']}" if row["seat"] and not row["staff_no"] else row["name"]
    typer.echo(f"已吊销 / revoked: {row['id']} ({row['role']}, {who})")


# --- moving to PostgreSQL (issue 17) ------------------------------------------------------------


@server_app.command("migrate")
def migrate(
    source: Path = typer.Option(..., "--from", help="The SQLite server database to move (stop its server first)."),
    target: str = typer.Option(..., "--to", help="The PostgreSQL database: postgresql://user@host:port/dbname."),
    quiet: bool = typer.Option(False, "--quiet", help="Print only the result."),
) -> None:
    """Move a city's server data from SQLite to PostgreSQL, verified by counts and checksums.

    Restartable: run the same command again after an interruption and it resumes."""
    # server_stub only when a command runs: see the note above DB_OPTION
    from server_stub.storage import describe, is_postgres
    from server_stub.transfer import TransferError
    from server_stub.transfer import migrate as move

    if not is_postgres(target):
        raise CliError(f"--to：需要 PostgreSQL 地址 postgresql://用户@主机:端口/库名，而不是 {target}")
    say = (lambda _: None) if quiet else (lambda line: typer.echo(line, err=True))
    try:
        with _database(target, "--to"):
            checks = move(source, target, say)
    except TransferError as exc:
        raise CliError(str(exc)) from None
    for c in checks:
        typer.echo(f"  {c.table:<14} {c.target_rows:>10} 行  校验 {c.target_sum}  一致")
    typer.echo(f"迁移完成并已核对 / moved and verified: {source} → {describe(target)}")


# Last, as server_backup_cmd builds on this module: it registers backup, verify and restore on
# server_app, and gives `server` its backup schedule.
from . import server_backup_cmd  # noqa: E402
