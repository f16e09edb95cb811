"""The supervisor's queue overview (R30.1) and the actions taken from it (R23–R28).

Counts and queues come from the local store, which sync keeps current from the server; the screen
refreshes itself every few seconds in a worker. When a server is configured but unreachable the
overview is read-only (the server owns workflow decisions, ARCHITECTURE "Who owns what").

The 风险预警 panel (R31.1) shows the warnings computed from the seat's store, merged with the
server's list and its decisions (fetched in a worker, less often than the counts); a supervisor
walks it with the arrows (j jumps there) and decides with q (确认) or i (排除) and a reason.
Offline it shows the local warnings and says the decisions are not known.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ...desk import Desk
from ...domain.deadlines import CLOCK_NAMES
from ...domain.errors import HotlineError
from ...domain.model import STATUS_NAMES, Role, Ticket
from ...domain.workflow import TRANSITIONS
from ...risks_client import Decision, RiskBoard, RisksReader, RisksUnavailable, ServerWarning
from ...store import overview, tickets
from ..context import SeatContext
from ..notices import notice
from ..safe import caller_text
from ..widgets.key_bar import KeyBar
from ..widgets.risk_list import RiskList, RiskRow, merge, row_text
from ..widgets.sync_status import SyncStatusBar
from .actions import ACTIONS, BY_KIND, gather
from .find import TicketDetailScreen

if TYPE_CHECKING:
    from ..app import SeatApp

REFRESH_SECONDS = 3.0
RISKS_REFRESH_SECONDS = 30.0  # the server's decisions: another supervisor's shows up within this
DECIDERS = (Role.SUPERVISOR, Role.ADMIN)  # as the API: operators and units get 403


def _risk_policy():
    """The [risks] policy, or None (no warnings shown) when the site's file is unusable: the
    overview must keep working; `hotline report risks` names the problem."""
    from ...risk_rules import RiskPolicyError, load_risk_policy

    try:
        return load_risk_policy()
    except RiskPolicyError:
        return None


def _late(d: timedelta | None) -> str:
    if d is None:
        return "-"
    days, rest = divmod(int(d.total_seconds()), 86400)
    return f"{days}天{rest // 3600}时" if days else f"{rest // 3600}时{rest % 3600 // 60}分"


class OverviewScreen(Screen):
    CSS_PATH = "overview.tcss"  # read when the overview is first shown, not at the seat's start
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "详情", id="sup.open"),
        Binding("g", "reload", "刷新", id="sup.refresh"),
        Binding("l", "rates", "三率考核", id="sup.rates"),  # 率 (lǜ); r is 不予受理
        Binding("j", "risks", "风险预警", id="sup.risks"),  # 警 (jǐng); the panel's q/i decide
        Binding("0", "stage(0)", "全部", show=False, id="sup.stage_all"),
        *(Binding(str(i), f"stage({i})", show=False, id=f"sup.stage{i}") for i in range(1, len(overview.STAGES) + 1)),
        *(Binding(a.key, f"act('{a.kind}')", a.label, show=False, id=f"sup.{a.kind}") for a in ACTIONS),
    ]

    class Computed(Message):
        def __init__(self, result: overview.Overview) -> None:
            super().__init__()
            self.result = result

    class Selected(Message):
        def __init__(self, ticket: Ticket | None) -> None:
            super().__init__()
            self.ticket = ticket

    class Done(Message):
        def __init__(self, text: str, error: bool = False) -> None:
            super().__init__()
            self.text = text
            self.error = error

    class BoardLoaded(Message):
        def __init__(self, board: RiskBoard | None, problem: str | None = None) -> None:
            super().__init__()
            self.board = board
            self.problem = problem

    def __init__(self, ctx: SeatContext, risks_reader: RisksReader | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.risks_reader = risks_reader or RisksReader.of(ctx.sync, ctx.offline)
        self.board: RiskBoard | None = None  # the server's warnings and decisions, last known
        self.board_problem: str | None = None
        self.stage_filter: int = 0
        self.result: overview.Overview | None = None
        self.selected: Ticket | None = None
        self.desk = Desk(ctx.store, ctx.rules, ctx.desk.actor, ctx.role)

    def compose(self) -> ComposeResult:
        yield Static("", id="ov-head")
        with Horizontal(id="ov-top"):
            stages: DataTable[Text] = DataTable(id="ov-stages", cursor_type="row", zebra_stripes=True)
            stages.add_columns("键", "阶段", "数量", "今日到期", "超期", "最长超期", "计时")
            yield stages
            units: DataTable[Text] = DataTable(id="ov-units", cursor_type="row", zebra_stripes=True)
            units.add_columns("承办单位", "在办", "超期", "按时率(30天)")
            yield units
        with Horizontal(id="ov-bottom"):
            with Vertical(id="ov-left"):
                yield Label("", id="ov-queue-title")
                queue: DataTable[Text] = DataTable(id="ov-queue", cursor_type="row", zebra_stripes=True)
                queue.add_columns("受理编号", "状态", "事项", "主办单位", "时限", "标记")
                yield queue
            with Vertical(id="ov-side"):
                yield Label(
                    Text("风险预警（R31.1：突增、社会稳定/公共安全/廉政线索）", style="bold"), id="ov-risks-title"
                )
                yield Static("", id="ov-risks-state")
                yield RiskList(id="ov-risks")
                yield Label(Text("热点（24小时内同事项同地点）", style="bold"))
                hot: DataTable[Text] = DataTable(id="ov-hot", cursor_type="none")
                hot.add_columns("事项", "地点", "未办结")
                yield hot
                yield Label(Text("今日坐席登记量", style="bold"))
                seats: DataTable[Text] = DataTable(id="ov-seats", cursor_type="none")
                seats.add_columns("坐席", "登记")
                yield seats
        yield Static("", id="ov-actions")
        yield SyncStatusBar(self._seat_app.sync_status, tz=self.ctx.rules.policy.tz, id="sync")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.action_refresh)
        self.action_refresh()
        if self.ctx.role in DECIDERS:
            self.set_interval(RISKS_REFRESH_SECONDS, self.refresh_board)
            self.refresh_board()
        self.query_one("#ov-queue").focus()

    # --- data ------------------------------------------------------------------------------

    @property
    def _seat_app(self) -> SeatApp:
        return cast("SeatApp", self.app)

    @property
    def read_only(self) -> bool:
        status = self._seat_app.sync_status
        return bool(self.ctx.settings.server_url) and not (status is not None and status.online)

    def action_refresh(self) -> None:
        self._compute(self.stage_filter)

    def action_reload(self) -> None:
        """g: the counts now, and the server's decisions too."""
        self.action_refresh()
        self.refresh_board()

    def refresh_board(self) -> None:
        if self.ctx.role not in DECIDERS:
            return
        if self.risks_reader.client is None:
            self.post_message(self.BoardLoaded(None, self.risks_reader.away))
            return
        self._fetch_board()

    @work(thread=True, exclusive=True, group="risks")
    def _fetch_board(self) -> None:
        try:
            board = self.risks_reader.board()
        except RisksUnavailable as exc:
            self.post_message(self.BoardLoaded(None, str(exc)))
            return
        self.post_message(self.BoardLoaded(board))

    @on(BoardLoaded)
    def _board_loaded(self, message: BoardLoaded) -> None:
        # A failed read keeps the decisions already known: a decision is final, never undone.
        if message.board is not None:
            self.board = message.board
        self.board_problem = message.problem
        if self.result is not None:
            self._show_risks(self.result)

    @work(thread=True, exclusive=True, group="overview")
    def _compute(self, stage: int) -> None:
        now = self.ctx.now()
        with self.ctx.store.connect() as db:
            # With a stage filter the queue is read per status below, not the overall one twice.
            result = overview.compute(
                db,
                now,
                self.ctx.rules.policy.tz,
                queue_limit=0 if stage else 200,
                clocks=self.ctx.rules.clocks,
                taxonomy=self.ctx.rules.taxonomy,
                risk_policy=_risk_policy(),
            )
            if stage:
                statuses = overview.STAGES[stage - 1][2]
                items = [i for s in statuses for i in overview.queue(db, now, 200, s)]
                result = replace(result, queue=tuple(items))
        self.post_message(self.Computed(result))

    @on(Computed)
    def _show(self, message: Computed) -> None:
        o = self.result = message.result
        tax = self.ctx.rules.taxonomy
        self._show_risks(o)

        stages = self.query_one("#ov-stages", DataTable)
        stages.clear()
        for i, s in enumerate(o.stages, 1):
            style = "bold red" if s.overdue else ""
            stages.add_row(
                Text(str(i), style="dim"),
                Text(s.name, style="reverse" if i == self.stage_filter else ""),
                Text(str(s.count)),
                Text(str(s.due_today), style="yellow" if s.due_today else ""),
                Text(str(s.overdue), style=style),
                Text(_late(s.worst_overdue), style=style),
                Text("、".join(CLOCK_NAMES.get(c, c) for c in s.clocks) or "-"),
            )
        units = self.query_one("#ov-units", DataTable)
        units.clear()
        for u in o.units[:30]:
            rate = "-" if u.on_time_rate is None else f"{u.on_time_rate:.0%}"
            units.add_row(
                caller_text(tax.units[u.unit].name if u.unit in tax.units else u.unit),
                Text(str(u.open)),
                Text(str(u.overdue), style="bold red" if u.overdue else ""),
                Text(rate),
            )
        hot = self.query_one("#ov-hot", DataTable)
        hot.clear()
        for h in o.hot_spots:
            hot.add_row(
                caller_text(tax.matters[h.matter].name if h.matter in tax.matters else h.matter),
                caller_text(tax.places[h.place].name if h.place in tax.places else h.place),
                Text(str(h.open), style="bold red"),
            )
        seats = self.query_one("#ov-seats", DataTable)
        seats.clear()
        for seat, n in o.seats:
            seats.add_row(caller_text(seat), Text(str(n)))
        self._show_queue(o)

    def _show_head(self, o: overview.Overview, open_risks: int) -> None:
        tz = self.ctx.rules.policy.tz
        if self.ctx.settings.server_url is None:
            mode = Text(" 本地模式 ", style="bold black on cyan")
        elif self.read_only:
            mode = Text(" 离线·本地只读 ", style="bold white on red")
        else:
            mode = Text(" 在线 ", style="bold black on green")
        head = Text("队列总览  ", style="bold")
        head.append(f"更新于 {o.at.astimezone(tz):%H:%M:%S}  ")
        head.append_text(mode)
        head.append(f"   今日登记 {o.registered_today}  今日办结 {o.closed_today}  ")
        head.append(f"今日紧急转介 {o.referrals_today}", style="bold red" if o.referrals_today else "")
        head.append(f"  超期 {o.open_overdue}", style="bold red" if o.open_overdue else "")
        head.append(f"  督办中 {o.under_supervision}  待单位说明 {o.open_demands}")
        # Open warnings only: one a supervisor has decided on needs no more attention.
        head.append(f"  风险预警 {open_risks}", style="bold white on red" if open_risks else "")
        self.query_one("#ov-head", Static).update(head)

    def _name_of(self, dimension: str, code: str) -> str:
        tax = self.ctx.rules.taxonomy
        entry = {"matter": tax.matters, "place": tax.places, "unit": tax.units}.get(dimension, {}).get(code)
        return entry.name if entry is not None else code

    def _show_risks(self, o: overview.Overview) -> None:
        tz = self.ctx.rules.policy.tz
        rows = merge(o.risks, self.board)
        self.query_one("#ov-risks", RiskList).show(rows, self._name_of, tz)
        self._show_head(o, sum(1 for r in rows if r.open))
        state = self.query_one("#ov-risks-state", Static)
        if self.ctx.role not in DECIDERS:
            state.display = False
            return
        state.display = True
        if self.board_problem is not None:
            # Offline or refused: the local warnings stand; what the server decided is not known.
            known = "（以下处置状态为上次读取）" if self.board is not None else ""
            state.update(Text(self.board_problem + known, style="bold yellow"))
        elif self.board is not None:
            decided = sum(1 for r in rows if r.decision is not None)
            at = self.board.at.astimezone(tz)
            state.update(
                Text(f"待处置 {len(rows) - decided}  已处置 {decided}  处置状态读于 {at:%H:%M:%S}", style="dim")
            )
        else:
            state.update(Text("正在读取服务器的处置状态…", style="dim"))

    def _show_queue(self, o: overview.Overview) -> None:
        tax, tz, now = self.ctx.rules.taxonomy, self.ctx.rules.policy.tz, self.ctx.now()
        name = "全部未办结" if not self.stage_filter else overview.STAGES[self.stage_filter - 1][1]
        self.query_one("#ov-queue-title", Label).update(
            Text(
                f"工作队列：{name}（{len(o.queue)}）  数字键 1–{len(overview.STAGES)} 按阶段筛选，0 全部", style="bold"
            )
        )
        table = self.query_one("#ov-queue", DataTable)
        keep = table.cursor_row
        table.clear()
        for item in o.queue:
            flags = Text()
            if item.referrals:
                flags.append("紧急转介 ", style="bold white on red")
            if item.open_demands:
                flags.append("待说明 ", style="bold yellow")
            if item.supervision_level:
                flags.append(f"督办{item.supervision_level}级 ", style="bold magenta")
            if item.priority:
                flags.append("优先 ", style="magenta")
            due = Text("-", style="dim")
            if item.due_at is not None:
                late = item.due_at < now
                due = Text(
                    item.due_at.astimezone(tz).strftime("%m-%d %H:%M")
                    + (" 超期" if late else "")
                    + (" 暂定" if item.due_provisional else ""),
                    style="bold red" if late else "",
                )
            table.add_row(
                caller_text(item.number),
                Text(STATUS_NAMES[item.status]),
                caller_text(tax.matters[item.matter].name if item.matter in tax.matters else item.matter),
                caller_text(tax.units[item.lead_unit].name if item.lead_unit and item.lead_unit in tax.units else "-"),
                due,
                flags,
                key=item.id,
            )
        if keep is not None and o.queue:
            table.move_cursor(row=min(keep, len(o.queue) - 1))

    # --- selection and actions ----------------------------------------------------------

    @on(DataTable.RowHighlighted, "#ov-queue")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._load_selected(event.row_key.value if event.row_key else None)

    @work(thread=True, exclusive=True, group="selected")
    def _load_selected(self, ticket_id: str | None) -> None:
        ticket = None
        if ticket_id:
            with self.ctx.store.connect() as db:
                ticket = tickets.get(db, ticket_id)
        self.post_message(self.Selected(ticket))

    @on(Selected)
    def _selected(self, message: Selected) -> None:
        self.selected = t = message.ticket
        box = self.query_one("#ov-actions", Static)
        if t is None:
            box.update("")
            return
        allowed = {tr.kind for tr in self.ctx.rules.workflow.allowed(t, self.ctx.role)}
        allowed.discard("recusal_request" if t.paused else "recusal_decision")  # R27.1: one open request at a time
        text = Text(f"{t.number} {t.status_name}  可用操作：", style="bold")
        shown = [a for a in ACTIONS if a.kind in allowed]
        for a in shown:
            text.append(f" {a.key}", style="bold cyan")
            text.append(f" {a.label}")
        if not shown:
            text.append(" 无（当前角色或状态不允许）", style="dim")
        if self.read_only:
            text.append("   离线只读：恢复连接后再操作", style="bold red")
        box.update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # R35.1: the rates assess units and staff, so supervisors and admins only (as the API)
        return action != "rates" or self.ctx.role in (Role.SUPERVISOR, Role.ADMIN)

    def action_rates(self) -> None:
        from .rates import RatesScreen

        if self.check_action("rates", ()):
            self.app.push_screen(RatesScreen(self.ctx))

    def action_risks(self) -> None:
        self.query_one("#ov-risks", RiskList).focus()

    @on(RiskList.DecisionAsked)
    def _decision_asked(self, message: RiskList.DecisionAsked) -> None:
        from .risk_decision import RiskDecisionScreen

        row, tz = message.row, self.ctx.rules.policy.tz
        if self.ctx.role not in DECIDERS:
            self.notify("风险预警的处置仅限值班长和管理员", severity="warning", markup=False)
            return
        if row is None:
            self.notify("请先在风险预警中选择一条预警（j 跳到预警，↑↓ 选择）", severity="warning", markup=False)
            return
        if row.decision is not None:
            d = row.decision
            self.notify(
                f"该预警已于 {d.decided_at.astimezone(tz):%Y-%m-%d %H:%M} 由 {d.actor} {d.name}，不能重复处理",
                severity="warning",
                markup=False,
            )
            return
        if self.risks_reader.client is None:
            self.notify(self.risks_reader.away, severity="warning", markup=False)
            return

        def done(warning: ServerWarning | None) -> None:
            if warning is not None and warning.decision is not None:
                self._decided(warning, warning.decision)
            self.query_one("#ov-risks", RiskList).focus()
            self.refresh_board()  # a cancel may follow a send that reached the server

        about = row_text(RiskRow(row.id, row.kind, row.body), self._name_of, tz)
        self.app.push_screen(RiskDecisionScreen(self.risks_reader, row.id, message.decision, about), done)

    def _decided(self, warning: ServerWarning, d: Decision) -> None:
        self.notify(f"已{d.name}预警 {warning.id}", markup=False)
        # Shown at once, before the board is read again.
        board = self.board or RiskBoard(self.ctx.now(), ())
        rest = tuple(w for w in board.warnings if w.id != warning.id)
        self.board = RiskBoard(board.at, (*rest, warning))
        if self.result is not None:
            risks = self.query_one("#ov-risks", RiskList)
            place = risks.highlighted
            self._show_risks(self.result)
            # The decided one moves down among the decided; the cursor stays where it was, on
            # the next open warning, so a supervisor can go on deciding down the list.
            if place is not None and risks.rows:
                risks.highlighted = min(place, len(risks.rows) - 1)

    def action_stage(self, n: int) -> None:
        self.stage_filter = n
        self.action_refresh()

    def action_open(self) -> None:
        if self.selected is not None:
            self.app.push_screen(TicketDetailScreen(self.ctx, self.selected))

    def action_act(self, kind: str) -> None:
        t = self.selected
        if t is None:
            self.notify("请先在工作队列中选择一张办理单", severity="warning", markup=False)
            return
        if self.read_only:
            self.notify("离线：总览为本地只读数据，恢复连接后再操作", severity="warning", markup=False)
            return
        action = BY_KIND[kind]
        transition = TRANSITIONS[kind]
        if t.status not in (transition.sources or ()):
            self.notify(
                f"{t.number} 当前为“{t.status_name}”，不能{action.label}（{action.rule}）",
                severity="warning",
                markup=False,
            )
            return

        def done(payload: dict[str, Any] | None) -> None:
            if payload is not None:
                self._record(t.id, kind, payload)

        gather(self.app, action, t, self.ctx.rules.taxonomy, self.ctx.now(), done)

    @work(thread=True, group="record")
    def _record(self, ticket_id: str, kind: str, payload: dict[str, Any]) -> None:
        try:
            t = self.desk.record(ticket_id, kind, payload, self.ctx.now())
        except HotlineError as exc:  # a rule's refusal, the ticket gone, the store unusable: said, not raised
            self.post_message(self.Done(notice(exc).message, error=True))
            return
        self.post_message(self.Done(f"{t.number}：{TRANSITIONS[kind].title}，现为“{t.status_name}”"))
        self.post_message(self.Selected(t))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.notify(message.text, severity="error" if message.error else "information", markup=False)
        self.action_refresh()
        self._seat_app.refresh_sync_status()
