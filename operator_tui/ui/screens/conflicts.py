"""冲突列表: events the server refused, with its rule and reason (ARCHITECTURE "Sync protocol", 5).

Nothing the server refuses is dropped: it waits here until the operator has dealt with it (usually
by recording the action again as the ticket now stands) and marks it done. Reading and marking run
in worker threads with their own database connections; every text cell is literal `Text`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ...domain.workflow import TRANSITIONS
from ...store import outbox, tickets
from ...store.db import Store
from ..safe import caller_text, joined
from ..widgets.key_bar import KeyBar


@dataclass(frozen=True)
class ConflictView:
    event_id: str
    number: str  # the ticket number, or "" when the ticket never reached the store
    kind_title: str
    rule: str
    reason: str
    server_state: str
    created_at: datetime


def load_conflicts(store: Store) -> list[ConflictView]:
    """Open conflicts with what the screen shows (runs in a worker thread)."""
    with store.connect() as db:
        out = []
        for c in outbox.conflicts(db):
            t = tickets.get(db, c.ticket_id)
            state = ""
            if c.server_state:
                try:
                    state = str(json.loads(c.server_state).get("status_name", ""))
                except (ValueError, AttributeError):
                    state = ""
            title = TRANSITIONS[c.kind].title if c.kind in TRANSITIONS else c.kind
            out.append(
                ConflictView(
                    c.event_id,
                    t.number if t else "",
                    title,
                    c.rule or "—",
                    c.reason,
                    state or "服务器无此办理单",
                    c.created_at,
                )
            )
        return out


class ConflictsScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "返回", id="conflicts.back"),
        Binding("f8", "resolve", "标记已处理", id="conflicts.resolve"),
        Binding("f5", "reload", "刷新", id="conflicts.reload"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[ConflictView]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(
        self,
        store: Store,
        *,
        tz: tzinfo = ZoneInfo("Asia/Shanghai"),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.store, self.tz, self.now = store, tz, now
        self.rows: list[ConflictView] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="conflicts"):
            yield Label(Text("同步冲突：服务器退回的记录（F8 标记已处理）", style="bold"))
            table: DataTable[Text] = DataTable(id="conflicts-table", cursor_type="row")
            table.add_columns("记录时间", "受理编号", "操作", "依据条款", "服务器说明", "服务器状态")
            yield table
            yield Static(Text(""), id="conflicts-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="conflicts")
    def _load(self) -> None:
        self.post_message(self.Loaded(load_conflicts(self.store)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.rows = message.rows
        table = self.query_one(DataTable)
        table.clear()
        for r in self.rows:
            table.add_row(
                caller_text(f"{r.created_at.astimezone(self.tz):%m-%d %H:%M}"),
                caller_text(r.number or "—"),
                caller_text(r.kind_title),
                caller_text(r.rule, "bold"),
                caller_text(r.reason[:60]),
                caller_text(r.server_state),
                key=r.event_id,
            )
        detail = self.query_one("#conflicts-detail", Static)
        detail.update(Text("没有待处理的冲突。", style="green") if not self.rows else Text(""))
        if self.rows:
            self._detail(0)

    def _detail(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            r = self.rows[index]
            self.query_one("#conflicts-detail", Static).update(
                joined(
                    ("依据 ", "dim"),
                    (r.rule, "bold"),
                    ("  服务器说明：", "dim"),
                    r.reason,
                    ("  服务器状态：", "dim"),
                    r.server_state,
                )
            )

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def action_resolve(self) -> None:
        table = self.query_one(DataTable)
        if self.rows and 0 <= table.cursor_row < len(self.rows):
            self._resolve(self.rows[table.cursor_row].event_id)

    @work(thread=True, exclusive=True, group="conflicts")
    def _resolve(self, event_id: str) -> None:
        with self.store.transaction() as db:
            outbox.resolve(db, event_id, self.now())
        self.post_message(self.Loaded(load_conflicts(self.store)))
