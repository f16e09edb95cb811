"""The intake screen: a live call recorded into a complete ticket, keyboard only.

Call panel on top, emergency banner under it, the ticket form on the left, the caller's history and
the knowledge base on the right. Store calls run in thread workers (one connection each) and come
back as messages; the form itself never touches the database.

One idea per module: this one lays the screen out and reacts to typing; `intake_start` paints the
first frame and finishes a deferred start (or resumes a draft), `intake_draft` autosaves the form,
`intake_actions` holds the F5–F10 actions, `intake_tools` the operator's aids (F3, F4, the knowledge
base, this shift's calls), `intake_phone` the phone system's calls and keys (issue 19), and
`operator_tui.call_state` the operator's state through the call (talking → after-call work → ready).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ..context import SeatBegin, SeatContext, first_frame
from ..safe import caller_text, joined
from ..widgets.call_panel import CallPanel
from ..widgets.key_bar import KeyBar
from ..widgets.sync_status import SyncStatusBar
from ..widgets.ticket_form import TicketForm
from .intake_actions import CallActions, spaced_number
from .intake_draft import DraftAutosave
from .intake_phone import PhoneCalls
from .intake_start import DeferredStart
from .intake_tools import SeatTools

if TYPE_CHECKING:  # loaded after the first frame
    from ...domain.model import Ticket
    from ...lookup import HistoryRow
    from ..app import SeatApp
    from ..widgets.caller_history import CallerHistory
    from ..widgets.emergency_banner import EmergencyBanner
    from ..widgets.knowledge_panel import KnowledgePanel
    from ..widgets.picker import PickerField

HISTORY_LIMIT = 50  # tickets in the screen pop; F10 asks the centre again beyond it
# The closing phrase's "{due}" for a ticket closed during the call (issue 14: it said "办结后将给您
# 回复" to a caller whose matter was just answered, refused or pointed elsewhere).
CLOSED_AT_INTAKE = {
    "answered": "您反映的问题已当场答复办结",
    "refused": "不予受理的理由已告知您",
    "advised": "办理途径已告知您",
}


@dataclass
class CallerInfo:
    rows: list[HistoryRow]
    credit_marks: int
    vulnerable: tuple[str, ...]
    note: str | None = None  # offline: the history is only this seat's records
    complete: bool = True  # every ticket of the caller is in `rows` (no limit reached)
    phone: str = ""  # the number it answers for


class IntakeScreen(DeferredStart, DraftAutosave, SeatTools, CallActions, PhoneCalls, Screen[None]):
    AUTO_FOCUS = ""  # the screen focuses the field the call starts in (phone, name or description)
    # priority: TextArea binds F6 (select line) and F7 (select all); the seat's keys must win
    # wherever the cursor is.
    BINDINGS = [
        Binding("f2", "new_call", "新来电", id="seat.new_call", priority=True),
        Binding("f3", "phrases", "规范用语", id="seat.phrases", priority=True),
        Binding("f4", "find", "查询工单", id="seat.find", priority=True),
        Binding("f5", "answer", "当场答复", id="seat.answer", priority=True),
        Binding("f6", "dispatch", "受理转办", id="seat.dispatch", priority=True),
        Binding("f7", "refuse", "不予受理", id="seat.refuse", priority=True),
        Binding("f8", "advise", "告知途径", id="seat.advise", priority=True),
        Binding("f9", "referral", "紧急转介", id="seat.referral", priority=True),
        Binding("f10", "link_call", "催办", id="seat.link_call", priority=True),
        # priority: the form's TextArea would take ctrl+k (delete line) and ctrl+a (line start).
        Binding("ctrl+k", "focus_kb", "知识库", id="seat.focus_kb", priority=True),
        Binding("ctrl+a", "use_kb_answer", "采用标准答复", id="seat.use_kb_answer", priority=True),
        Binding("ctrl+l", "shift_calls", "本班来电", id="seat.shift_calls", priority=True, show=False),
        # issue 19, with --cti only (hidden without it): the phone.
        Binding("f11", "pick_up", "接听", id="seat.pick_up", priority=True),
        Binding("ctrl+b", "hold", "保持", id="seat.hold", priority=True),
        Binding("ctrl+t", "transfer", "转接", id="seat.transfer", priority=True),
        Binding("ctrl+g", "agent_state", "示闲/示忙", id="seat.agent_state", priority=True),
    ]

    class Saved(Message):
        """A ticket was saved (or a call linked to one); `phrase` is what to read to the caller."""

        def __init__(self, ticket: Ticket, phrase: str) -> None:
            super().__init__()
            self.ticket = ticket
            self.phrase = phrase

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class CallerLoaded(Message):
        def __init__(self, phone: str, info: CallerInfo) -> None:
            super().__init__()
            self.phone = phone
            self.info = info

    def __init__(self, begin: SeatBegin) -> None:
        complete = isinstance(begin, SeatContext)
        # "-starting": the form keeps the width it will have beside the side panel, mounted later
        super().__init__(classes="" if complete else "-starting")
        # The call's state; its types are declared once, in intake_host.IntakeNeeds.
        self.start = first_frame(begin)
        self._begin = begin
        if isinstance(begin, SeatContext):
            self.ctx = begin
        self.call_id = None
        self.call_started_at = None
        self.pending_referrals = []
        self.kb_article = None
        self.units_overridden = False
        self.saved_ticket = None
        self.caller = None
        self._caller_phone = None
        self._init_drafts()
        self.loaded = complete  # False until the deferred start-up is done (and `ctx` set)
        self._pending_fields = []  # fields changed before then, replayed after
        self._init_phone()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._phone_action_allowed(action) is False:
            return False
        # While the seat finishes starting, its keys show dimmed and do nothing; typing goes on.
        if not self.loaded and any(b.action == action for b in self.BINDINGS if isinstance(b, Binding)):
            return None
        return True

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        policy = self.start.policy
        yield CallPanel(
            self.start.now,
            policy.call_warn_seconds,
            policy.call_long_seconds,
            wrap_up_seconds=policy.wrap_up_seconds,
            id="call",
        )
        if self.loaded:
            yield from self._notices()
        with Horizontal(id="main"):
            yield TicketForm(self.ctx.rules.taxonomy if self.loaded else None, head_only=not self.loaded, id="form")
            if self.loaded:
                with Vertical(id="side"):
                    yield from self._side_panels()
        if self.loaded:
            yield SyncStatusBar(self.seat_app.sync_status, tz=policy.tz, id="sync")
        yield KeyBar()

    def _notices(self) -> ComposeResult:
        """The emergency banner and the saved-ticket box, under the call panel; both hidden at first."""
        from ..widgets.emergency_banner import EmergencyBanner
        from ..widgets.ringing_banner import RingingBanner

        yield RingingBanner(self.ctx.now, id="ringing")
        yield EmergencyBanner(id="banner")
        saved = Static("", id="saved")
        saved.display = False
        yield saved

    def _side_panels(self) -> ComposeResult:
        from ..widgets.caller_history import CallerHistory

        yield CallerHistory(self.ctx.rules.taxonomy, self.ctx.rules.policy.tz, id="history")
        if self.ctx.kb_search is not None:
            from ..widgets.knowledge_panel import KnowledgePanel

            yield KnowledgePanel(self.ctx.kb_search, id="kb")

    @property
    def form(self) -> TicketForm:
        return self.query_one(TicketForm)

    @property
    def seat_app(self) -> SeatApp:
        return cast("SeatApp", self.app)

    # --- the call ------------------------------------------------------------------------

    def start_call(self, phone: str = "", *, call_id: str | None = None, ringing: bool = False) -> None:
        """A new call on the form: F2, `--caller`, or the phone ringing (`call_id` the switch's id;
        the talk timer then starts when it is answered)."""
        now = self.start.now()
        self.call_id = call_id or self._new_call_id(now)
        self.phone_call_id = call_id
        self.call_started_at = now
        self.pending_referrals = []
        self.kb_article = None
        self.units_overridden = False
        self.saved_ticket = None
        self.caller = None
        self._caller_phone = None
        if phone and self.loaded:
            # The screen pop first: its round trip to the server runs while the form is reset.
            from ...domain.validation import normalise_phone

            self._caller_phone = normalise_phone(phone)
            if self._caller_phone:
                self._load_caller(self._caller_phone)
        self.form.set_locked(False)
        self.form.load({"appellant": {"phone": phone}})
        self._mark_draft_baseline()
        for banner in self.query("#banner"):  # none yet while the seat is starting
            cast("EmergencyBanner", banner).clear()
        for kb in self.query("#kb"):  # issue 13: the last caller's answers go with the call
            cast("KnowledgePanel", kb).clear()
        for history in self.query("#history"):
            cast("CallerHistory", history).show([], now)
        for saved in self.query("#saved"):
            saved.display = False
        panel = self.query_one(CallPanel)
        panel.flags = ()
        if ringing:
            panel.ring(now)
        else:
            panel.stop()
            panel.start(now)
        self._after_form_change("phone")
        self.form.focus_field("name" if phone else "phone")
        self._schedule_autosave()

    def _dirty(self) -> bool:
        data = self.form.data()
        return self.saved_ticket is None and bool(
            (data["description"] or "").strip() or (data["appellant"]["name"] or "").strip()
        )

    def action_new_call(self) -> None:
        if not self._dirty():
            self.start_call()
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.start_call()

        from .dialogs import ConfirmScreen

        self.app.push_screen(
            ConfirmScreen("开始新来电", Text("当前来电尚未保存。开始新来电将丢弃当前记录，确定吗？", style="yellow")),
            confirmed,
        )

    # --- reacting to typing --------------------------------------------------------------

    @on(TicketForm.Changed)
    def _form_changed(self, message: TicketForm.Changed) -> None:
        if self.call_started_at is None:  # typing without F2: the call starts now
            now = self.start.now()
            self.call_id, self.call_started_at = self._new_call_id(now), now
            self.query_one(CallPanel).start(now)
        if message.field in ("lead_unit", "co_units"):
            self.units_overridden = True
        self._after_form_change(message.field)
        self._schedule_autosave()

    def _after_form_change(self, field: str) -> None:
        data = self.form.data()
        if field == "phone":
            self.query_one(CallPanel).phone = data["appellant"]["phone"] or ""
        if not self.loaded:  # the lookups wait for the rules, the store's queries, the triage
            self._pending_fields.append(field)
            return
        from ...domain.routing import suggest_units
        from ...domain.validation import normalise_phone

        self._suggest_after(field)  # issue 13: matter, type, place proposed from the words

        if field == "phone":
            phone = normalise_phone(data["appellant"]["phone"] or "")
            if phone and phone != self._caller_phone:
                self._caller_phone = phone
                self._load_caller(phone)
        if field == "description":
            self._triage(data["description"] or "")
        if field in ("description", "matter"):
            self._search_kb(data["description"] or "", data["matter"])
        if field in ("matter", "place", "scope") and not self.units_overridden:
            s = suggest_units(self.ctx.rules.taxonomy, data["matter"], data["place"], data["scope"])
            self.form.set_units(s.lead_unit, s.co_units)
        if field == "matter" and data["matter"]:
            scope = self.ctx.rules.taxonomy.matters[data["matter"]].scope
            picker = cast("PickerField", self.form.query_one("#scope"))
            if not picker.value:
                picker.set_value(str(scope), notify=False)
        if field in ("matter", "phone", "vulnerable"):
            self._refresh_flags()

    def _triage(self, text: str) -> None:
        rules = self.ctx.triage()
        if rules is None:
            return
        from ...domain.triage import triage

        banner = cast("EmergencyBanner", self.query_one("#banner"))
        for referral in self.pending_referrals:  # referred already (a draft resumed after a crash)
            banner.settle(str(referral.get("target")))
        banner.show_result(triage(text, rules))

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Compile the triage rules after the first frame, before the operator needs them; then
        the pickers' pinyin keys (pypinyin's import made the first picker take ~0.7 s to open)."""
        self.ctx.triage()
        from ..widgets.form_tail import choices
        from ..widgets.picker import search_keys

        for items in choices(self.ctx.rules.taxonomy).values():
            for choice in items:
                search_keys(choice.name)

    def _search_kb(self, text: str, matter: str | None) -> None:
        if self.ctx.kb_search is None:
            return
        from ..widgets.knowledge_panel import KnowledgePanel

        self.query_one(KnowledgePanel).search_for(text, matter)

    @work(thread=True, exclusive=True, group="caller")
    def _load_caller(self, phone: str) -> None:
        # Issue 11: the whole centre's tickets for this number (online), else this seat's; the
        # credit marks (R23.4) and vulnerable flags (R9.1) come from the same answer.
        from ...lookup import CentreLookup

        found = CentreLookup.of(self.ctx.store, self.ctx.sync, self.ctx.offline).history(phone, limit=HISTORY_LIMIT)
        info = CallerInfo(
            found.rows, found.credit_marks, found.vulnerable, found.note, complete=not found.more, phone=phone
        )
        self.post_message(self.CallerLoaded(phone, info))

    @on(CallerLoaded)
    def _caller_loaded(self, message: CallerLoaded) -> None:
        if message.phone != self._caller_phone:
            return  # a stale answer for a number since changed
        self.caller = message.info
        self._phone_history(message.info)
        cast("CallerHistory", self.query_one("#history")).show(
            message.info.rows, self.ctx.now(), note=message.info.note
        )
        self._suggest_name(message.info.rows)
        self._refresh_flags()

    def _refresh_flags(self) -> None:
        tax = self.ctx.rules.taxonomy
        data = self.form.data()
        flags: list[tuple[str, str]] = []
        vulnerable = set(data["appellant"]["vulnerable"]) | set(self.caller.vulnerable if self.caller else ())
        if vulnerable:  # R9.1
            flags.append(
                (
                    "援助对象："
                    + "、".join(
                        tax.vulnerable_groups[v].name for v in sorted(vulnerable) if v in tax.vulnerable_groups
                    ),
                    "bold magenta",
                )
            )
        if self.caller and self.caller.credit_marks:  # R23.4
            flags.append((f"诚信档案 {self.caller.credit_marks} 条", "bold red"))
        if self.caller and self.caller.rows:
            flags.append((f"历史工单 {len(self.caller.rows)}", "cyan"))
        dup = (
            cast("CallerHistory", self.query_one("#history")).open_with_matter(data["matter"])
            if self.saved_ticket is None
            else None
        )
        if dup is not None:  # R13.1: same matter still open → offer 催办 instead of a duplicate
            flags.append((f"同类工单 {dup.number} 未办结，F10 催办", "bold black on yellow"))
        self.query_one(CallPanel).flags = tuple(flags)

    def _closing_phrase(self, ticket: Ticket, now: datetime) -> str:
        from ...domain.deadlines import CLOCK_NAMES
        from ...domain.phrases import fill

        clock = self.ctx.desk.clock(ticket, now)
        if clock is not None:
            due = f"{CLOCK_NAMES[clock.name]}为{clock.due.at.astimezone(self.ctx.rules.policy.tz):%m月%d日}"
        else:
            due = CLOSED_AT_INTAKE.get(str(ticket.status), "办结后将给您回复")
        return fill(self.ctx.rules.phrases.templates["closing"], {"number": spaced_number(ticket.number), "due": due})

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        t = message.ticket
        first = self.saved_ticket is None
        self.saved_ticket = t
        self.pending_referrals = []
        self._stop_autosave()
        self._close_draft(self.call_id)
        if first:  # the call ends with its ticket (or, on the phone, when hung up): after-call work
            if not self._phone_saved(t):
                self.query_one(CallPanel).end(self.ctx.now())
            self.form.set_locked(True)  # nothing typed now can change a saved ticket (F2 starts anew)
        from ...domain.deadlines import CLOCK_NAMES

        clock = self.ctx.desk.clock(t, self.ctx.now())
        tz = self.ctx.rules.policy.tz
        line = joined(
            ("已保存  受理编号 ", "bold"),
            (spaced_number(t.number), "bold reverse"),
            "   ",
            (t.status_name, "bold green"),
        )
        if clock is not None:
            line.append(f"   {CLOCK_NAMES[clock.name]} {clock.due.at.astimezone(tz):%Y-%m-%d %H:%M}")
            if clock.due.provisional:
                line.append("（暂定：该年度节假日未公布）", style="yellow")
        line.append("\n")
        line.append_text(caller_text("请读出：" + message.phrase, "italic"))
        line.append("\n")
        line.append("F2 新来电   F9 补记紧急转介   F4 查询   （表单已锁定）", style="dim")
        saved = self.query_one("#saved", Static)
        saved.update(line)
        saved.display = True
        self.form.show_errors([])
        self.notify(f"办理单 {t.number} 已保存", markup=False)
        if self._caller_phone:  # the new ticket joins the caller's history
            self._load_caller(self._caller_phone)
        self.seat_app.refresh_sync_status()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(message.message, title="未能保存", severity="error", markup=False, timeout=10)
