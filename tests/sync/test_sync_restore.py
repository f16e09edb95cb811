"""The server restored from an older backup (R30.1, issue 16): the seat's cursor becomes unknown
(new epoch, 410), it pulls everything again and pushes back its own events the backup lacks."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from fastapi.testclient import TestClient

from operator_tui.store import outbox
from operator_tui.sync import restore as seat_restore
from server_stub import backup
from server_stub.app import create_app
from server_stub.settings import ServerSettings


def _restored_server(hub, tmp_path, folder):
    target = tmp_path / "restored.db"
    backup.restore(folder, target)
    return create_app(ServerSettings(db_path=target, sweep_every_seconds=0, clock=hub.server_clock), hub.rules)


def _ids(app) -> list[str]:
    with app.state.storage.read() as tx:
        return [r[0] for r in tx.conn.execute("SELECT id FROM events ORDER BY seq")]


@pytest.mark.rule("R30.1")
@pytest.mark.rule("R16.1")
def test_events_acknowledged_after_the_backup_are_pushed_again_after_a_restore(hub, tmp_path):
    hub.record(2)
    assert hub.service().sync_once().pushed == 6
    folder = backup.take(hub.storage.path, tmp_path / "bk", hub.server_clock())
    hub.record(2)
    assert hub.service().sync_once().pushed == 6  # acknowledged: gone from the outbox
    assert hub.outbox_depth() == 0 and len(hub.server_event_ids()) == 12

    app = _restored_server(hub, tmp_path, folder)
    with TestClient(app) as http:
        assert len(_ids(app)) == 6  # the database was lost; the backup has half
        report = hub.service(http).sync_once()
        assert report.ok and report.resynced and report.repushed == 6, report
        held = _ids(app)
        assert Counter(held) == Counter(hub.local_event_ids()) and max(Counter(held).values()) == 1
        assert hub.outbox_depth() == 0
        with hub.store.connect() as db:
            assert not seat_restore.recovering(db)
            assert db.conn.execute("SELECT count(*) FROM events WHERE received_at IS NULL").fetchone()[0] == 0
            assert db.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 4

        again = hub.service(http).sync_once()
        assert again.ok and not again.resynced and again.repushed == 0 and again.pushed == 0
        assert len(_ids(app)) == 12


@pytest.mark.rule("R30.1")
def test_an_interrupted_recovery_starts_the_full_pull_again(hub, tmp_path):
    """Offline half-way through the full pull: the seat cannot yet tell what the server lost, so
    it keeps the recovery open and the next run pulls from the start again."""
    hub.record(1)
    hub.service().sync_once()
    folder = backup.take(hub.storage.path, tmp_path / "bk", hub.server_clock())
    hub.record(3)
    hub.service().sync_once()

    app = _restored_server(hub, tmp_path, folder)
    with TestClient(app) as http:
        real = http.request
        calls = {"n": 0}

        def flaky(method, url, *a, **kw):  # 410, the first page, then the second page fails
            if "/v1/changes" in str(url):
                calls["n"] += 1
                if calls["n"] == 3:
                    raise httpx.ConnectError("link down")
            return real(method, url, *a, **kw)

        http.request = flaky  # type: ignore[method-assign]
        broken = hub.service(http, page_size=1, attempts=1).sync_once()
        assert not broken.online and broken.repushed == 0
        with hub.store.connect() as db:
            assert seat_restore.recovering(db) and outbox.depth(db) == 0
        http.request = real  # type: ignore[method-assign]
        report = hub.service(http, page_size=1).sync_once()
        assert report.ok and report.repushed == 9, report
        assert Counter(_ids(app)) == Counter(hub.local_event_ids())
