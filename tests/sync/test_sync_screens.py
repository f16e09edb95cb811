"""The seat's view of sync: the status line (在线/离线, 待同步, 上次同步, 时钟偏差) and the conflicts
screen (rule and reason from the server, caller text shown literally)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.app import App, ComposeResult

from operator_tui.store import outbox
from operator_tui.sync.status import SyncStatus
from operator_tui.ui.screens.conflicts import ConflictsScreen
from operator_tui.ui.widgets.sync_status import SyncStatusBar, render_status

pytestmark = pytest.mark.rule("R16.1")
AT = datetime(2026, 11, 26, 2, 3, 4, tzinfo=UTC)  # 10:03:04 in Anshan


def test_the_status_line_says_online_offline_depth_last_sync_and_skew():
    online = render_status(SyncStatus(True, 0, 0, AT, timedelta(seconds=1))).plain
    assert "在线" in online and "待同步 0 条" in online and "上次同步 10:03:04" in online and "时钟" not in online
    offline = render_status(SyncStatus(False, 12, 2, None, timedelta(days=1))).plain
    assert "离线" in offline and "待同步 12 条" in offline and "冲突 2 条" in offline and "尚未同步" in offline
    assert "时钟偏差" in offline and "慢24小时" in offline
    fast = render_status(SyncStatus(True, 0, 0, AT, timedelta(minutes=-5))).plain
    assert "本机时钟快5分" in fast
    assert "未连接" in render_status(SyncStatus(None, 3, 0, None, None)).plain


class Harness(App):
    def __init__(self, screen=None, status=None):
        super().__init__()
        self._screen, self._status = screen, status

    def compose(self) -> ComposeResult:
        yield SyncStatusBar(self._status, id="sync")

    def on_mount(self) -> None:
        if self._screen is not None:
            self.push_screen(self._screen)


async def test_the_status_bar_follows_the_status_it_is_given():
    app = Harness(status=SyncStatus(False, 4, 0, None, None))
    async with app.run_test() as pilot:
        bar = app.query_one(SyncStatusBar)
        assert "待同步 4 条" in str(bar.render())
        bar.status = SyncStatus(True, 0, 0, AT, None)
        await pilot.pause()
        assert "在线" in str(bar.render()) and "待同步 0 条" in str(bar.render())


async def test_the_conflicts_screen_lists_refusals_literally_and_marks_them_done(store):
    now = datetime.now(UTC)
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO outbox (op_id, ticket_id, body, created_at) VALUES (?,?,?,?)",
            ("01KC000000000000000000000E", "01KC000000000000000000000T", b'{"kind": "accept"}', now.isoformat()),
        )
        [row] = outbox.pending(db, 10)
        outbox.set_aside(db, row, "R20.2", "cannot 受理 while [bold]x[/] [@click=app.quit]y[/]", None, now)
    screen = ConflictsScreen(store)
    app = Harness(screen=screen)
    async with app.run_test() as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            if screen.rows:
                break
        [view] = screen.rows
        assert view.rule == "R20.2" and view.kind_title == "受理" and "[@click=app.quit]" in view.reason
        detail = screen.query_one("#conflicts-detail")
        assert "[@click=app.quit]y[/]" in str(detail.render())  # shown as typed, not run
        await pilot.press("f8")
        for _ in range(50):
            await pilot.pause(0.02)
            if not screen.rows:
                break
        assert screen.rows == []
        assert app.is_running  # nothing in the text quit the app
    with store.connect() as db:
        assert outbox.open_conflicts(db) == 0 and len(outbox.conflicts(db, include_resolved=True)) == 1
