"""Backups of the SQLite server database (R30.1, issue 16): taken while the server writes, verified
against their manifest, restored into a new database with a new epoch."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from server_stub import backup as b
from server_stub.storage import Storage

# Backups here are of SQLite's files; PostgreSQL has pg_dump (README).
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def sqlite_api(api):
    assert api.storage.engine == "sqlite"
    return api


def _events(db: Path) -> int:
    storage = Storage.open(db)
    try:
        with storage.read() as tx:
            return tx.event_count()
    finally:
        storage.close()


@pytest.mark.rule("R30.1")
def test_a_backup_taken_while_the_server_writes_is_consistent_and_restores_with_a_new_epoch(sqlite_api, tmp_path):
    api = sqlite_api
    for _ in range(3):
        api.ticket()
    stop = threading.Event()
    errors: list[str] = []

    def writer() -> None:  # pushes keep committing while the backup copies
        while not stop.is_set():
            try:
                api.ticket()
            except AssertionError as exc:
                errors.append(str(exc))

    t = threading.Thread(target=writer)
    t.start()
    try:
        made = [b.take(api.storage.path, tmp_path / "backups", api.clock.advance(seconds=1)) for _ in range(3)]
    finally:
        stop.set()
        t.join()
    assert not errors
    for folder in made:
        manifest = b.verify(folder)
        assert manifest.event_count >= 9 and manifest.event_count % 3 == 0  # whole pushes only
        assert (folder / b.MAIN).stat().st_mode & 0o777 == 0o600
    latest = b.Manifest.read(made[-1])
    with api.storage.read() as tx:
        assert tx.event_count() >= latest.event_count
        old_epoch, _ = tx.feed_head()
    assert latest.epoch == old_epoch and latest.files[b.MAIN]["sha256"] == b.sha256(made[-1] / b.MAIN)

    target = tmp_path / "restored.db"
    manifest, epoch = b.restore(made[-1], target)
    assert epoch != old_epoch
    assert _events(target) == manifest.event_count
    restored = Storage.open(target)
    try:
        with restored.read() as tx:
            assert tx.feed_head() == (epoch, manifest.seq_head)  # opening keeps the restore's epoch
    finally:
        restored.close()


@pytest.mark.rule("R30.1")
def test_verify_finds_a_damaged_file_and_a_manifest_that_does_not_match(sqlite_api, tmp_path):
    api = sqlite_api
    api.ticket()
    good = b.take(api.storage.path, tmp_path / "a", api.clock.now())
    assert b.verify(good).event_count == 3
    assert b.verify(good / b.MANIFEST).event_count == 3  # the manifest file names the backup too

    damaged = b.take(api.storage.path, tmp_path / "b", api.clock.now())
    with open(damaged / b.MAIN, "r+b") as f:
        f.seek(os.path.getsize(damaged / b.MAIN) // 2)
        f.write(b"\xff" * 64)
    with pytest.raises(b.BackupError, match="校验和"):
        b.verify(damaged)

    lying = b.take(api.storage.path, tmp_path / "c", api.clock.now())
    data = json.loads((lying / b.MANIFEST).read_text())
    data["event_count"] += 1
    (lying / b.MANIFEST).write_text(json.dumps(data))
    with pytest.raises(b.BackupError, match="事件数"):
        b.verify(lying)

    with pytest.raises(b.BackupError, match="manifest.json"):
        b.verify(tmp_path)


@pytest.mark.rule("R30.1")
def test_restore_never_writes_over_an_existing_database(sqlite_api, tmp_path):
    api = sqlite_api
    api.ticket()
    made = b.take(api.storage.path, tmp_path / "bk", api.clock.now())
    existing = tmp_path / "live.db"
    existing.write_bytes(b"precious")
    with pytest.raises(b.BackupError, match="已存在"):
        b.restore(made, existing)
    assert existing.read_bytes() == b"precious"
    assert not (tmp_path / "live.audit.db").exists()


@pytest.mark.rule("R30.1")
def test_retention_keeps_the_newest_backups(sqlite_api, tmp_path):
    api = sqlite_api
    into = tmp_path / "bk"
    schedule = b.Schedule(every_seconds=60, keep=2, into=into)
    made = [schedule.run_once(api.storage.path, api.clock.advance(minutes=1)) for _ in range(4)]
    assert b.backups(into) == made[-2:]


@pytest.mark.rule("R30.1")
def test_cli_backup_verify_restore_and_one_line_failures(cli, sqlite_api, tmp_path):
    api = sqlite_api
    api.ticket()
    db = str(api.storage.path)
    taken = cli("server", "backup", "--db", db, "--to", str(tmp_path / "bk"))
    assert taken.code == 0, taken.err
    (folder,) = b.backups(tmp_path / "bk")
    assert cli("server", "verify", str(folder)).code == 0
    restored = cli("server", "restore", str(folder), "--to", str(tmp_path / "new.db"))
    assert restored.code == 0, restored.err
    for args in (
        ("verify", str(tmp_path)),
        ("restore", str(folder), "--to", str(tmp_path / "new.db")),
        ("backup", "--db", str(tmp_path / "nope.db"), "--to", str(tmp_path / "bk")),
        ("backup", "--db", "postgresql://h@127.0.0.1:1/x", "--to", str(tmp_path / "bk")),
    ):
        r = cli("server", *args)
        assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err, (args, r.err)


@pytest.mark.rule("R30.1")
def test_the_scheduled_backup_runs_inside_the_server(sqlite_api, tmp_path, rules):
    """The loop of `--backup-every`: the app's lifespan takes backups on its own."""
    import time

    from fastapi.testclient import TestClient

    from server_stub.app import create_app
    from server_stub.settings import ServerSettings

    api = sqlite_api
    api.ticket()
    into = tmp_path / "auto"
    app = create_app(
        ServerSettings(db_path=api.storage.path, sweep_every_seconds=0),
        rules,
        backup=b.Schedule(every_seconds=0.05, keep=2, into=into),
    )
    with TestClient(app):
        for _ in range(200):  # waits for an outcome, not a time limit: stops as soon as two exist
            if len(b.backups(into)) >= 2:
                break
            time.sleep(0.05)
    assert 1 <= len(b.backups(into)) <= 2 and all(b.verify(f).event_count == 3 for f in b.backups(into))
