"""A dying seat's unsynced outbox carried to another machine (issue 16): `hotline db export-outbox`
and `import-outbox`. Event ids and bodies are kept, so a double import, or the old machine
syncing too, changes nothing on the server (R16.1)."""

from __future__ import annotations

import json
import stat
from collections import Counter

import pytest

from operator_tui.desk import Desk
from operator_tui.store import meta
from operator_tui.store.db import Store
from operator_tui.store.outbox_file import OutboxFileError, export, import_file
from operator_tui.sync.service import SyncService

SEAT = "012"  # the hub seat (tests/sync/conftest.py)


def _replacement(hub, tmp_path, name="new.db") -> Store:
    return Store.open(tmp_path / name)  # a fresh database on the new machine: no seat code yet


@pytest.mark.rule("R16.1")
def test_the_outbox_moves_to_another_machine_and_each_event_reaches_the_server_once(hub, tmp_path):
    made = hub.record(2)  # offline: 6 events waiting
    path = tmp_path / "outbox.json"
    with hub.store.connect() as db:
        assert export(db, path, hub.seat_clock()) == 6
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(OutboxFileError, match="已存在"), hub.store.connect() as db:
        export(db, path, hub.seat_clock())

    new = _replacement(hub, tmp_path)
    with new.transaction() as db:
        done = import_file(db, path, hub.seat_clock())
    assert (done.added, done.known, done.seat) == (6, 0, SEAT)
    with new.transaction() as db:
        assert import_file(db, path, hub.seat_clock()).added == 0  # a double import adds nothing
        assert meta.get(db, "seat_code") == SEAT

    service = SyncService(new, hub.client(), hub.rules, clock=hub.seat_clock)
    report = service.sync_once()
    assert report.ok and report.pushed == 6 and report.rejected == 0, report
    assert Counter(hub.server_event_ids()) == Counter(hub.local_event_ids())

    # The old machine comes back and syncs too: the server answers from its receipts.
    again = hub.service().sync_once()
    assert again.ok and again.pushed == 6 and again.rejected == 0
    assert len(hub.server_event_ids()) == 6
    with new.connect() as db:
        numbers = {r[0] for r in db.conn.execute("SELECT number FROM tickets")}
    assert numbers == {t.number for t in made}

    # The replacement never gives out a number the old machine already read to a caller.
    fresh = Desk(new, hub.rules, "op-2").register(hub.form(), hub.seat_clock(), [])
    assert fresh.number not in numbers and fresh.number > max(numbers)


@pytest.mark.rule("R16.1")
def test_a_file_from_another_seat_or_not_an_outbox_is_refused(hub, tmp_path):
    hub.record(1)
    path = tmp_path / "outbox.json"
    with hub.store.connect() as db:
        export(db, path, hub.seat_clock())
    other = _replacement(hub, tmp_path, "other.db")
    with other.transaction() as db:
        meta.put(db, "seat_code", "013")
    Desk(other, hub.rules, "op-3").register(hub.form(), hub.seat_clock(), [])  # seat 013 already numbers
    with pytest.raises(OutboxFileError, match="坐席 012"), other.transaction() as db:
        import_file(db, path, hub.seat_clock())

    broken = tmp_path / "broken.json"
    doc = json.loads(path.read_text())
    doc["events"].append('{"id": "x"}')
    broken.write_text(json.dumps(doc))
    new = _replacement(hub, tmp_path)
    with pytest.raises(OutboxFileError, match="第 4 个事件"), new.transaction() as db:
        import_file(db, broken, hub.seat_clock())
    with new.connect() as db:  # all or nothing
        assert db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


@pytest.mark.rule("R16.1")
def test_cli_export_and_import_outbox(cli, tmp_path):
    assert cli("db", "init", "--seat-code", "012").code == 0
    path = tmp_path / "out.json"
    done = cli("db", "export-outbox", "--to", str(path))
    assert done.code == 0, done.err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for args in (
        ("db", "export-outbox", "--to", str(path)),
        ("db", "import-outbox", str(tmp_path / "none.json")),
        ("db", "export-outbox", "--to", str(tmp_path / "no" / "dir.json")),
    ):
        r = cli(*args)
        assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err, (args, r.err)
    assert cli("db", "import-outbox", str(path)).code == 0
