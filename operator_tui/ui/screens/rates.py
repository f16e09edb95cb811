"""三率考核: the assessment rates on the supervisor's seat (R35.1, issue 15).

A period (this month by default; `[` `]` step, `p` types one: 2026-10, 2026-W44, 2026-11-29 …),
a grouping (1 单位, 2 区县, 3 事项, 4 坐席员) and the rate charted (`r`): a ranked table of the lines
with every rate, its counts and the change from the previous period; bars of the charted rate by
line; the highlighted line's weekly trend. Enter drills into the line's tickets (rate_tickets.py),
and Enter there opens a ticket; Esc goes back one level.

The figures are the server's (every seat's tickets), read in thread workers through
`operator_tui.rates_client`: a slow server never holds the keyboard, and without one the screen
says 离线：三率需连接服务器 instead of showing stale or partial figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from ...domain.periods import Period, PeriodError, day, month_of, parse_period, week_of
from ...domain.rates import RATE_NAMES, RateLine, RateReport
from ...domain.states import Role
from ...rates_client import RatesReader, RatesUnavailable, TrendPoint
from ..context import SeatContext
from ..safe import caller_text
from ..widgets.key_bar import KeyBar
from ..widgets.rate_chart import bars, percent, trend

# The groupings a supervisor switches between, with their keys (the API's `by`).
GROUPS: tuple[tuple[str, str], ...] = (
    ("unit", "单位"),
    ("district", "区县"),
    ("matter", "事项"),
    ("operator", "坐席员"),
)
TREND_WEEKS = 12


def following(period: Period) -> Period:
    """The period just after `period`, of the same kind (the `]` key)."""
    after = period.end + timedelta(days=1)
    if period.kind == "day":
        return day(after)
    if period.kind == "week":
        return week_of(after)
    if period.kind == "month":
        return month_of(after)
    if period.kind == "year":
        return Period("year", date(after.year, 1, 1), date(after.year, 12, 31))
    return Period("range", after, after + timedelta(days=period.days - 1))


def change_text(change: float | None) -> Text:
    """Percentage points against the previous period: ↑ better, ↓ worse (every rate: higher is better)."""
    if change is None:
        return Text("—", style="dim")
    if abs(change) < 0.05:
        return Text("持平", style="dim")
    return Text(f"{'↑' if change > 0 else '↓'}{abs(change):.1f}点", style="green" if change > 0 else "bold red")


class RatesTable(DataTable):
    """The lines; Enter (the table's own select key) is named on the key bar, which otherwise
    shows only the screen's keys."""

    BINDINGS = [Binding("enter", "select_cursor", "工单明细", id="rates.table.drill")]


class RatesScreen(Screen):
    CSS_PATH = "rates.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "返回", id="rates.back"),
        Binding("enter", "drill", "工单明细", id="rates.drill"),
        Binding("left_square_bracket", "step(-1)", "上一期", id="rates.previous"),
        Binding("right_square_bracket", "step(1)", "下一期", id="rates.next"),
        Binding("p", "type_period", "输入时段", id="rates.period"),
        Binding("r", "next_rate", "切换指标", id="rates.rate"),
        *(Binding(str(i), f"group('{by}')", name, id=f"rates.by_{by}") for i, (by, name) in enumerate(GROUPS, 1)),
        Binding("g", "refresh", "刷新", id="rates.refresh"),
    ]

    class Loaded(Message):
        def __init__(self, asked: tuple[str, str], report: RateReport | None, problem: str | None = None) -> None:
            super().__init__()
            self.asked = asked
            self.report = report
            self.problem = problem

    class TrendLoaded(Message):
        def __init__(
            self, asked: tuple[str, str, str], points: tuple[TrendPoint, ...], problem: str | None = None
        ) -> None:
            super().__init__()
            self.asked = asked
            self.points = points
            self.problem = problem

    def __init__(self, ctx: SeatContext, reader: RatesReader | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.reader = reader or RatesReader.of(ctx.sync, ctx.offline)
        self.today = ctx.now().astimezone(ctx.policy.tz).date()
        self.period: Period = month_of(self.today)
        self.by = "unit"
        self.rate = "on_time"
        self.report: RateReport | None = None
        self.rows: list[RateLine] = []
        self.problem: str | None = None
        self.trend_points: tuple[TrendPoint, ...] = ()
        self.trend_line: tuple[str, str] = ("all", "全市")

    def compose(self) -> ComposeResult:
        with Horizontal(id="rates-top"):
            yield Label(Text("三率考核", style="bold"), id="rates-title")
            yield Label("时段", classes="rates-label")
            yield Input(self.period.key, id="rates-period", placeholder="2026-10 / 2026-W44")
            yield Static("", id="rates-head")
        yield Static("", id="rates-problem")
        yield RatesTable(id="rates-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="rates-charts"):
            with VerticalScroll(id="rates-bars-box"):
                yield Static("", id="rates-bars")
            yield Static("", id="rates-trend")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#rates-table").focus()
        if self.ctx.role not in (Role.SUPERVISOR, Role.ADMIN):  # the overview offers it to these only
            self._show_problem("三率考核仅限值班长和管理员")
            return
        self.action_refresh()

    # --- requests ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self._show_head(loading=True)
        self._load(self.period, self.by)

    @work(thread=True, exclusive=True, group="rates")
    def _load(self, period: Period, by: str) -> None:
        try:
            report = self.reader.rates(period, by)
        except RatesUnavailable as exc:
            self.post_message(self.Loaded((period.key, by), None, str(exc)))
            return
        self.post_message(self.Loaded((period.key, by), report))

    @work(thread=True, exclusive=True, group="rates-trend")
    def _load_trend(self, period: Period, by: str, key: str) -> None:
        try:
            points = self.reader.trend(period, by, key, TREND_WEEKS)
        except RatesUnavailable as exc:
            self.post_message(self.TrendLoaded((period.key, by, key), (), str(exc)))
            return
        self.post_message(self.TrendLoaded((period.key, by, key), points))

    # --- answers -------------------------------------------------------------------------------

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.asked != (self.period.key, self.by):
            return  # an answer to a period or grouping the supervisor has already left
        if message.problem:
            self.report, self.rows = None, []
            self._show_problem(message.problem)
            self._show_table()
            self._show_head()
            return
        self._show_problem(None)
        self.report = report = message.report
        if report is not None and self.rate not in report.rates:  # a report comes without a problem
            self.rate = report.rates[0]
        self._show_table()
        self._show_head()

    @on(TrendLoaded)
    def _trend_loaded(self, message: TrendLoaded) -> None:
        if message.asked != (self.period.key, *self._trend_request()):
            return
        self.trend_points = message.points
        self._show_trend(message.problem)

    def _show_problem(self, problem: str | None) -> None:
        self.problem = problem
        self.query_one("#rates-problem", Static).update(Text(problem, style="bold white on red") if problem else "")
        self.query_one("#rates-problem").display = bool(problem)

    def _show_head(self, loading: bool = False) -> None:
        head = Text(f"{self.period.label}  对比 {self.period.previous().label}", style="bold")
        head.append("   分组 ")
        for i, (by, name) in enumerate(GROUPS, 1):
            head.append(f"{i}{name}", style="bold reverse" if by == self.by else "dim")
            head.append(" ")
        head.append("  指标 ")
        head.append(RATE_NAMES.get(self.rate, self.rate), style="bold cyan")
        if loading:
            head.append("   正在读取…", style="yellow")
        elif self.report is not None:
            total = self.report.total.figures.get(self.rate)
            if total is not None:
                head.append(f"   合计 {percent(total.value)}（{total.numerator}/{total.denominator}）")
        self.query_one("#rates-head", Static).update(head)

    def _ordered(self) -> list[RateLine]:
        if self.report is None:
            return []

        def rank(line: RateLine):
            f = line.figures.get(self.rate)
            return (f is None or f.rank is None, f.rank if f is not None and f.rank is not None else 0, line.key)

        return sorted(self.report.lines, key=rank)

    def _show_table(self) -> None:
        table = self.query_one("#rates-table", DataTable)
        kept = self._current_key()
        table.clear(columns=True)
        rates = self.report.rates if self.report is not None else ()
        table.add_column("排名", key="rank")
        table.add_column(dict(GROUPS)[self.by], key="name")
        for r in rates:
            table.add_column(("▶" if r == self.rate else "") + RATE_NAMES[r], key=r)
        table.add_column(f"较上期（{RATE_NAMES.get(self.rate, '')}）", key="change")
        table.add_column("计入件数", key="count")
        self.rows = self._ordered()
        for line in self.rows:
            chosen = line.figures.get(self.rate)
            cells = [Text(str(chosen.rank) if chosen is not None and chosen.rank else "—"), caller_text(line.name)]
            for r in rates:
                f = line.figures.get(r)
                if f is None or f.value is None:
                    cells.append(Text("—", style="dim"))
                    continue
                cell = Text(
                    f"{percent(f.value):>6} {f.numerator}/{f.denominator}", style="bold" if r == self.rate else ""
                )
                if f.change is not None and abs(f.change) >= 0.05:
                    cell.append(" ↑" if f.change > 0 else " ↓", style="green" if f.change > 0 else "bold red")
                cells.append(cell)
            cells.append(change_text(chosen.change if chosen is not None else None))
            cells.append(Text(str(line.tickets)))
            table.add_row(*cells, key=line.key)
        index = next((i for i, ln in enumerate(self.rows) if ln.key == kept), 0)
        if self.rows:
            table.move_cursor(row=index)
        self._show_bars(index if self.rows else None)
        self._request_trend()

    def _show_bars(self, highlight: int | None) -> None:
        width = max(40, self.query_one("#rates-bars-box").size.width - 2)
        title = f"{RATE_NAMES.get(self.rate, '')}（按{dict(GROUPS)[self.by]}，满格 100%）"
        rows = [(ln.name, ln.figures[self.rate].value if self.rate in ln.figures else None) for ln in self.rows]
        self.query_one("#rates-bars", Static).update(
            bars(rows, width=width, title=title, highlight=highlight, name_width=20 if self.by != "operator" else 16)
        )

    def _current_key(self) -> str | None:
        table = self.query_one("#rates-table", DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row].key

    def _trend_request(self) -> tuple[str, str]:
        key = self._current_key()
        return (self.by, key) if key is not None else ("all", "all")

    def _request_trend(self) -> None:
        if self.problem:
            self.query_one("#rates-trend", Static).update("")
            return
        by, key = self._trend_request()
        line = next((ln for ln in self.rows if ln.key == key), None)
        self.trend_line = (key, line.name if line is not None else "全市")
        self.query_one("#rates-trend", Static).update(Text("正在读取周趋势…", style="dim"))
        self._load_trend(self.period, by, key)

    def _show_trend(self, problem: str | None = None) -> None:
        box = self.query_one("#rates-trend", Static)
        if problem:
            box.update(Text(problem, style="bold red"))
            return
        points = [
            (
                p.week,
                p.figures[self.rate].value if self.rate in p.figures else None,
                p.figures[self.rate].denominator if self.rate in p.figures else 0,
            )
            for p in self.trend_points
        ]
        title = Text(f"{RATE_NAMES.get(self.rate, '')} 周趋势（近{len(points)}周）：", style="bold")
        title.append_text(caller_text(self.trend_line[1], style="bold"))
        chart = trend(points, title="", height=8)
        box.update(Text.assemble(title, "\n", chart))

    @on(DataTable.RowHighlighted, "#rates-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not self.rows:
            return
        self._show_bars(event.cursor_row)
        if self.trend_line[0] != self._current_key():
            self._request_trend()

    # --- keys ----------------------------------------------------------------------------------

    def _set_period(self, period: Period) -> None:
        self.period = period
        self.query_one("#rates-period", Input).value = period.key
        self.action_refresh()

    def action_step(self, direction: int) -> None:
        if direction < 0:
            self._set_period(self.period.previous())
            return
        nxt = following(self.period)
        if nxt.start > self.today:
            self.notify("已是当前时段，没有下一期的数据", severity="warning", markup=False)
            return
        self._set_period(nxt)

    def action_type_period(self) -> None:
        box = self.query_one("#rates-period", Input)
        box.focus()
        box.select_all()

    @on(Input.Submitted, "#rates-period")
    def _period_typed(self, event: Input.Submitted) -> None:
        try:
            period = parse_period(event.value)
        except PeriodError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.query_one("#rates-table").focus()
        self._set_period(period)

    def action_group(self, by: str) -> None:
        if by != self.by:
            self.by = by
            self.rows = []
            self.action_refresh()

    def action_next_rate(self) -> None:
        rates = self.report.rates if self.report is not None else ("on_time", "resolution", "satisfaction")
        self.rate = rates[(rates.index(self.rate) + 1) % len(rates)] if self.rate in rates else rates[0]
        self._show_head()
        if self.report is not None:
            self._show_table()

    @on(DataTable.RowSelected, "#rates-table")
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_drill()

    def action_drill(self) -> None:
        key = self._current_key()
        if key is None:
            self.notify("没有可查看的行", severity="warning", markup=False)
            return
        from .rate_tickets import RateTicketsScreen

        line = next(ln for ln in self.rows if ln.key == key)

        def back(_: object = None) -> None:
            self.query_one("#rates-table").focus()

        self.app.push_screen(
            RateTicketsScreen(self.ctx, self.reader, self.period, self.by, line.key, line.name, self.rate), back
        )

    def action_back(self) -> None:
        if self.focused is self.query_one("#rates-period", Input):
            self.query_one("#rates-period", Input).value = self.period.key
            self.query_one("#rates-table").focus()
            return
        self.dismiss()
