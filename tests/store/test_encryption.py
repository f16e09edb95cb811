"""Encryption at rest on the seat (issue 16): the seat database as SQLCipher, its key sources, and
converting a plain database (R33.2: data at rest on a seat is encrypted; R33.1: callers' data)."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import types
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from operator_tui.desk import Desk
from operator_tui.store import drafts, keys, outbox, tickets
from operator_tui.store.db import Store, StoreError, sql_errors
from operator_tui.store.encryption import ConversionError, convert

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MAGIC = b"SQLite format 3\x00"
KEY = "ab" * 32
OTHER = "cd" * 32


@pytest.fixture(autouse=True)
def no_key_anywhere(monkeypatch):
    """No key from the machine running the tests, and none remembered from another test."""
    for var in (keys.ENV_KEY, keys.ENV_KEY_FILE):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)  # `import keyring` fails: no keyring here
    keys._known.clear()
    yield
    keys._known.clear()


@pytest.fixture
def keyed(tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv(keys.ENV_KEY, KEY)
    return Store.open(tmp_path / "seat.db")


def head(path: Path) -> bytes:
    return path.read_bytes()[:16]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def forget_keys(monkeypatch) -> None:
    """As a new process: no key in the environment, none remembered."""
    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.delenv(keys.ENV_KEY_FILE, raising=False)
    keys._known.clear()


def rows(store: Store) -> dict[str, int]:
    with store.connect() as db:
        return {t: db.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("tickets", "events", "outbox")}


# --- the file ---------------------------------------------------------------------------------


@pytest.mark.rule("R33.2")
def test_an_encrypted_seat_database_is_not_a_readable_sqlite_file(keyed, rules, form):
    ticket = Desk(keyed, rules, "op-1").register(form(name="王秀英", phone="13912345678"), T0)
    assert keyed.encrypted and ticket.number
    for suffix in ("", "-wal"):
        side = Path(str(keyed.path) + suffix)
        if side.exists():
            data = side.read_bytes()
            assert "王秀英".encode() not in data and b"13912345678" not in data, suffix
    assert head(keyed.path) != MAGIC


@pytest.mark.rule("R33.1")
def test_the_encrypted_file_and_its_side_files_are_owner_only(keyed, rules, form):
    Desk(keyed, rules, "op-1").register(form(), T0)
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(keyed.path) + suffix)
        if side.exists():
            assert mode(side) == 0o600, suffix


# --- the seat's whole flow on a keyed store ----------------------------------------------------


@pytest.mark.rule("R33.2")
def test_register_read_back_outbox_and_drafts_work_on_a_keyed_store(keyed, rules, form):
    desk = Desk(keyed, rules, "op-1")
    with keyed.read() as conn:  # the draft writer's DB-API connection (SQLCipher's, here)
        drafts.save(conn, {"description": "楼道里一直漏水"}, T0)
        assert drafts.load(conn) == {"description": "楼道里一直漏水"}
    ticket = desk.register(form(phone="13912345678"), T0)
    with keyed.connect() as db:
        assert tickets.by_number(db, ticket.number).id == ticket.id
        assert [e.kind for e in tickets.events(db, ticket.id)] == ["register"]
        assert [r.op_id for r in outbox.pending(db, 10)] == [e.id for e in tickets.events(db, ticket.id)]
        assert [t.number for t in tickets.caller_history(db, "13912345678")] == [ticket.number]
        assert drafts.load(db) is None  # the save cleared the draft, in the same transaction


@pytest.mark.rule("R33.2")
def test_sqlite_utils_works_on_the_keyed_connection(keyed):
    import sqlite_utils

    with keyed.transaction() as db:
        assert isinstance(db, sqlite_utils.Database)
        db["scratch"].insert_all([{"id": 1, "text": "供暖不热"}, {"id": 2, "text": "噪音"}], pk="id")
        db["scratch"].upsert({"id": 2, "text": "夜间施工噪音"}, pk="id")
    with keyed.connect() as db:
        assert "scratch" in db.table_names()
        assert [r["text"] for r in db.query("SELECT text FROM scratch ORDER BY id")] == ["供暖不热", "夜间施工噪音"]
        assert db["scratch"].count == 2


@pytest.mark.rule("R33.2")
def test_the_knowledge_base_shares_the_keyed_file(keyed):
    from operator_tui.kb.sample import load_sample_kb
    from operator_tui.kb.search import make_searcher

    assert load_sample_kb(keyed.path) > 0  # by path: the key the Store found is used
    assert make_searcher(keyed.path, today=None)("供暖 不热")


def test_either_drivers_errors_are_caught_by_sql_errors(keyed):
    with keyed.read() as conn:
        conn.execute("CREATE TABLE u (x UNIQUE)")
        conn.execute("INSERT INTO u VALUES (1)")
        with pytest.raises(sql_errors("IntegrityError")):
            conn.execute("INSERT INTO u VALUES (1)")


# --- a wrong, missing or badly kept key: a clear message, nothing lost -------------------------


@pytest.mark.rule("R33.2")
def test_a_wrong_key_says_so_and_changes_nothing(keyed, rules, form, monkeypatch):
    Desk(keyed, rules, "op-1").register(form(), T0)
    before = digest(keyed.path)
    forget_keys(monkeypatch)
    monkeypatch.setenv(keys.ENV_KEY, OTHER)
    with pytest.raises(StoreError) as err:
        Store.open(keyed.path)
    assert "密钥不正确" in err.value.reason and "HOTLINE_DB_KEY" in err.value.reason
    assert digest(keyed.path) == before
    monkeypatch.setenv(keys.ENV_KEY, KEY)
    assert rows(Store.open(keyed.path))["tickets"] == 1


@pytest.mark.rule("R33.2")
def test_a_missing_key_names_the_three_sources_and_makes_no_new_database(keyed, rules, form, monkeypatch):
    Desk(keyed, rules, "op-1").register(form(), T0)
    before = digest(keyed.path)
    forget_keys(monkeypatch)
    with pytest.raises(StoreError) as err:
        Store.open(keyed.path)
    reason = err.value.reason
    assert "已加密" in reason
    for source in ("HOTLINE_DB_KEY", "HOTLINE_DB_KEY_FILE", "--key-file", "钥匙串"):
        assert source in reason
    assert digest(keyed.path) == before


@pytest.mark.rule("R33.2")
def test_a_key_file_others_can_read_is_refused_with_chmod_600(keyed, tmp_path, monkeypatch):
    key_file = tmp_path / "seat.key"
    key_file.write_text(KEY + "\n")
    os.chmod(key_file, 0o644)
    before = digest(keyed.path)
    forget_keys(monkeypatch)
    with pytest.raises(StoreError) as err:
        Store.open(keyed.path, key_file=key_file)
    assert f"chmod 600 {key_file}" in err.value.reason
    os.chmod(key_file, 0o600)
    assert Store.open(keyed.path, key_file=key_file).encrypted
    assert digest(keyed.path) == before


@pytest.mark.rule("R33.2")
def test_a_plain_database_with_a_key_set_is_refused_not_opened_plain(store, monkeypatch):
    monkeypatch.setenv(keys.ENV_KEY, KEY)
    with pytest.raises(StoreError) as err:
        Store.open(store.path)
    assert "未加密" in err.value.reason and "hotline db encrypt" in err.value.reason
    assert head(store.path) == MAGIC


@pytest.mark.rule("R33.2")
def test_no_key_configured_leaves_a_new_database_plain(tmp_path):
    store = Store.open(tmp_path / "seat.db")
    assert not store.encrypted and head(store.path) == MAGIC


def test_the_keyring_is_a_key_source_by_database_path(keyed, monkeypatch):
    saved = {("hotline", str(keyed.path.resolve())): KEY}
    fake = types.SimpleNamespace(
        get_password=lambda service, user: saved.get((service, user)),
        set_password=lambda service, user, value: saved.__setitem__((service, user), value),
    )
    forget_keys(monkeypatch)
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert Store.open(keyed.path).key.kind == "keyring"


def test_a_keyring_without_a_backend_is_said_in_chinese(keyed, monkeypatch):
    def no_backend(*_):
        raise RuntimeError("No recommended backend was available")

    forget_keys(monkeypatch)
    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=no_backend, set_password=no_backend))
    with pytest.raises(StoreError) as err:
        Store.open(keyed.path)
    assert "系统钥匙串不可用" in err.value.reason and "没有可用的钥匙串后端" in err.value.reason


# --- encrypt and rekey ------------------------------------------------------------------------


def plain_with_tickets(store: Store, rules, form, n: int = 3) -> dict[str, int]:
    desk = Desk(store, rules, "op-1")
    for i in range(n):
        desk.register(form(phone=f"1391234567{i}"), T0)
    return rows(store)


@pytest.mark.rule("R33.2")
def test_encrypting_a_plain_database_keeps_every_ticket_and_outbox_row(store, rules, form, tmp_path, monkeypatch):
    before = plain_with_tickets(store, rules, form)
    with store.connect() as db:
        ids = sorted(r["id"] for r in db.query("SELECT id FROM tickets"))
        pending = [r.op_id for r in outbox.pending(db, 100)]
    done = convert(store.path, None, keys.Key(KEY, "test"))
    assert done.rows["tickets"] == before["tickets"] == 3 and done.backup is None
    assert head(store.path) != MAGIC and mode(store.path) == 0o600
    assert not Path(str(store.path) + ".plain-backup").exists()
    assert not list(tmp_path.glob("*.converting*"))
    forget_keys(monkeypatch)
    monkeypatch.setenv(keys.ENV_KEY, KEY)
    reopened = Store.open(store.path)
    assert rows(reopened) == before
    with reopened.connect() as db:
        assert sorted(r["id"] for r in db.query("SELECT id FROM tickets")) == ids
        assert [r.op_id for r in outbox.pending(db, 100)] == pending


@pytest.mark.rule("R33.2")
def test_a_plain_backup_is_kept_only_when_asked(store, rules, form):
    plain_with_tickets(store, rules, form, 1)
    done = convert(store.path, None, keys.Key(KEY, "test"), keep_plain=True)
    assert done.backup is not None and head(done.backup) == MAGIC and mode(done.backup) == 0o600
    assert head(store.path) != MAGIC


@pytest.mark.rule("R33.2")
def test_encrypt_refuses_while_a_seat_holds_the_database(store, rules, form):
    plain_with_tickets(store, rules, form, 1)
    seat = Store.open(store.path, hold=True)
    before = digest(store.path)
    with pytest.raises(ConversionError, match="坐席正在使用"):
        convert(store.path, None, keys.Key(KEY, "test"))
    assert digest(store.path) == before
    seat.release()
    convert(store.path, None, keys.Key(KEY, "test"))
    assert head(store.path) != MAGIC


@pytest.mark.rule("R33.2")
def test_a_key_that_cannot_be_kept_leaves_the_plain_database_as_it_was(store, rules, form, tmp_path):
    plain_with_tickets(store, rules, form, 2)
    before = digest(store.path)

    def cannot_keep():
        raise keys.KeyProblem("无法把密钥存入系统钥匙串")

    with pytest.raises(ConversionError, match="钥匙串"):
        convert(store.path, None, keys.Key(KEY, "test"), cannot_keep)
    assert digest(store.path) == before and head(store.path) == MAGIC
    assert not list(tmp_path.glob("*.converting*"))


@pytest.mark.rule("R33.2")
def test_rekey_makes_the_old_key_useless_and_keeps_the_data(keyed, rules, form, monkeypatch):
    Desk(keyed, rules, "op-1").register(form(), T0)
    before = rows(keyed)
    convert(keyed.path, keys.Key(KEY, "old"), keys.Key(OTHER, "new"))
    forget_keys(monkeypatch)
    monkeypatch.setenv(keys.ENV_KEY, KEY)
    with pytest.raises(StoreError, match="密钥不正确"):
        Store.open(keyed.path)
    monkeypatch.setenv(keys.ENV_KEY, OTHER)
    assert rows(Store.open(keyed.path)) == before
