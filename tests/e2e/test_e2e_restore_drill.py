"""The restore drill (R30.1, issue 16), with real processes: two seats take writes, a backup is
taken (`hotline server backup`) while one of them pushes, more writes are acknowledged, the
server dies and its database is lost; `hotline server verify` and `hotline server restore` bring
the backup back as a new database, a server starts on it, the seats resync (410 on the new epoch)
and push back what the backup lacked: in the end every event is on the server exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from operator_tui.store import meta, outbox
from operator_tui.store.db import Store
from server_stub.backup import backups

ROOT = Path(__file__).resolve().parents[2]
MAIN = "import sys; from operator_tui.cli import main; main(sys.argv[1:])"

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only, pytest.mark.rule("R30.1"), pytest.mark.rule("R16.1")]


def hotline(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")} | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", MAIN, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _seat(like, tmp_path, code: str):
    """Another `Seat` (tests/e2e/conftest.py) numbering as seat `code`."""
    store = Store.open(tmp_path / f"seat{code}.db")
    with store.transaction() as db:
        meta.put(db, "seat_code", code)
    return type(like)(store, like.rules, like.form, tmp_path)


def _local_ids(seat) -> list[str]:
    with seat.store.connect() as db:
        assert outbox.depth(db) == 0
        assert outbox.conflicts(db, include_resolved=True) == []
        return [r[0] for r in db.conn.execute("SELECT id FROM events")]


def test_restore_drill(centre, seat, server_process, tmp_path):
    a, b = _seat(seat, tmp_path, "001"), _seat(seat, tmp_path, "002")
    ta, tb = centre.tokens["001"], centre.tokens["002"]
    a.record(50)
    b.record(50)
    a.sync_until_done(centre.url, ta)
    b.sync_until_done(centre.url, tb)

    # The backup is taken while seat 001 pushes 300 more tickets.
    a.record(300)
    push = a.sync_cli(centre.url, ta, "--batch", "20")
    taken = hotline("server", "backup", "--db", str(centre.db), "--to", str(tmp_path / "backups"))
    assert taken.returncode == 0, taken.stderr
    push.communicate(timeout=300)
    a.sync_until_done(centre.url, ta)
    (folder,) = backups(tmp_path / "backups")

    # More writes, acknowledged by the server, after the backup.
    b.record(40)
    b.sync_until_done(centre.url, tb)
    a.record(10)
    a.sync_until_done(centre.url, ta)
    before = centre.event_count()
    assert before == 4 * (50 + 50 + 300 + 40 + 10)

    # The disk is lost.
    centre.kill()
    for f in centre.db.parent.glob(centre.db.name + "*"):
        f.unlink()
    centre.db.with_suffix(".audit.db").unlink(missing_ok=True)

    verified = hotline("server", "verify", str(folder))
    assert verified.returncode == 0, verified.stderr
    new_db = tmp_path / "restored.db"
    restored = hotline("server", "restore", str(folder), "--to", str(new_db))
    assert restored.returncode == 0, restored.stderr
    server = server_process(new_db, centre.tokens)
    # (the fixture stops it after the test)
    lacking = before - server.event_count()
    assert lacking >= 4 * 50, "the backup should lack at least the writes taken after it"
    a.sync_until_done(server.url, ta)
    b.sync_until_done(server.url, tb)
    local = _local_ids(a) + _local_ids(b)
    remote = [r[0] for r in server.query("SELECT id FROM events")]
    assert len(remote) == len(set(remote)) == before  # every event, exactly once
    assert set(remote) == set(local) and len(local) == len(set(local))
    assert server.query("SELECT count(*) FROM tickets")[0][0] == 50 + 50 + 300 + 40 + 10
    again = hotline("server", "verify", str(tmp_path / "backups" / "nope"))
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1
