"""Find a ticket by number or the caller's phone and read its status in plain words (R10.1)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from ...domain.deadlines import CLOCK_NAMES
from ...domain.model import Event, Ticket
from ...domain.validation import normalise_phone
from ...domain.workflow import TRANSITIONS
from ...store import tickets
from ..context import SeatContext
from ..safe import caller_text, joined
from ..widgets.key_bar import KeyBar

COORDINATION = ("承办单位之间沟通", "上级行政机关/主管部门协调", "群众工作委员会办公室协调", "市政府常务会议/群众工作委员会")


class FindScreen(Screen):
    DEFAULT_CSS = """
    FindScreen #find { padding: 1 2; }
    FindScreen #find-results { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="find.back"),
        Binding("f4", "back", "返回", show=False, id="find.back_f4"),
    ]

    class Found(Message):
        def __init__(self, found: list[Ticket], query: str) -> None:
            super().__init__()
            self.found = found
            self.query = query

    def __init__(self, ctx: SeatContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.found: list[Ticket] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="find"):
            yield Label(Text("查询办理单：输入受理编号或来电人电话，回车查询", style="bold"))
            yield Input(placeholder="受理编号 / 电话号码", id="find-query", max_length=30)
            yield Label("", id="find-status")
            table = DataTable(id="find-results", cursor_type="row")
            table.add_columns("受理编号", "登记时间", "事项", "状态", "承办单位", "时限")
            yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#find-query")
    def _submit(self, event: Input.Submitted) -> None:
        query = event.value.strip().replace(" ", "")
        if not query:
            return
        self._search(query)

    @work(thread=True, exclusive=True, group="find")
    def _search(self, query: str) -> None:
        with self.ctx.store.connect() as db:
            found: list[Ticket] = []
            if query.isdigit() and len(query) == 13:
                t = tickets.by_number(db, query)
                found = [t] if t else []
            if not found:
                phone = normalise_phone(query)
                if phone:
                    found = tickets.search(db, phone=phone, limit=100)
        self.post_message(self.Found(found, query))

    @on(Found)
    def _found(self, message: Found) -> None:
        self.found = message.found
        tax, tz, now = self.ctx.rules.taxonomy, self.ctx.rules.policy.tz, self.ctx.now()
        table = self.query_one(DataTable)
        table.clear()
        status = self.query_one("#find-status", Label)
        if not message.found:
            status.update(joined(("未找到：", "bold red"), message.query, ("（受理编号为13位数字；电话为手机或座机号码）", "dim")))
            return
        status.update(Text(f"找到 {len(message.found)} 单，回车查看详情", style="green"))
        for t in message.found:
            clock = self.ctx.desk.clock(t, now)
            due = Text("-", style="dim") if clock is None else Text(
                clock.due.at.astimezone(tz).strftime("%m-%d %H:%M") + (" 超期" if clock.overdue else ""),
                style="bold red" if clock.overdue else "")
            table.add_row(caller_text(t.number), Text(t.registered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")),
                          caller_text(tax.matters[t.matter].name), Text(t.status_name),
                          caller_text("、".join(tax.units[u].name for u in t.units) or "-"), due, key=t.id)
        table.focus()

    @on(DataTable.RowSelected, "#find-results")
    def _open(self, event: DataTable.RowSelected) -> None:
        ticket = next((t for t in self.found if t.id == event.row_key.value), None)
        if ticket is not None:
            self.app.push_screen(TicketDetailScreen(self.ctx, ticket))

    def action_back(self) -> None:
        self.dismiss()


class TicketDetailScreen(Screen):
    """One ticket in plain words: status, units, deadlines, history (R10.1)."""

    DEFAULT_CSS = "TicketDetailScreen #detail { padding: 1 2; }"

    BINDINGS = [
        Binding("escape", "back", "返回", id="detail.back"),
        Binding("y", "demand", "要求说明", id="detail.demand_explanation"),
        Binding("l", "note", "补充说明", id="detail.add_note"),
    ]

    class Loaded(Message):
        def __init__(self, history: list[Event]) -> None:
            super().__init__()
            self.history = history

    def __init__(self, ctx: SeatContext, ticket: Ticket) -> None:
        super().__init__()
        self.ctx = ctx
        self.ticket = ticket

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(self._summary(), id="detail-summary")
            yield Label(Text("办理历史", style="bold underline"))
            yield Static("", id="detail-history")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True)
    def _load(self) -> None:
        with self.ctx.store.connect() as db:
            history = tickets.events(db, self.ticket.id)
        self.post_message(self.Loaded(history))

    def _summary(self) -> Text:
        t, tax, tz = self.ticket, self.ctx.rules.taxonomy, self.ctx.rules.policy.tz
        clock = self.ctx.desk.clock(t, self.ctx.now())
        lines = joined(("受理编号 ", "bold"), (t.number, "bold reverse"), "   ", (t.status_name, "bold green"), "\n")
        lines.append_text(joined("诉求人 ", t.appellant.name, "   电话 ", t.appellant.phone, "   住址 ", t.appellant.address, "\n"))
        lines.append_text(joined("事项 ", tax.matters[t.matter].name, "   地点 ", tax.places[t.place].name,
                                 "   类型 ", tax.appeal_types[t.appeal_type].name, "   渠道 ", tax.channels[t.channel].name, "\n"))
        lines.append_text(joined("诉求内容 ", t.description, "\n"))
        units = "、".join(tax.units[u].name for u in t.units)
        lines.append_text(joined("承办单位 ", units or "（尚未转办）", "\n"))
        if clock is not None:
            state = "已超期" if clock.overdue else ("暂停计时（回避）" if clock.paused else "计时中")
            lines.append_text(joined(f"{CLOCK_NAMES[clock.name]} ", clock.due.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                                     (f"  {state}", "bold red" if clock.overdue else "yellow"),
                                     ("（暂定）" if clock.due.provisional else "", "yellow"), "\n"))
        if t.coordination_level:
            lines.append(f"协调层级 {COORDINATION[t.coordination_level]}\n")
        if t.supervisions:
            lines.append(f"督办 {len(t.supervisions)} 次，当前第 {t.supervision_level} 级\n", style="bold red")
        for d in t.explanation_demands:
            lines.append_text(joined(("要求说明 ", "bold yellow"), d.text, ("  单位说明：", "bold"), d.answer or "（待单位答复）", "\n"))
        for label, value in (("答复", t.answer), ("不予受理理由", t.refusal_reason), ("办理结果", t.result)):
            if value:
                lines.append_text(joined((label + " ", "bold"), value, "\n"))
        for r in t.referrals:
            lines.append_text(joined(("紧急转介 ", "bold red"), r.target, " ", r.outcome, " ", r.reason, "\n"))
        if t.rating:
            lines.append(f"评价 时效{t.rating.timeliness}★ 结果{t.rating.result}★ 态度{t.rating.attitude}★ 总体{t.rating.overall}★\n")
        return lines

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        tz = self.ctx.rules.policy.tz
        text = Text(end="")
        for e in message.history:
            text.append(e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M  "))
            text.append(TRANSITIONS[e.kind].title if e.kind in TRANSITIONS else e.kind, style="bold")
            text.append_text(caller_text(f"  {e.actor}"))
            detail = e.payload.get("reason") or e.payload.get("text") or e.payload.get("result") or e.payload.get("answer")
            if detail and e.kind != "register":
                text.append_text(caller_text(f"：{detail}"))
            text.append("\n")
        self.query_one("#detail-history", Static).update(text)

    def action_back(self) -> None:
        self.dismiss()

    # R10.2: the caller demands an explanation (overdue, or disputes the result); the unit answers.
    def action_demand(self) -> None:
        from .dialogs import ChoiceScreen, TextPromptScreen

        def reason(choice: str | None) -> None:
            if choice:
                self.app.push_screen(TextPromptScreen("要求说明（R10.2）", Text("来电人要求说明的内容："), "",
                                                      "请填写来电人要求说明的内容"),
                                     lambda text: self._record("demand_explanation", {"reason": choice, "text": text}) if text else None)

        self.app.push_screen(ChoiceScreen("要求承办单位说明的原因", [("overdue", "逾期未获知办理结果"), ("dispute", "对办理结果有异议")]), reason)

    def action_note(self) -> None:
        from .dialogs import TextPromptScreen

        self.app.push_screen(TextPromptScreen("补充说明", Text("来电人补充的内容（追加到办理单，原记录不变）：")),
                             lambda text: self._record("add_note", {"text": text}) if text else None)

    @work(thread=True, group="record")
    def _record(self, kind: str, payload: dict) -> None:
        from ...domain.errors import RuleViolation

        try:
            self.ticket = self.ctx.desk.record(self.ticket.id, kind, payload, self.ctx.now())
        except RuleViolation as exc:
            self.app.call_from_thread(self.notify, f"{exc.rule}：{exc.message}", severity="error", markup=False)
            return
        self.app.call_from_thread(self._refresh_after_record, TRANSITIONS[kind].title)

    def _refresh_after_record(self, title: str) -> None:
        self.query_one("#detail-summary", Static).update(self._summary())
        self.notify(f"已记录：{title}", markup=False)
        self._load()
