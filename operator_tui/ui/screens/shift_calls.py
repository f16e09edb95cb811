"""This shift's calls (本班来电, issue 14): the tickets this seat registered in the last hours,
newest first, with their state now; Enter opens one (R10.1), Esc goes back to the call.

A shift is counted back from now (`SHIFT_HOURS`), not from when the seat started: a seat restarted
after a crash still lists the calls taken before it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label

from ..context import SeatContext

if TYPE_CHECKING:
    from ...domain.model import Ticket
from ..safe import caller_text
from ..widgets.key_bar import KeyBar

SHIFT_HOURS = 12


class ShiftCallsScreen(Screen):
    DEFAULT_CSS = """
    ShiftCallsScreen #shift { padding: 1 2; }
    ShiftCallsScreen #shift-table { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "back", "返回", id="shift.back")]

    class Loaded(Message):
        def __init__(self, rows: list) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, ctx: SeatContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.tickets: dict[str, Ticket] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="shift"):
            yield Label(
                Text(f"本班来电（近 {SHIFT_HOURS} 小时本席受理的办理单，新的在前；回车查看，Esc 返回）", style="bold")
            )
            yield Label(Text("读取中…", style="dim"), id="shift-status")
            table: DataTable[Text] = DataTable(id="shift-table", cursor_type="row")
            table.add_columns("时间", "受理编号", "诉求人", "电话", "事项", "状态")
            yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @work(thread=True, exclusive=True, group="shift")
    def _load(self) -> None:
        from ...store import meta, tickets

        since = self.ctx.now() - timedelta(hours=SHIFT_HOURS)
        with self.ctx.store.connect() as db:
            seat = meta.seat_code(db)
            found = [t for t, _due in tickets.lookup(db, registered_from=since, limit=500) if t.number[6:9] == seat]
        self.post_message(self.Loaded(found))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        tax, tz = self.ctx.rules.taxonomy, self.ctx.rules.policy.tz
        table = self.query_one(DataTable)
        table.clear()
        self.tickets = {t.id: t for t in message.rows}
        for t in message.rows:
            matter = tax.matters.get(t.matter)
            table.add_row(
                Text(t.registered_at.astimezone(tz).strftime("%m-%d %H:%M")),
                caller_text(t.number),
                caller_text(t.appellant.name),
                caller_text(t.appellant.phone),
                caller_text(matter.name if matter else t.matter),
                Text(t.status_name),
                key=t.id,
            )
        self.query_one("#shift-status", Label).update(
            Text(f"共 {len(message.rows)} 单", style="green")
            if message.rows
            else Text("本班尚无受理的办理单", style="dim")
        )

    @on(DataTable.RowSelected, "#shift-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from .find import TicketDetailScreen

        ticket = self.tickets.get(event.row_key.value or "")
        if ticket is not None:
            self.app.push_screen(TicketDetailScreen(self.ctx, ticket))

    def action_back(self) -> None:
        self.dismiss()
