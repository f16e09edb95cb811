"""Find a ticket across the whole centre and read its status in plain words (R10.1; issue 11).

By 受理编号 or the caller's phone (one field), by a fragment of the appellant's name or address, and
within a registration date range; the criteria combine. Online the server answers for every seat,
merged with this seat's unsynced tickets; offline this seat's store answers and the screen says so.
A ticket held only on the server opens from the server, and acting on it (y, l) first stores it
here, so the event goes out through the outbox like any other."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from ...domain.deadlines import CLOCK_NAMES
from ...domain.errors import BrokenInvariant, HotlineError
from ...domain.model import Event, Ticket
from ...domain.workflow import TRANSITIONS
from ...store import tickets
from ..context import SeatContext
from ..notices import notice
from ..safe import caller_text, joined
from ..widgets.bounded_input import BoundedInput
from ..widgets.call_record_view import TRANSFER_NAMES, TRANSFER_RESULTS, call_lines
from ..widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from ...lookup import Criteria, HistoryRow, Lookup

COORDINATION = (
    "承办单位之间沟通",
    "上级行政机关/主管部门协调",
    "群众工作委员会办公室协调",
    "市政府常务会议/群众工作委员会",
)
FIELDS = ("find-query", "find-name", "find-address", "find-from", "find-to")


class FindScreen(Screen):
    DEFAULT_CSS = """
    FindScreen #find { padding: 1 2; }
    FindScreen #find-fields { height: auto; }
    FindScreen #find-fields Input { width: 1fr; }
    FindScreen #find-fields #find-query { width: 2fr; }
    FindScreen #find-results { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="find.back"),
        Binding("f4", "back", "返回", show=False, id="find.back_f4"),
    ]

    class Found(Message):
        def __init__(self, found: Lookup, query: str) -> None:
            super().__init__()
            self.found = found
            self.query = query

    def __init__(self, ctx: SeatContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.found: list[HistoryRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="find"):
            yield Label(
                Text(
                    "查询办理单（全中心）：受理编号或电话、姓名、地址任填一项，可加登记日期范围；回车查询", style="bold"
                )
            )
            with Horizontal(id="find-fields"):
                yield BoundedInput(
                    placeholder="受理编号 / 电话号码", id="find-query", max_length=30, label="受理编号/电话"
                )
                yield BoundedInput(placeholder="姓名（可填部分）", id="find-name", max_length=50, label="姓名")
                yield BoundedInput(placeholder="住址（可填部分）", id="find-address", max_length=100, label="住址")
                yield BoundedInput(placeholder="登记自 2026-11-01", id="find-from", max_length=10, label="登记自")
                yield BoundedInput(placeholder="登记至 2026-11-30", id="find-to", max_length=10, label="登记至")
            yield Label("", id="find-status")
            table: DataTable[Text] = DataTable(id="find-results", cursor_type="row")
            table.add_columns("受理编号", "登记时间", "诉求人", "事项", "状态", "承办单位", "时限", "来源")
            yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#find-query", Input).focus()

    def _criteria(self) -> tuple[Criteria | None, str, str | None]:
        """The form as criteria, what was asked (for the status line), or what to fix."""
        from ...lookup import Criteria, parse_query

        values = {f: self.query_one(f"#{f}", Input).value.strip() for f in FIELDS}
        asked = "  ".join(v for v in values.values() if v)
        number = phone = None
        if values["find-query"]:
            parsed = parse_query(values["find-query"])
            if parsed is None:
                return None, asked, "受理编号为数字；电话为手机或座机号码（姓名、住址请填在后面的框里）"
            number, phone = parsed.number, parsed.phone
        if not (number or phone or values["find-name"] or values["find-address"]):
            return None, asked, "请填写受理编号、电话、姓名或住址中的至少一项（日期只用来缩小范围）"
        tz = self.ctx.rules.policy.tz
        bounds: list[datetime | None] = []
        for field, extra in (("find-from", 0), ("find-to", 1)):  # the end date is included
            if not values[field]:
                bounds.append(None)
                continue
            try:
                day = date.fromisoformat(values[field])
            except ValueError:
                return None, asked, f"日期“{values[field]}”格式不对，应为 2026-11-01"
            bounds.append(datetime.combine(day + timedelta(days=extra), time(), tzinfo=tz))
        if bounds[0] and bounds[1] and bounds[0] >= bounds[1]:
            return None, asked, "起始日期应早于截止日期"
        return (
            Criteria(
                number=number,
                phone=phone,
                name=values["find-name"] or None,
                address=values["find-address"] or None,
                registered_from=bounds[0],
                registered_to=bounds[1],
                limit=100,
            ),
            asked,
            None,
        )

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        criteria, asked, problem = self._criteria()
        if problem:
            self.query_one("#find-status", Label).update(Text(problem, style="bold red"))
            return
        if criteria is not None:
            self.query_one("#find-status", Label).update(Text("查询中…", style="dim"))
            self._search(criteria, asked)

    @work(thread=True, exclusive=True, group="find")
    def _search(self, criteria: Criteria, asked: str) -> None:
        from ...lookup import CentreLookup, Lookup

        try:
            found = CentreLookup.of(self.ctx.store, self.ctx.sync, self.ctx.offline).find(criteria)
        except ValueError as exc:  # criteria the server would refuse: say what, do not crash
            found = Lookup(note=f"查询条件有误：{exc}")
        self.post_message(self.Found(found, asked))

    @on(Found)
    def _found(self, message: Found) -> None:
        self.found = message.found.rows
        tax, tz, now = self.ctx.rules.taxonomy, self.ctx.rules.policy.tz, self.ctx.now()
        table = self.query_one(DataTable)
        table.clear()
        status = self.query_one("#find-status", Label)
        note = message.found.note
        if not self.found:
            line = joined(("未找到：", "bold red"), message.query)
            if note:
                line.append(f"  {note}", style="bold yellow")
            status.update(line)
            return
        line = Text(
            f"找到 {len(self.found)} 单" + ("（仅显示最新的）" if message.found.more else "") + "，回车查看详情",
            style="green",
        )
        if note:
            line.append(f"  {note}", style="bold yellow")
        status.update(line)
        for r in self.found:
            due = Text("-", style="dim")
            if r.due_at and not r.closed:
                overdue = r.due_at < now
                due = Text(
                    r.due_at.astimezone(tz).strftime("%m-%d %H:%M") + (" 超期" if overdue else ""),
                    style="bold red" if overdue else "",
                )
            matter = tax.matters.get(r.matter)
            table.add_row(
                caller_text(r.number),
                Text(r.registered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")),
                caller_text(r.name),
                caller_text(matter.name if matter else r.matter),
                Text(r.status_name),
                caller_text("、".join(tax.units[u].name if u in tax.units else u for u in r.units) or "-"),
                due,
                Text(r.source, style="dim" if r.remote else "yellow"),
                key=r.id,
            )
        table.focus()

    @on(DataTable.RowSelected, "#find-results")
    def _open(self, event: DataTable.RowSelected) -> None:
        row = next((r for r in self.found if r.id == event.row_key.value), None)
        if row is None:
            return
        detail = TicketDetailScreen(self.ctx, row.ticket, number=row.number if row.remote else None)
        self.app.push_screen(detail, self._back_from_detail)

    def _back_from_detail(self, _result: object = None) -> None:
        """Back from a ticket: the cursor in the find box, ready for the next caller's number
        (issue 14: it stayed on the old results)."""
        box = self.query_one("#find-query", Input)
        box.focus()
        box.select_all()

    def action_back(self) -> None:
        self.dismiss()


class TicketDetailScreen(Screen):
    """One ticket in plain words: status, units, deadlines, history (R10.1). Given a `number`, the
    ticket is one held on the server (recorded at another seat): read from there, and stored here
    before this seat records anything on it."""

    DEFAULT_CSS = "TicketDetailScreen #detail { padding: 1 2; }"

    BINDINGS = [
        Binding("escape", "back", "返回", id="detail.back"),
        Binding("y", "demand", "要求说明", id="detail.demand_explanation"),
        Binding("l", "note", "补充说明", id="detail.add_note"),
    ]

    class Loaded(Message):
        def __init__(self, history: list[Event], ticket: Ticket | None = None, problem: str | None = None) -> None:
            super().__init__()
            self.history = history
            self.ticket = ticket
            self.problem = problem

    def __init__(self, ctx: SeatContext, ticket: Ticket | None, number: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.ticket = ticket
        self.remote_number = number  # set while the ticket is the server's, not yet stored here

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(
                self._summary() if self.ticket else Text("正在从中心读取办理单…", style="dim"), id="detail-summary"
            )
            yield Label(Text("办理历史", style="bold underline"))
            yield Static("", id="detail-history")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True)
    def _load(self) -> None:
        if self.remote_number is None:
            if self.ticket is None:  # the screen is given a ticket or the number of one
                raise BrokenInvariant("ticket detail: neither a ticket nor its number")
            with self.ctx.store.connect() as db:
                history = tickets.events(db, self.ticket.id)
            self.post_message(self.Loaded(history))
            return
        from ...lookup import CentreLookup
        from ...sync.errors import SyncError

        try:
            d = CentreLookup.of(self.ctx.store, self.ctx.sync, self.ctx.offline).detail(self.remote_number)
        except SyncError as exc:
            self.post_message(self.Loaded([], problem=f"未能从中心读取办理单：{exc}"))
            return
        self.post_message(self.Loaded([e.to_domain() for e in d.events], d.ticket.ticket))

    def _summary(self) -> Text:
        t, tax, tz = self.ticket, self.ctx.rules.taxonomy, self.ctx.rules.policy.tz
        if t is None:  # shown only once the ticket is here (compose, _loaded)
            raise BrokenInvariant("ticket detail: a summary without its ticket")
        clock = self.ctx.desk.clock(t, self.ctx.now())
        lines = joined(("受理编号 ", "bold"), (t.number, "bold reverse"), "   ", (t.status_name, "bold green"), "\n")
        lines.append_text(
            joined("诉求人 ", t.appellant.name, "   电话 ", t.appellant.phone, "   住址 ", t.appellant.address, "\n")
        )
        lines.append_text(
            joined(
                "事项 ",
                tax.matters[t.matter].name,
                "   地点 ",
                tax.places[t.place].name,
                "   类型 ",
                tax.appeal_types[t.appeal_type].name,
                "   渠道 ",
                tax.channels[t.channel].name,
                "\n",
            )
        )
        lines.append_text(joined("诉求内容 ", t.description, "\n"))
        units = "、".join(tax.units[u].name for u in t.units)
        lines.append_text(joined("承办单位 ", units or "（尚未转办）", "\n"))
        if clock is not None:
            state = "已超期" if clock.overdue else ("暂停计时（回避）" if clock.paused else "计时中")
            lines.append_text(
                joined(
                    f"{CLOCK_NAMES[clock.name]} ",
                    clock.due.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    (f"  {state}", "bold red" if clock.overdue else "yellow"),
                    ("（暂定）" if clock.due.provisional else "", "yellow"),
                    "\n",
                )
            )
        if t.coordination_level:
            lines.append(f"协调层级 {COORDINATION[t.coordination_level]}\n")
        if t.supervisions:
            lines.append(f"督办 {len(t.supervisions)} 次，当前第 {t.supervision_level} 级\n", style="bold red")
        for d in t.explanation_demands:
            lines.append_text(
                joined(
                    ("要求说明 ", "bold yellow"), d.text, ("  单位说明：", "bold"), d.answer or "（待单位答复）", "\n"
                )
            )
        for label, value in (("答复", t.answer), ("不予受理理由", t.refusal_reason), ("办理结果", t.result)):
            if value:
                lines.append_text(joined((label + " ", "bold"), value, "\n"))
        for r in t.referrals:
            lines.append_text(joined(("紧急转介 ", "bold red"), r.target, " ", r.outcome, " ", r.reason, "\n"))
            if r.transfer_mode:  # issue 19: the phone transfer made with it
                lines.append_text(
                    joined(
                        "  电话",
                        (TRANSFER_NAMES.get(r.transfer_mode, r.transfer_mode), "bold"),
                        " ",
                        TRANSFER_RESULTS.get(r.transfer_result or "", r.transfer_result or ""),
                        f"  通话 {r.call_id}" if r.call_id else "",
                        "\n",
                    )
                )
        for c in t.calls:  # R11.1: what a supervisor looks the recording up by
            lines.append_text(call_lines(c, tz))
        if t.rating:
            lines.append(
                f"评价 时效{t.rating.timeliness}★ 结果{t.rating.result}★ 态度{t.rating.attitude}★ 总体{t.rating.overall}★\n"
            )
        return lines

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        tz = self.ctx.rules.policy.tz
        if message.problem:
            self.query_one("#detail-summary", Static).update(Text(message.problem, style="bold red"))
            return
        if message.ticket is not None:
            self.ticket = message.ticket
            self.query_one("#detail-summary", Static).update(self._summary())
        text = Text(end="")
        for e in message.history:
            text.append(e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M  "))
            text.append(TRANSITIONS[e.kind].title if e.kind in TRANSITIONS else e.kind, style="bold")
            text.append_text(caller_text(f"  {e.actor}"))
            detail = (
                e.payload.get("reason") or e.payload.get("text") or e.payload.get("result") or e.payload.get("answer")
            )
            if detail and e.kind != "register":
                text.append_text(caller_text(f"：{detail}"))
            text.append("\n")
        self.query_one("#detail-history", Static).update(text)

    def action_back(self) -> None:
        self.dismiss()

    # R10.2: the caller demands an explanation (overdue, or disputes the result); the unit answers.
    def _ready(self) -> bool:
        if self.ticket is None:
            self.notify("办理单尚未读取到，无法记录", severity="warning", markup=False)
        return self.ticket is not None

    def action_demand(self) -> None:
        from .dialogs import ChoiceScreen, TextPromptScreen

        if not self._ready():
            return

        def reason(choice: str | None) -> None:
            if choice:

                def said(text: str | None) -> None:
                    if text:
                        self._record("demand_explanation", {"reason": choice, "text": text})

                self.app.push_screen(
                    TextPromptScreen(
                        "要求说明（R10.2）", Text("来电人要求说明的内容："), "", "请填写来电人要求说明的内容"
                    ),
                    said,
                )

        self.app.push_screen(
            ChoiceScreen(
                "要求承办单位说明的原因", [("overdue", "逾期未获知办理结果"), ("dispute", "对办理结果有异议")]
            ),
            reason,
        )

    def action_note(self) -> None:
        from .dialogs import TextPromptScreen

        if not self._ready():
            return

        def said(text: str | None) -> None:
            if text:
                self._record("add_note", {"text": text})

        self.app.push_screen(TextPromptScreen("补充说明", Text("来电人补充的内容（追加到办理单，原记录不变）：")), said)

    @work(thread=True, group="record")
    def _record(self, kind: str, payload: dict) -> None:
        from ...lookup import CentreLookup

        now = self.ctx.now()
        try:
            if self.remote_number is not None:  # another seat's ticket: stored here first (issue 11)
                lookup = CentreLookup.of(self.ctx.store, self.ctx.sync, self.ctx.offline)
                self.ticket = lookup.ensure_local(self.remote_number, self.ctx.rules, now, purpose="办理单补记")
                self.remote_number = None
            if self.ticket is None:  # _ready() checked it before the dialog
                raise BrokenInvariant("ticket detail: nothing to record on")
            self.ticket = self.ctx.desk.record(self.ticket.id, kind, payload, now)
        except HotlineError as exc:  # a rule's refusal, no such ticket, the server away: said, not raised
            said = notice(exc)
            self.app.call_from_thread(
                self.notify, said.message, severity=said.severity, timeout=said.timeout, markup=False
            )
            return
        self.app.call_from_thread(self._refresh_after_record, TRANSITIONS[kind].title)

    def _refresh_after_record(self, title: str) -> None:
        self.query_one("#detail-summary", Static).update(self._summary())
        self.notify(f"已记录：{title}", markup=False)
        self._load()
