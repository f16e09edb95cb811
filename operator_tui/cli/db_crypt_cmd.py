"""`hotline db encrypt` and `hotline db rekey`: encryption at rest on the seat (issue 16, R33.2).
The work is done in operator_tui/store/encryption.py; this module takes the options, finds the keys
and says what happened. Keys are never printed."""

from __future__ import annotations

from pathlib import Path

import typer

from ..settings import environment
from ..settings_table import ENV
from ..store import keys
from ..store.encryption import ConversionError, convert, key_for_new
from .base import CliError, settings
from .common import require_database

KEY_FILE_HELP = (
    "The database key's file (mode 0600). Default: HOTLINE_DB_KEY, then HOTLINE_DB_KEY_FILE, then the OS keyring."
)


def key_for_init(db_path: Path, encrypt: bool, key_file: Path | None):
    """The key `hotline db init` creates a database with (kept before the file is made), or None to
    let the usual sources decide (a plain new database, or an existing encrypted one)."""
    if not (encrypt or key_file or environment("db_key")):
        return None
    state = keys.file_state(db_path)
    if state == "plain":
        raise CliError(f"--encrypt：数据库 {db_path} 已存在且未加密；请用 `hotline db encrypt` 加密它")
    if state == "encrypted":
        return None
    try:
        key, keep = key_for_new(db_path, key_file)
        if keep is not None:
            keep()
    except keys.KeyProblem as exc:
        raise CliError(f"--encrypt：{exc}") from None
    return key


def _summary(done) -> str:
    rows = done.rows
    return (
        f"表 {done.tables} 张，办理单 {rows.get('tickets', 0)} 张，事件 {rows.get('events', 0)} 个，"
        f"待同步 {rows.get('outbox', 0)} 个，行数逐表核对一致"
    )


def register(db_app: typer.Typer) -> None:
    @db_app.command("encrypt")
    def encrypt(
        ctx: typer.Context,
        key_file: Path | None = typer.Option(
            None,
            "--key-file",
            envvar=ENV["key_file"],
            help="Use the key in this 0600 file, or, if it does not exist, "
            "create it with a new random key. Without it: HOTLINE_DB_KEY, else a new "
            "key kept in the OS keyring.",
        ),
        keep_plain_backup: bool = typer.Option(
            False,
            "--keep-plain-backup",
            help="Keep the plain database as DB.plain-backup (default: overwritten with zeros and removed).",
        ),
    ) -> None:
        """Encrypt a plain seat database: a verified encrypted copy replaces it. Close the seat first."""
        s = settings(ctx)
        key_file = key_file or s.key_path  # config.toml's key_file when neither option nor environment
        require_database(s.db_path, "--db", write=True)
        if keys.file_state(s.db_path) != "plain":
            raise CliError(f"--db：数据库 {s.db_path} 已加密；更换密钥请用 `hotline db rekey`")
        try:
            key, keep = key_for_new(s.db_path, key_file)
            done = convert(s.db_path, None, key, keep, keep_plain=keep_plain_backup)
        except (keys.KeyProblem, ConversionError) as exc:
            raise CliError(f"hotline db encrypt：{exc}") from None
        typer.echo(f"已加密：{s.db_path}（{_summary(done)}；密钥在{key.source}）")
        if done.backup:
            typer.echo(f"未加密的原数据库保留在 {done.backup}：其中有来电人信息，核对后请删除")

    @db_app.command("rekey")
    def rekey(
        ctx: typer.Context,
        key_file: Path | None = typer.Option(None, "--key-file", envvar=ENV["key_file"], help=KEY_FILE_HELP),
        new_key_file: Path | None = typer.Option(
            None,
            "--new-key-file",
            help="Keep the new key in this new 0600 file. Default: where the "
            "old key was (its key file, or the OS keyring).",
        ),
    ) -> None:
        """Give an encrypted seat database a new random key (e.g. after a key may have leaked)."""
        s = settings(ctx)
        key_file = key_file or s.key_path  # config.toml's key_file when neither option nor environment
        require_database(s.db_path, "--db", write=True)
        if keys.file_state(s.db_path) != "encrypted":
            raise CliError(f"--db：数据库 {s.db_path} 未加密；请先用 `hotline db encrypt` 加密")
        try:
            old = keys.resolve(s.db_path, key_file)
        except keys.KeyProblem as exc:
            raise CliError(f"--db：无法打开数据库 {s.db_path}（{exc}）") from None
        if old is None:  # resolve raises rather than return None for an encrypted file
            raise CliError(f"--db：数据库 {s.db_path} 已加密，需要密钥")
        fresh = keys.new_key()
        if new_key_file is not None:
            if new_key_file.exists():
                raise CliError(f"--new-key-file：{new_key_file} 已存在，不会覆盖")
            new = keys.Key(fresh, f"密钥文件 {new_key_file}", "file", new_key_file)
            keep = lambda: keys.write_key_file(new_key_file, fresh)  # noqa: E731
        elif old.kind == "file" and old.file is not None:
            old_file = old.file
            new = keys.Key(fresh, old.source, "file", old_file)
            keep = lambda: keys.replace_key_file(old_file, fresh)  # noqa: E731
        elif old.kind == "keyring":
            new = keys.Key(fresh, "系统钥匙串", "keyring")
            keep = lambda: keys.keyring_put(s.db_path, fresh)  # noqa: E731
        else:
            raise CliError(
                "--new-key-file：旧密钥来自环境变量 HOTLINE_DB_KEY，新密钥需要保存的位置；"
                "请用 --new-key-file 指定新的密钥文件，完成后改用它"
            )
        try:
            done = convert(s.db_path, old, new, keep)
        except ConversionError as exc:
            raise CliError(f"hotline db rekey：{exc}") from None
        typer.echo(f"已更换密钥：{s.db_path}（{_summary(done)}；新密钥在{new.source}）")
        if old.kind == "env":
            typer.echo("旧密钥已失效：请取消环境变量 HOTLINE_DB_KEY，改用新的密钥文件")
