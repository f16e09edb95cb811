"""Encryption at rest from the command line (issue 16, R33.2): `hotline db init --encrypt`,
`hotline db encrypt`, `hotline db rekey`, `hotline seat --key-file`; every refusal is one Chinese
line with exit code 2, and nothing is lost."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys

import pytest

from operator_tui.store import keys

MAGIC = b"SQLite format 3\x00"
KEY = "ab" * 32
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def no_key_anywhere(monkeypatch):
    for var in (keys.ENV_KEY, keys.ENV_KEY_FILE):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)
    keys._known.clear()
    yield
    keys._known.clear()


def one_chinese_line(result) -> str:
    assert result.code == 2, (result.code, result.out, result.err)
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result.err
    assert CHINESE.search(result.err_lines[0])
    return result.err_lines[0]


def head(path) -> bytes:
    return path.read_bytes()[:16]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def as_new_process() -> None:
    keys._known.clear()


@pytest.mark.rule("R33.2")
def test_db_init_encrypt_makes_an_encrypted_database_and_a_private_key_file(cli, tmp_path, monkeypatch):
    key_file = tmp_path / "seat.key"
    result = cli("db", "init", "--demo", "--encrypt", "--key-file", key_file)
    assert result.code == 0, result.err
    assert "已加密" in result.out and KEY not in result.out
    assert head(cli.db_path) != MAGIC
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cli.db_path).st_mode) == 0o600
    as_new_process()
    line = one_chinese_line(cli("ticket", "list", "--local"))
    assert "已加密" in line and "HOTLINE_DB_KEY" in line and "钥匙串" in line
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(key_file))
    listed = cli("ticket", "list", "--local", "--json")
    assert listed.code == 0, listed.err
    assert len(listed.json()) > 0
    assert cli("kb", "search", "供暖").code == 0


@pytest.mark.rule("R33.2")
def test_the_demo_stays_plain_when_nobody_opted_in(cli):
    assert cli("db", "init", "--demo").code == 0
    assert head(cli.db_path) == MAGIC


@pytest.mark.rule("R33.2")
def test_db_encrypt_keeps_every_ticket_and_the_plain_file_is_gone(cli, tmp_path, monkeypatch):
    assert cli("db", "init", "--demo").code == 0
    before = cli("ticket", "list", "--local", "--json").json()
    key_file = tmp_path / "seat.key"
    result = cli("db", "encrypt", "--key-file", key_file)
    assert result.code == 0, result.err
    assert "行数逐表核对一致" in result.out
    assert head(cli.db_path) != MAGIC
    assert not (tmp_path / "seat.db.plain-backup").exists()
    as_new_process()
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(key_file))
    assert cli("ticket", "list", "--local", "--json").json() == before
    again = one_chinese_line(cli("db", "encrypt"))
    assert "已加密" in again and "rekey" in again


@pytest.mark.rule("R33.2")
def test_a_wrong_key_and_a_0644_key_file_are_one_line_each_and_lose_nothing(cli, tmp_path, monkeypatch):
    key_file = tmp_path / "seat.key"
    assert cli("db", "init", "--demo", "--key-file", key_file).code == 0
    before = digest(cli.db_path)
    as_new_process()
    monkeypatch.setenv(keys.ENV_KEY, "cd" * 32)
    assert "密钥不正确" in one_chinese_line(cli("ticket", "list", "--local"))
    monkeypatch.delenv(keys.ENV_KEY)
    os.chmod(key_file, 0o644)
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(key_file))
    assert f"chmod 600 {key_file}" in one_chinese_line(cli("ticket", "list", "--local"))
    assert digest(cli.db_path) == before


@pytest.mark.rule("R33.2")
def test_rekey_moves_the_database_to_a_new_key_in_the_same_key_file(cli, tmp_path, monkeypatch):
    key_file = tmp_path / "seat.key"
    assert cli("db", "init", "--demo", "--key-file", key_file).code == 0
    old_key = key_file.read_text().strip()
    monkeypatch.setenv(keys.ENV_KEY_FILE, str(key_file))
    before = cli("ticket", "list", "--local", "--json").json()
    result = cli("db", "rekey")
    assert result.code == 0, result.err
    assert key_file.read_text().strip() != old_key
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    as_new_process()
    assert cli("ticket", "list", "--local", "--json").json() == before
    monkeypatch.delenv(keys.ENV_KEY_FILE)
    monkeypatch.setenv(keys.ENV_KEY, old_key)
    assert "密钥不正确" in one_chinese_line(cli("ticket", "list", "--local"))


@pytest.mark.rule("R33.2")
def test_a_seat_starts_on_an_encrypted_database_with_key_file_and_not_without(cli, tmp_path):
    from operator_tui.seat_start import SeatStartError, build_context
    from operator_tui.settings import Settings

    key_file = tmp_path / "seat.key"
    assert cli("db", "init", "--demo", "--key-file", key_file).code == 0
    as_new_process()
    settings = Settings.resolve(db=cli.db_path)
    with pytest.raises(SeatStartError, match="已加密"):
        build_context(settings, offline=True)
    context = build_context(settings, offline=True, key_file=str(key_file))
    assert context.store.encrypted
    encrypt = one_chinese_line(cli("db", "rekey", "--key-file", key_file))  # the running seat holds the lock
    assert "坐席正在使用" in encrypt
    context.store.release()
