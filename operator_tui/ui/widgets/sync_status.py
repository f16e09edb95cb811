"""The sync line of the status bar: 在线/离线 · 待同步 N 条 · 上次同步 HH:MM:SS · 时钟偏差.

Attributes down: the screen that owns sync sets `status` (a `SyncStatus` it read in a worker);
this widget never touches the network or the database.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

if TYPE_CHECKING:
    from ...sync.status import SyncStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _offset_words(seconds: float) -> str:
    sign = "快" if seconds < 0 else "慢"  # offset = server − seat: negative means the seat is ahead
    s = abs(int(seconds))
    if s >= 3600:
        return f"本机时钟{sign}{s // 3600}小时{(s % 3600) // 60}分"
    return f"本机时钟{sign}{s // 60}分{s % 60}秒"


def render_status(status: SyncStatus | None, tz: tzinfo = SHANGHAI) -> Text:
    """The line as rich Text (never markup: an error message from the network is data too)."""
    if status is None:
        return Text("同步状态未知", style="dim")
    line = Text(end="")
    if status.syncing:
        line.append("⟳ 同步中", style="bold cyan")
    elif status.online is None:
        line.append("○ 未连接服务器", style="dim")
    elif status.online:
        line.append("● 在线", style="bold green")
    else:
        line.append("● 离线（本机照常登记）", style="bold yellow")
    depth_style = "bold yellow" if status.outbox_depth else ""
    line.append("  ·  ")
    line.append(f"待同步 {status.outbox_depth} 条", style=depth_style)
    if status.conflicts:
        line.append("  ·  ")
        line.append(f"冲突 {status.conflicts} 条待处理", style="bold red")
    line.append("  ·  ")
    if status.last_sync_at is None:
        line.append("尚未同步", style="dim")
    else:
        line.append(f"上次同步 {status.last_sync_at.astimezone(tz):%H:%M:%S}")
    if status.skewed and status.clock_offset is not None:
        line.append("  ·  ")
        line.append(f"⚠ 时钟偏差：{_offset_words(status.clock_offset.total_seconds())}，请校准", style="bold red")
    return line


class SyncStatusBar(Static):
    """One line; set `status` to refresh it."""

    DEFAULT_CSS = """
    SyncStatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    status: reactive[SyncStatus | None] = reactive(None, layout=False)

    def __init__(self, status: SyncStatus | None = None, *, tz: tzinfo = SHANGHAI, **kwargs) -> None:
        super().__init__(render_status(status, tz), **kwargs)
        self._tz = tz
        self.set_reactive(SyncStatusBar.status, status)

    def watch_status(self, status: SyncStatus | None) -> None:
        self.update(render_status(status, self._tz))
