"""One line of the 三率考核 drilled into (R35.1): the tickets it counted in the period, each with the
rates it counted in and whether it met them (按时/超期, 响应及时/超时, 解决/未解决, 满意/不满意).

The rows are the server's (`GET /v1/reports/rates/tickets`): numbers, codes and facts, no caller.
Enter opens the ticket as F4 does (TicketDetailScreen, read from the centre and audited there);
`f` asks for only the tickets that missed the charted rate; Esc goes back to the rates.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...domain.periods import Period
from ...domain.rates import RATE_NAMES
from ...rates_client import LineTickets, RatesReader, RatesUnavailable, TicketFacts
from ..context import SeatContext
from ..safe import caller_text
from ..widgets.key_bar import KeyBar

# How each rate's outcome reads in the list: (met, missed).
OUTCOMES: dict[str, tuple[str, str]] = {
    "on_time": ("按时", "超期"),
    "response": ("及时签收", "签收超时"),
    "resolution": ("解决", "未解决"),
    "satisfaction": ("满意", "不满意"),
}


def outcome(facts: TicketFacts, rate: str) -> Text:
    fact = facts.facts.get(rate)
    if fact is None:
        return Text("不计入", style="dim")
    on, met = fact
    good, bad = OUTCOMES[rate]
    return Text(f"{good if met else bad} {on:%m-%d}", style="green" if met else "bold red")


class TicketsTable(DataTable):
    BINDINGS = [Binding("enter", "select_cursor", "查看工单", id="rates.tickets.table.open")]


class RateTicketsScreen(Screen):
    DEFAULT_CSS = """
    RateTicketsScreen #rt-head { height: auto; padding: 0 1; background: $boost; }
    RateTicketsScreen #rt-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回三率", id="rates.tickets.back"),
        Binding("enter", "open", "查看工单", id="rates.tickets.open"),
        Binding("f", "missed_only", "仅看未达标", id="rates.tickets.missed"),
    ]

    class Loaded(Message):
        def __init__(self, found: LineTickets | None, problem: str | None = None) -> None:
            super().__init__()
            self.found = found
            self.problem = problem

    def __init__(
        self, ctx: SeatContext, reader: RatesReader, period: Period, by: str, key: str, name: str, rate: str
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.reader = reader
        self.period, self.by, self.key, self.line_name, self.rate = period, by, key, name, rate
        self.found: LineTickets | None = None
        self.missed_only = False
        self.shown: list[TicketFacts] = []

    def compose(self) -> ComposeResult:
        yield Static(self._head("正在读取…"), id="rt-head")
        yield TicketsTable(id="rt-table", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#rt-table").focus()
        self._load()

    @work(thread=True, exclusive=True, group="rate-tickets")
    def _load(self) -> None:
        try:
            missed = self.rate if self.missed_only else None
            self.post_message(self.Loaded(self.reader.tickets(self.period, self.by, self.key, missed)))
        except RatesUnavailable as exc:
            self.post_message(self.Loaded(None, str(exc)))

    def _head(self, note: str = "") -> Text:
        head = Text("三率考核 › ", style="bold")
        head.append_text(caller_text(self.line_name, style="bold"))
        head.append(f"  {self.period.label}", style="bold")
        if note:
            head.append(f"   {note}", style="yellow")
        return head

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.problem:
            self.query_one("#rt-head", Static).update(
                Text.assemble(self._head(), "\n", Text(message.problem, style="bold white on red"))
            )
            return
        self.found = message.found
        self._show()

    def _show(self) -> None:
        found = self.found
        if found is None:
            return
        self.shown = list(found.tickets)
        what = f"{RATE_NAMES.get(self.rate, '')}未达标" if found.missed else "计入三率"
        note = f"{what}共 {found.total} 件" + (f"，列出前 {len(self.shown)} 件" if found.more else "")
        note += "  · f 显示全部" if found.missed else f"  · f 仅看{RATE_NAMES.get(self.rate, '')}未达标"
        self.query_one("#rt-head", Static).update(self._head(note))
        table = self.query_one("#rt-table", DataTable)
        kept = table.cursor_row
        table.clear(columns=True)
        table.add_columns("受理编号", "事项", "地点", "状态", "主办单位", *(RATE_NAMES[r] for r in found.rates))
        for t in self.shown:
            table.add_row(
                caller_text(t.number),
                caller_text(t.matter),
                caller_text(t.place),
                caller_text(t.status),
                caller_text(t.lead_unit),
                *(outcome(t, r) for r in found.rates),
                key=t.number,
            )
        if self.shown:
            table.move_cursor(row=min(kept or 0, len(self.shown) - 1))

    def action_missed_only(self) -> None:
        # Asked of the server, not filtered here: a large unit's list is cut at the first few hundred.
        self.missed_only = not self.missed_only
        self.query_one("#rt-head", Static).update(self._head("正在读取…"))
        self._load()

    @on(DataTable.RowSelected, "#rt-table")
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one("#rt-table", DataTable)
        if not self.shown or table.cursor_row is None or not 0 <= table.cursor_row < len(self.shown):
            return
        from .find import TicketDetailScreen

        number = self.shown[table.cursor_row].number

        # The ticket as F4 opens one from another seat: read from the centre (an audited read).
        def back(_: object = None) -> None:
            table.focus()

        self.app.push_screen(TicketDetailScreen(self.ctx, None, number=number), back)

    def action_back(self) -> None:
        self.dismiss()
