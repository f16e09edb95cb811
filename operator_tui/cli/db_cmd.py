"""`hotline db init`: create the seat's local database (and, with --demo, seed demo data; with
--encrypt, encrypted); `hotline db export-outbox` / `import-outbox`: carry unsynced events to
another machine; `hotline db encrypt` / `rekey` live in db_crypt_cmd."""

from __future__ import annotations

from pathlib import Path

import typer

from ..settings import _platform_dir
from ..settings_table import ENV
from ..store import meta
from ..store.outbox_file import OutboxFileError, export, import_file
from . import db_crypt_cmd
from .base import CliError, settings
from .common import now, open_store, rules
from .db_crypt_cmd import key_for_init

db_app = typer.Typer(help="The seat's local database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    db_crypt_cmd.register(db_app)
    app.add_typer(db_app, name="db")


@db_app.command("init")
def init(
    ctx: typer.Context,
    demo: bool = typer.Option(False, "--demo", help="Seed demo tickets and the sample knowledge base (once)."),
    seat_code: str = typer.Option(
        None, "--seat-code", help="This seat's 3-digit code, unique across seats (part of every ticket number)."
    ),
    encrypt: bool = typer.Option(
        False,
        "--encrypt",
        help="Create it encrypted (SQLCipher) with a new random key, kept in "
        "--key-file (a new 0600 file) or else the OS keyring; a key already set is used.",
    ),
    key_file: Path | None = typer.Option(
        None, "--key-file", envvar=ENV["key_file"], help="The database key's file (mode 0600); implies --encrypt."
    ),
) -> None:
    """Create (or migrate) the seat database, file mode 0600."""
    s = settings(ctx)
    key_file = key_file or s.key_path  # config.toml's key_file when neither option nor environment
    if seat_code is not None and not meta.valid_seat_code(seat_code):
        raise CliError(f"--seat-code：'{seat_code}' 应为 3 位数字，如 012")
    default = _platform_dir("data") / "seat.db"
    if s.db_path == default:  # the platform's own data folder may be made; a typed path's folder not
        default.parent.mkdir(parents=True, exist_ok=True)
    key = key_for_init(s.db_path, encrypt, key_file)  # None: plain, as before (nobody opted in)
    store = open_store(s, must_exist=False, key=key, key_file=key_file)
    with store.transaction() as db:
        current = meta.get(db, "seat_code")
        if seat_code and current and current != seat_code:
            raise CliError(f"--seat-code：此数据库已属于坐席 {current}，受理编号不能改变；其他坐席请用新的 --db")
        if seat_code or not current:
            meta.put(db, "seat_code", seat_code or "001")
    from ..kb.index import connect, ensure_schema  # the search index's libraries: only when a database is made

    kb = connect(s.db_path)  # the knowledge base shares the file; an upgrade rebuilds its index here
    try:
        ensure_schema(kb)
    finally:
        kb.close()
    typer.echo(f"坐席数据库已就绪：{s.db_path}" + (f"（已加密，密钥在{store.key.source}）" if store.key else ""))
    if demo:
        # Demo data (~0.3 s of imports) and the sample knowledge base only when asked for.
        from ..demo import seed

        made = seed(store, rules(), now())
        typer.echo(f"演示办理单：新增 {made} 张" if made else "演示办理单：已存在")
        from ..kb.sample import load_sample_kb

        typer.echo(f"示例知识库：{load_sample_kb(s.db_path)} 条")


@db_app.command("export-outbox")
def export_outbox(
    ctx: typer.Context,
    to: Path = typer.Option(..., "--to", help="A new file (mode 0600; never overwrites)."),
) -> None:
    """Write the events not yet synced to a file, to carry them to another machine (issue 16)."""
    store = open_store(settings(ctx))
    if not to.parent.is_dir():
        raise CliError(f"--to：目录 {to.parent} 不存在")
    try:
        with store.connect() as db:
            count = export(db, to, now())
    except OutboxFileError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"--to：无法写入 {to}：{exc.strerror or exc}") from None
    typer.echo(f"已导出待同步事件 {count} 个：{to}（含来电人信息，请妥善保管，导入后删除）")


@db_app.command("import-outbox")
def import_outbox(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="A file from `hotline db export-outbox`."),
) -> None:
    """Add another machine's unsynced events to this seat's outbox (ids kept: importing twice, or
    the other machine syncing too, changes nothing on the server). Then run `hotline sync`."""
    store = open_store(settings(ctx), write=True)
    try:
        with store.transaction() as db:
            done = import_file(db, file, now())
    except OutboxFileError as exc:
        raise CliError(str(exc)) from None
    typer.echo(
        f"已导入坐席 {done.seat} 的待同步事件 {done.added} 个（已有 {done.known} 个未重复导入）；请运行 hotline sync"
    )
