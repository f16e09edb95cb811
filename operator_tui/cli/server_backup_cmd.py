"""`hotline server backup|verify|restore` (R30.1): the server database's backups.

    hotline server backup --db server.db --to /srv/backups          → /srv/backups/server-20261130T080000123456Z
    hotline server verify /srv/backups/server-20261130T080000123456Z
    hotline server restore /srv/backups/server-20261130T080000123456Z --to /srv/hotline/server-restored.db

SQLite only (server_stub/backup.py); for PostgreSQL use pg_dump -Fc / pg_restore (README).
Any failure is one line on stderr and exit code 2.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from ..domain.errors import BrokenInvariant
from ..settings_table import ENV
from .base import CliError
from .server_cmd import _target, server_app

_PG = (
    "服务端使用 PostgreSQL：请用 `pg_dump -Fc` 备份、`pg_restore` 恢复（见 README“备份与恢复”）；"
    "hotline server backup 只处理 SQLite 数据库"
)


def _sqlite_db(ctx: typer.Context, db: str | None) -> Path:
    # server_stub only when a command runs: see the note above server_cmd.DB_OPTION
    from server_stub.storage import is_postgres

    parent = ctx.parent
    while db is None and parent is not None:  # `hotline server --db X backup …` too
        db = parent.params.get("db")
        parent = parent.parent
    path = _target(db, ctx)  # else config.toml's server_db
    if is_postgres(path):
        raise CliError(_PG)
    if not isinstance(path, Path):  # _target gives a Path for anything but a postgresql:// URL
        raise BrokenInvariant(f"--db: expected a file path, got {type(path).__name__}")
    if not path.is_file():
        raise CliError(f"--db：没有服务端数据库 {path}")
    return path


def schedule(every: float, keep: int, into: Path | None, db: Path | str):
    """The `--backup-every/--keep/--backup-dir` options of `hotline server`, checked; None if off."""
    # server_stub only when a command runs: see the note above server_cmd.DB_OPTION
    from server_stub.backup import Schedule
    from server_stub.storage import is_postgres

    if every <= 0:
        return None
    if into is None:
        raise CliError("--backup-every 需要 --backup-dir 目录（备份放在哪里）")
    if is_postgres(db):
        raise CliError("--backup-every：" + _PG)
    if keep < 1:
        raise CliError("--keep 至少为 1（保留最近几份备份）")
    try:
        into.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CliError(f"--backup-dir：无法使用目录 {into}：{exc.strerror}") from None
    return Schedule(every, keep, into)


@server_app.command("backup")
def backup(
    ctx: typer.Context,
    to: Path = typer.Option(..., "--to", help="Folder to put the backup in (a new sub-folder each time)."),
    db: str = typer.Option(None, "--db", envvar=ENV["server_db"], help="The SQLite server database."),
    keep: int = typer.Option(0, "--keep", min=0, help="Then keep only the newest N backups in --to (0: keep all)."),
) -> None:
    """Take a consistent backup while the server runs, with a manifest (time, events, sha256)."""
    # server_stub only when a command runs: see the note above server_cmd.DB_OPTION
    from server_stub import backup as b

    path = _sqlite_db(ctx, db)
    try:
        made = b.take(path, to, datetime.now(UTC))
        if keep:
            b.prune(to, keep)
    except b.BackupError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"--to：无法写入备份 {to}：{exc.strerror or exc}") from None
    m = b.Manifest.read(made)
    typer.echo(f"备份完成 / backup taken: {made}  事件 {m.event_count}  序号 {m.seq_head}")


@server_app.command("verify")
def verify(
    backup_dir: Path = typer.Argument(..., metavar="BACKUP", help="A backup folder (or its manifest.json)."),
) -> None:
    """Check a backup: sha256 of each file, SQLite integrity check, event count against the manifest."""
    # server_stub only when a command runs: see the note above server_cmd.DB_OPTION
    from server_stub import backup as b

    try:
        m = b.verify(backup_dir)
    except b.BackupError as exc:
        raise CliError(str(exc)) from None
    typer.echo(f"备份完好 / backup OK: {backup_dir}  {m.created_at}  事件 {m.event_count}  序号 {m.seq_head}")


@server_app.command("restore")
def restore(
    backup_dir: Path = typer.Argument(..., metavar="BACKUP", help="A backup folder (or its manifest.json)."),
    to: Path = typer.Option(..., "--to", help="The NEW database file to create (never an existing one)."),
) -> None:
    """Restore a verified backup into a new database with a new epoch; start the server on it and
    the seats resync (and push back what the backup lacks)."""
    # server_stub only when a command runs: see the note above server_cmd.DB_OPTION
    from server_stub import backup as b

    try:
        m, epoch = b.restore(backup_dir, to)
    except b.BackupError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"--to：无法写入 {to}：{exc.strerror or exc}") from None
    typer.echo(
        f"已恢复 / restored: {to}  事件 {m.event_count}（备份于 {m.created_at}），新纪元 {epoch}；"
        f"用 `hotline server --db {to}` 启动，坐席会自动重新同步"
    )
