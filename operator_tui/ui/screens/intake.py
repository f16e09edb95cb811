"""The intake screen: a live call recorded into a complete ticket, keyboard only.

Call panel on top, emergency banner under it, the ticket form on the left, the caller's history and
the knowledge base on the right. Store calls run in thread workers (one connection each) and come
back as messages; the form itself never touches the database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from ...desk import IntakeInvalid, new_id
from ...domain.deadlines import CLOCK_NAMES
from ...domain.errors import RuleViolation
from ...domain.model import Ticket
from ...domain.phrases import fill, form_values
from ...domain.routing import suggest_units
from ...domain.validation import normalise_phone, validate_intake
from ...store import drafts, tickets
from ...store.tickets import TicketRow
from ..context import SeatContext
from ..safe import caller_text, joined
from ..widgets.call_panel import CallPanel
from ..widgets.caller_history import CallerHistory
from ..widgets.emergency_banner import EmergencyBanner
from ..widgets.sync_status import SyncStatusBar
from ..widgets.ticket_form import TicketForm
from .dialogs import ChoiceScreen, ConfirmScreen, PhrasesScreen, TextPromptScreen
from .disposition import Disposition, describe

AUTOSAVE_DELAY = 0.4  # seconds after the last keystroke; the issue asks for < 1 s


def spaced_number(number: str) -> str:
    """261126 001 0042: easier to read aloud."""
    return f"{number[:6]} {number[6:9]} {number[9:]}" if len(number) == 13 else number


@dataclass
class CallerInfo:
    rows: list[TicketRow]
    credit_marks: int
    vulnerable: tuple[str, ...]


class IntakeScreen(Screen):
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

    def __init__(self, ctx: SeatContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.call_id: str | None = None
        self.call_started_at: datetime | None = None
        self.pending_referrals: list[dict[str, Any]] = []
        self.kb_article: str | None = None
        self.units_overridden = False
        self.saved_ticket: Ticket | None = None
        self.caller: CallerInfo | None = None
        self._caller_phone: str | None = None
        self._autosave: Timer | None = None
        self._draft_lock = threading.Lock()
        self._closed_calls: set[str | None] = set()

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        policy = self.ctx.rules.policy
        yield CallPanel(self.ctx.now, policy.call_warn_seconds, policy.call_long_seconds, id="call")
        yield EmergencyBanner(id="banner")
        yield Static("", id="saved")
        with Horizontal(id="main"):
            yield TicketForm(self.ctx.rules.taxonomy, id="form")
            with Vertical(id="side"):
                yield CallerHistory(self.ctx.rules.taxonomy, policy.tz, id="history")
                if self.ctx.kb_search is not None:
                    from ..widgets.knowledge_panel import KnowledgePanel

                    yield KnowledgePanel(self.ctx.kb_search, id="kb")
        yield SyncStatusBar(self.app.sync_status, tz=policy.tz, id="sync")
        yield Footer()

    @property
    def form(self) -> TicketForm:
        return self.query_one(TicketForm)

    def on_mount(self) -> None:
        self.query_one("#saved", Static).display = False
        # Read on the UI thread, once: a ~1 ms primary-key read, and the form must hold the
        # restored draft before the operator can type into it.
        with self.ctx.store.connect() as db:
            draft = drafts.load(db)
        self._restore(draft)

    # --- draft autosave (crash mid-call loses at most the last keystrokes) ---------------

    def _restore(self, draft: dict[str, Any] | None) -> None:
        if draft:
            self.call_id = draft.get("call_id") or new_id(self.ctx.now())
            started = draft.get("call_started_at")
            self.call_started_at = datetime.fromisoformat(started) if started else self.ctx.now()
            self.pending_referrals = list(draft.get("referrals") or [])
            self.kb_article = draft.get("kb_article")
            self.units_overridden = bool(draft.get("units_overridden"))
            self.form.load(draft.get("form") or {})
            self.query_one(CallPanel).start(self.call_started_at)
            self._after_form_change("phone")
            self._after_form_change("description")
            self.notify("已恢复未保存的来电记录（草稿）", title="草稿恢复")
            self.form.focus_field("description")
        elif self.ctx.caller:
            self.start_call(self.ctx.caller)
        else:
            self.form.focus_field("phone")
        self.app.mark_ready()
        self.call_after_refresh(self._warm_up)

    def _draft(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "call_started_at": self.call_started_at.isoformat() if self.call_started_at else None,
            "form": self.form.data(),
            "referrals": self.pending_referrals,
            "kb_article": self.kb_article,
            "units_overridden": self.units_overridden,
        }

    def _schedule_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_DELAY, self._save_draft)

    def _save_draft(self) -> None:
        if self.saved_ticket is None:
            self._write_draft(self._draft())

    @work(thread=True, exclusive=True, group="draft")
    def _write_draft(self, data: dict[str, Any]) -> None:
        # A write that lost the race with the save must not bring the draft of a saved call back.
        with self._draft_lock:
            if data["call_id"] in self._closed_calls:
                return
            with self.ctx.store.connect() as db:
                drafts.save(db, data, self.ctx.now())

    @work(thread=True, group="draft-close")
    def _close_draft(self, call_id: str | None) -> None:
        with self._draft_lock:
            self._closed_calls.add(call_id)
            with self.ctx.store.transaction() as db:
                drafts.clear(db)

    # --- the call ------------------------------------------------------------------------

    def start_call(self, phone: str = "") -> None:
        now = self.ctx.now()
        self.call_id = new_id(now)
        self.call_started_at = now
        self.pending_referrals = []
        self.kb_article = None
        self.units_overridden = False
        self.saved_ticket = None
        self.caller = None
        self._caller_phone = None
        self.form.load({"appellant": {"phone": phone}})
        self.query_one(EmergencyBanner).clear()
        self.query_one(CallerHistory).show([], now)
        self.query_one("#saved", Static).display = False
        panel = self.query_one(CallPanel)
        panel.flags = ()
        panel.start(now)
        self._after_form_change("phone")
        self.form.focus_field("name" if phone else "phone")
        self._schedule_autosave()

    def _dirty(self) -> bool:
        data = self.form.data()
        return self.saved_ticket is None and bool((data["description"] or "").strip() or (data["appellant"]["name"] or "").strip())

    def action_new_call(self) -> None:
        if not self._dirty():
            self.start_call()
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.start_call()

        self.app.push_screen(ConfirmScreen("开始新来电", Text("当前来电尚未保存。开始新来电将丢弃当前记录，确定吗？", style="yellow")), confirmed)

    # --- reacting to typing --------------------------------------------------------------

    @on(TicketForm.Changed)
    def _form_changed(self, message: TicketForm.Changed) -> None:
        if self.call_started_at is None:  # typing without F2: the call starts now
            now = self.ctx.now()
            self.call_id, self.call_started_at = new_id(now), now
            self.query_one(CallPanel).start(now)
        if message.field in ("lead_unit", "co_units"):
            self.units_overridden = True
        self._after_form_change(message.field)
        self._schedule_autosave()

    def _after_form_change(self, field: str) -> None:
        data = self.form.data()
        if field == "phone":
            phone = normalise_phone(data["appellant"]["phone"] or "")
            self.query_one(CallPanel).phone = data["appellant"]["phone"] or ""
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
            picker = self.form.query_one("#scope")
            if not picker.value:
                picker.set_value(str(scope), notify=False)
        if field in ("matter", "phone", "vulnerable"):
            self._refresh_flags()

    def _triage(self, text: str) -> None:
        rules = self.ctx.triage()
        if rules is None:
            return
        from ...domain.triage import triage

        self.query_one(EmergencyBanner).show_result(triage(text, rules))

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Compile the triage rules after the first frame, before the operator needs them."""
        self.ctx.triage()

    def _search_kb(self, text: str, matter: str | None) -> None:
        if self.ctx.kb_search is None:
            return
        from ..widgets.knowledge_panel import KnowledgePanel

        self.query_one(KnowledgePanel).query(text, matter)

    @work(thread=True, exclusive=True, group="caller")
    def _load_caller(self, phone: str) -> None:
        with self.ctx.store.connect() as db:
            rows = tickets.caller_history(db, phone)
            full = tickets.search(db, phone=phone, limit=50)
        marks = sum(len(t.credit_marks) for t in full)
        vulnerable = tuple(sorted({v for t in full for v in t.appellant.vulnerable}))
        self.post_message(self.CallerLoaded(phone, CallerInfo(rows, marks, vulnerable)))

    @on(CallerLoaded)
    def _caller_loaded(self, message: CallerLoaded) -> None:
        if message.phone != self._caller_phone:
            return  # a stale answer for a number since changed
        self.caller = message.info
        self.query_one(CallerHistory).show(message.info.rows, self.ctx.now())
        self._refresh_flags()

    def _refresh_flags(self) -> None:
        tax = self.ctx.rules.taxonomy
        data = self.form.data()
        flags: list[tuple[str, str]] = []
        vulnerable = set(data["appellant"]["vulnerable"]) | set(self.caller.vulnerable if self.caller else ())
        if vulnerable:  # R9.1
            flags.append(("援助对象：" + "、".join(tax.vulnerable_groups[v].name for v in sorted(vulnerable) if v in tax.vulnerable_groups), "bold magenta"))
        if self.caller and self.caller.credit_marks:  # R23.4
            flags.append((f"诚信档案 {self.caller.credit_marks} 条", "bold red"))
        if self.caller and self.caller.rows:
            flags.append((f"历史工单 {len(self.caller.rows)}", "cyan"))
        dup = self.query_one(CallerHistory).open_with_matter(data["matter"]) if self.saved_ticket is None else None
        if dup is not None:  # R13.1: same matter still open → offer 催办 instead of a duplicate
            flags.append((f"同类工单 {dup.number} 未办结，F10 催办", "bold black on yellow"))
        self.query_one(CallPanel).flags = tuple(flags)

    # --- dispositions (R20.1–R20.6, R28.1) -----------------------------------------------

    def _validated(self) -> dict[str, Any] | None:
        data = self.form.data()
        _, errors = validate_intake(data, self.ctx.rules.taxonomy)
        self.form.show_errors(errors)
        if errors:
            self.form.focus_field(errors[0].field)
            self.notify(f"还有 {len(errors)} 项需要修正", severity="warning", markup=False)
            return None
        return data

    def _ensure_unsaved(self) -> bool:
        if self.saved_ticket is not None:
            self.notify(f"本次来电已保存为 {self.saved_ticket.number}，按 F2 开始新来电", severity="warning", markup=False)
            return False
        return True

    def _confirm_and_save(self, d: Disposition) -> None:
        def confirmed(ok: bool | None) -> None:
            if ok:
                self._register(d)

        body = describe(d, self.ctx.rules.taxonomy)
        banner = self.query_one(EmergencyBanner)
        if banner.raised and not self.pending_referrals:  # R20.3: say so before the call ends unrecorded
            body.append(f"\n\n注意：紧急情况（{'、'.join(banner.targets)}）尚未记录转介，可先按 Esc 再按 F9 记录。", style="bold red")
        self.app.push_screen(ConfirmScreen(d.title, body), confirmed)

    def action_answer(self) -> None:
        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return
        if not (data["answer"] or "").strip():
            self.form.show_errors([])
            self.notify("请先在“答复内容”中填写答复（或用知识库标准答复 Ctrl+A）", severity="warning", markup=False)
            self.form.focus_field("answer")
            return
        payload = {"answer": data["answer"].strip()}
        if self.kb_article:
            payload["kb_article"] = self.kb_article
        self._confirm_and_save(Disposition("answer_on_spot", "当场答复并办结", data, [("answer_on_spot", payload)]))

    def action_dispatch(self) -> None:
        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return
        if not data["lead_unit"]:
            self.notify("请选择主办单位", severity="warning", markup=False)
            self.form.focus_field("lead_unit")
            return
        dispatch = {"lead_unit": data["lead_unit"], "co_units": [u for u in data["co_units"] if u != data["lead_unit"]]}
        self._confirm_and_save(Disposition("dispatch", "受理并转办", data, [("accept", {}), ("dispatch", dispatch)]))

    def action_refuse(self) -> None:
        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return

        def reason(text: str | None) -> None:
            if text:
                self._confirm_and_save(Disposition("refuse", "不予受理", data, [("refuse", {"reason": text})]))

        self.app.push_screen(TextPromptScreen("不予受理", Text("请填写不予受理的理由（将记录在办理单上并告知来电人）："),
                                              required_message="不予受理必须填写理由"), reason)

    def action_advise(self) -> None:
        if not self._ensure_unsaved() or (data := self._validated()) is None:
            return
        phrases = self.ctx.rules.phrases

        def chosen(channel: str | None) -> None:
            if not channel:
                return

            def said(text: str | None) -> None:
                if text:
                    payload = {"channel": channel, "text": text}
                    title = f"告知办理途径：{phrases.advice_names.get(channel, channel)}"
                    self._confirm_and_save(Disposition("advise_channel", title, data, [("advise_channel", payload)]))

            self.app.push_screen(TextPromptScreen("告知办理途径", Text("告知来电人的内容（可修改）："), phrases.advice.get(channel, "")), said)

        self.app.push_screen(ChoiceScreen("告知哪种办理途径？", list(phrases.advice_names.items())), chosen)

    def _register(self, d: Disposition) -> None:
        follow = [("referral", r) for r in self.pending_referrals] + d.events
        self._save(d.form, follow)

    @work(thread=True, exclusive=True, group="save")
    def _save(self, form: dict[str, Any], follow: list[tuple[str, dict[str, Any]]]) -> None:
        now = self.ctx.now()
        form = {**form, "call_id": self.call_id}
        try:
            ticket = self.ctx.desk.register(form, now, follow)
        except IntakeInvalid as exc:
            self.post_message(self.Failed(str(exc)))
            return
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        self.post_message(self.Saved(ticket, self._closing_phrase(ticket, now)))

    def _closing_phrase(self, ticket: Ticket, now: datetime) -> str:
        clock = self.ctx.desk.clock(ticket, now)
        due = ""
        if clock is not None:
            due = f"{CLOCK_NAMES[clock.name]}为{clock.due.at.astimezone(self.ctx.rules.policy.tz):%m月%d日}"
        return fill(self.ctx.rules.phrases.templates["closing"], {"number": spaced_number(ticket.number), "due": due or "办结后将给您回复"})

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        t = message.ticket
        self.saved_ticket = t
        self.pending_referrals = []
        if self._autosave is not None:
            self._autosave.stop()
        self._close_draft(self.call_id)
        clock = self.ctx.desk.clock(t, self.ctx.now())
        tz = self.ctx.rules.policy.tz
        line = joined(("已保存  受理编号 ", "bold"), (spaced_number(t.number), "bold reverse"), "   ", (t.status_name, "bold green"))
        if clock is not None:
            line.append(f"   {CLOCK_NAMES[clock.name]} {clock.due.at.astimezone(tz):%Y-%m-%d %H:%M}")
            if clock.due.provisional:
                line.append("（暂定：该年度节假日未公布）", style="yellow")
        line.append("\n")
        line.append_text(caller_text("请读出：" + message.phrase, "italic"))
        line.append("\n")
        line.append("F2 新来电   F9 补记紧急转介   F4 查询", style="dim")
        saved = self.query_one("#saved", Static)
        saved.update(line)
        saved.display = True
        self.form.show_errors([])
        self.notify(f"办理单 {t.number} 已保存", markup=False)
        if self._caller_phone:  # the new ticket joins the caller's history
            self._load_caller(self._caller_phone)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(message.message, title="未能保存", severity="error", markup=False, timeout=10)

    # --- 催办: link this call to an open ticket instead of a duplicate (R13.1) ------------

    def action_link_call(self) -> None:
        if not self._ensure_unsaved():
            return
        history = self.query_one(CallerHistory)
        row = history.selected()
        if row is None or row.status.closed:
            row = history.open_with_matter(self.form.data()["matter"])
        if row is None:
            row = next((r for r in history.rows if not r.status.closed), None)
        if row is None:
            self.notify("该来电人没有未办结的工单，请新建办理单", severity="warning", markup=False)
            return
        text = (self.form.data()["description"] or "").strip()

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._link(row.id, text)

        body = joined("将本次来电作为催办关联到办理单 ", (row.number, "bold"), "（不新建工单）。")
        if text:
            body.append("\n本次所述将作为补充说明记入该工单：\n")
            body.append_text(caller_text(text))
        self.app.push_screen(ConfirmScreen("催办", body), confirmed)

    @work(thread=True, exclusive=True, group="save")
    def _link(self, ticket_id: str, text: str) -> None:
        now = self.ctx.now()
        try:
            t = self.ctx.desk.record(ticket_id, "link_call", {"call_id": self.call_id or new_id(now)}, now)
            if text:
                t = self.ctx.desk.record(ticket_id, "add_note", {"text": text}, now)
            for r in self.pending_referrals:
                t = self.ctx.desk.record(ticket_id, "referral", r, now)
            with self.ctx.store.transaction() as db:
                drafts.clear(db)
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        phrase = fill(self.ctx.rules.phrases.templates["link_call"], {"number": spaced_number(t.number)})
        self.post_message(self.Saved(t, phrase))

    # --- emergencies (R20.3) ---------------------------------------------------------------

    def action_referral(self) -> None:
        from ..widgets.referral_dialog import ReferralDialog

        banner = self.query_one(EmergencyBanner)
        targets = list(banner.targets) if hasattr(banner, "targets") else []

        def recorded(result) -> None:
            if result is None:
                return
            payload = {"target": result.target, "outcome": result.outcome, "reason": result.reason}
            if self.saved_ticket is not None:
                self._record_referral(self.saved_ticket.id, payload)
            else:
                self.pending_referrals.append(payload)
                self._schedule_autosave()
                self.notify(f"已记录转介 {result.target}，将随办理单保存", markup=False)
            banner.clear()

        self.app.push_screen(ReferralDialog(targets), recorded)

    @work(thread=True, group="save")
    def _record_referral(self, ticket_id: str, payload: dict[str, Any]) -> None:
        try:
            t = self.ctx.desk.record(ticket_id, "referral", payload, self.ctx.now())
        except RuleViolation as exc:
            self.post_message(self.Failed(f"{exc.rule}：{exc.message}"))
            return
        self.saved_ticket = t
        self.app.call_from_thread(self.notify, f"转介 {payload['target']} 已记入 {t.number}", markup=False)

    # --- helpers ----------------------------------------------------------------------------

    def action_phrases(self) -> None:
        ph = self.ctx.rules.phrases.templates
        values = {**form_values(self.form.data(), self.ctx.rules.taxonomy), "operator": self.ctx.desk.actor}
        items = [("问候语", fill(ph["greeting"], values)), ("身份核实", fill(ph["verification"], values)),
                 ("复述确认", fill(ph["readback"], values))]
        if self.saved_ticket is not None:
            items.append(("结束语", self._closing_phrase(self.saved_ticket, self.ctx.now())))
        else:
            items.append(("结束语（保存后带受理编号）", fill(ph["closing_no_number"], values)))
        self.app.push_screen(PhrasesScreen(items))

    def action_find(self) -> None:
        from .find import FindScreen

        self.app.push_screen(FindScreen(self.ctx))

    def action_focus_kb(self) -> None:
        for w in self.query("#kb"):
            w.focus()

    def action_use_kb_answer(self) -> None:
        """R20.1: the highlighted knowledge-base answer into the answer field, without leaving the form."""
        for panel in self.query("#kb"):
            panel.action_use_answer()
            return
        self.notify("知识库未启用", severity="warning", markup=False)

    def on_knowledge_panel_answer_chosen(self, message) -> None:
        self.kb_article = message.article_id
        self.form.set_answer(message.standard_answer)
        self.notify("已填入知识库标准答复，可按 F5 当场答复办结", markup=False)
