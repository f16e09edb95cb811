"""The intake screen's phone (issue 19): the CTI link's events drive the call, and the operator's
keys drive the switch. A mixin of `IntakeScreen`.

    ringing  → the form opens on the caller's number, the history pops (side panel and ringing
               band) before the operator answers; the band counts down the 15 s answer target
    answered → the talk timer starts          held/unheld → the hold timer
    hung up  → after-call work (话后整理): its countdown starts once the ticket is saved, and the
               switch is told; the countdown's end sets the switch to 示闲
    the call's record (`CallRecord`) goes on the ticket as a `call_record` event (R11.1) as soon as
    both the ticket is saved and the call has ended, in whichever order they come

The link is started after the first frame (nothing of operator_tui.cti is imported before it).
When it is down the seat says so (电话条离线) and works as it does without it: the number typed by
hand. On reconnect the link replays what it missed (a hang-up, an answer), which lands here like
any event, so a call that ended while the link was down is still recorded on its ticket.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work

from ..widgets.call_panel import CallPanel

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ...cti import AgentState, CallRecord, HungUp
    from ...domain.model import Ticket
    from ..widgets.ringing_banner import RingingBanner
    from .intake import CallerInfo
    from .intake_host import IntakeHost
else:
    IntakeHost = object  # the mixins' typed base exists only for the type checker (intake_host.py)


STATE_NAMES = {"ready": "示闲", "not_ready": "示忙", "after_call_work": "话后整理", "logged_out": "未登录"}
# The agent states the operator may choose (Ctrl+G): code → (label, switch state, reason).
STATE_CHOICES = {
    "ready": ("示闲", "ready", None),
    "busy": ("示忙（填写理由）", "not_ready", None),
    "break": ("小休", "not_ready", "小休"),
    "acw": ("话后整理", "after_call_work", None),
}
# F9's referral targets a call can be transferred to (应急 has no single number).
DIALLABLE = ("110", "119", "120", "122")


class PhoneCalls(IntakeHost):
    """Mixed into `IntakeScreen` (a Textual Screen)."""

    def _init_phone(self) -> None:
        self.phone_call_id: str | None = None  # the switch's id of the call on the form
        self._call_tickets: dict[str, str] = {}  # call id → the ticket saved for it
        self._calls_recorded: set[str] = set()

    @property
    def link(self) -> Any:
        """The phone link once the seat has finished starting (`--cti`); None before or without it."""
        return self.ctx.cti if self.loaded else None

    def _phone_action_allowed(self, action: str) -> bool | None:
        """The phone's keys exist only with --cti (the key bar is as before without it)."""
        if action in ("pick_up", "hold", "transfer", "agent_state"):
            return self.link is not None
        return None

    # --- the link's events -----------------------------------------------------------------

    def _start_phone(self) -> None:
        if self.link is not None:
            self._phone_events()

    @work(group="cti", exclusive=True)
    async def _phone_events(self) -> None:
        link = self.link
        try:
            await link.start()
            async for ev in link.events():
                try:
                    self._on_phone_event(ev)
                except Exception:  # one odd event must not stop the seat hearing the phone
                    log.exception("CTI: the seat could not handle %s", type(ev).__name__)
        finally:
            await link.close()

    def _on_phone_event(self, ev: Any) -> None:
        from ...cti import (
            AgentStateChanged,
            Answered,
            Direction,
            Held,
            HungUp,
            LinkDown,
            LinkUp,
            Ringing,
            ThreeWayStarted,
            Transferred,
            Unheld,
        )

        panel = self.query_one(CallPanel)
        now = self.ctx.now()
        if isinstance(ev, LinkUp):
            panel.link = "up"
            if ev.resynced:
                self.notify("电话条已恢复，离线期间的通话和坐席状态已同步", markup=False)
        elif isinstance(ev, LinkDown):
            panel.link = "down"
            why = "请检查电话系统账号密码" if not ev.retrying else "正在重连；可手工输入来电号码继续受理"
            self.notify(f"电话条离线：{why}", title="电话条", severity="warning", markup=False, timeout=8)
        elif isinstance(ev, AgentStateChanged):
            name = STATE_NAMES.get(ev.state.value, ev.state.value)
            panel.agent_state = f"{name}（{ev.reason}）" if ev.reason and ev.reason != name else name
        elif isinstance(ev, Ringing):
            if ev.direction is Direction.INBOUND and ev.call_id != self.phone_call_id:
                self._ringing(ev.call_id, ev.caller, ev.queue)
        elif ev.call_id == self.phone_call_id:
            if isinstance(ev, Answered):
                self._ringing_band().stop()
                panel.answered(now)
            elif isinstance(ev, (Held, Unheld)):
                panel.held(now, isinstance(ev, Held))
            elif isinstance(ev, ThreeWayStarted):
                self.notify(f"三方通话：{ev.target} 已加入", markup=False)
            elif isinstance(ev, Transferred):
                self.notify(f"已转接 {ev.target}", markup=False)
            elif isinstance(ev, HungUp):
                self._hung_up(ev)
        elif isinstance(ev, HungUp) and ev.call_id in self._call_tickets:
            self._record_call(ev.call_id)  # an earlier call whose end the link learnt late
        panel.refresh()

    def _ringing_band(self) -> RingingBanner:
        return cast("RingingBanner", self.query_one("#ringing"))

    def _ringing(self, call_id: str, caller: str, queue: str | None) -> None:
        now = self.ctx.now()
        panel = self.query_one(CallPanel)
        if panel.live_phone_call:
            return  # a second call while one is live: the switch's queue handles it
        self.phone_call_id = call_id
        band = self._ringing_band()
        band.answer_key = self._key_for("pick_up")
        band.ring(caller, queue, now)
        if self._dirty():  # an unsaved record on the form is not thrown away by the phone
            from ...call_state import PhoneTimers

            panel.timers = PhoneTimers().ring(now)
            self.notify("来电振铃；当前记录尚未保存，请先保存或按 F2", severity="warning", markup=False)
        else:
            self.start_call(caller, call_id=call_id, ringing=True)

    def _key_for(self, action: str) -> str:
        for _key, (_node, binding, _enabled, _tip) in self.active_bindings.items():
            if binding.action == action:
                return self.app.get_key_display(binding)
        return ""

    def _phone_history(self, info: CallerInfo) -> None:
        """The caller's history arrived: into the ringing band too, while it rings."""
        from ..widgets.ringing_banner import history_summary

        band = self._ringing_band()
        if band.ringing:
            band.show_history(history_summary(info.rows, info.credit_marks, info.note))

    def _hung_up(self, ev: HungUp) -> None:
        panel = self.query_one(CallPanel)
        band = self._ringing_band()
        was_ringing = band.ringing
        band.stop()
        ticket = self.saved_ticket
        panel.hung_up(self.ctx.now(), saved=ticket is not None)
        if was_ringing:
            self.notify("来电人在振铃中挂断", severity="warning", markup=False)
        self._tell_switch("after_call_work")
        if ticket is not None:
            self._call_tickets[ev.call_id] = ticket.id
            self._record_call(ev.call_id)

    def _phone_saved(self, ticket: Ticket) -> bool:
        """The ticket is saved. True if a phone call is still live (the call, not the save, ends it)."""
        call_id = self.phone_call_id
        if call_id is None:
            return False
        self._call_tickets[call_id] = ticket.id
        record = self.link.calls.get(call_id) if self.link is not None else None
        if record is not None and record.ended:
            self._record_call(call_id)
        return self.query_one(CallPanel).live_phone_call

    def on_call_panel_wrap_up_over(self) -> None:  # by name: @on is not collected from a mixin
        self._tell_switch("ready")

    # --- the call's record on its ticket (R11.1) -------------------------------------------------

    def _record_call(self, call_id: str) -> None:
        if call_id in self._calls_recorded or call_id not in self._call_tickets or self.link is None:
            return
        record = self.link.calls.get(call_id)
        if record is None:
            return
        self._calls_recorded.add(call_id)
        self._write_call_record(self._call_tickets[call_id], call_record_payload(record))

    @work(thread=True, group="save")
    def _write_call_record(self, ticket_id: str, payload: dict[str, Any]) -> None:
        from ...domain.errors import RuleViolation

        try:
            self.ctx.desk.record(ticket_id, "call_record", payload, self.ctx.now())
        except RuleViolation as exc:
            self.post_message(self.Failed(f"通话记录未能记入工单：{exc.rule}：{exc.message}"))

    # --- the operator's keys -----------------------------------------------------------------

    def action_pick_up(self) -> None:
        if self.phone_call_id is None or not self._ringing_band().ringing:
            self.notify("没有振铃中的来电", severity="warning", markup=False)
            return
        self._command("接听", "answer", self.phone_call_id)

    def action_hold(self) -> None:
        record = self.link.calls.get(self.phone_call_id) if self.phone_call_id else None
        if record is None or record.ended or record.answer_at is None:
            self.notify("没有通话中的来电可以保持", severity="warning", markup=False)
            return
        if record.on_hold:
            self._command("恢复通话", "unhold", record.call_id)
        else:
            self._command("保持", "hold", record.call_id)

    def action_transfer(self) -> None:
        from .dialogs import ChoiceScreen, TextPromptScreen

        record = self.link.calls.get(self.phone_call_id) if self.phone_call_id else None
        if record is None or record.ended:
            self.notify("没有通话中的来电可以转接", severity="warning", markup=False)
            return
        modes = [("blind", "直接转接"), ("attended", "咨询后转接"), ("three_way", "三方通话")]

        def chosen(mode: str | None) -> None:
            if not mode:
                return

            def number(text: str | None) -> None:
                if text:
                    self._transfer(record.call_id, text.strip(), mode)

            self.app.push_screen(TextPromptScreen("转接", Text("转接到的号码：")), number)

        self.app.push_screen(ChoiceScreen("转接方式", modes), chosen)

    def _transfer(self, call_id: str, number: str, mode: str) -> None:
        from ...cti import TransferMode

        if mode == "three_way":
            self._command(f"三方通话 {number}", "three_way", call_id, number)
        else:
            self._command(f"转接 {number}", "transfer", call_id, number, TransferMode(mode))

    def action_agent_state(self) -> None:
        from .dialogs import ChoiceScreen, TextPromptScreen

        def chosen(code: str | None) -> None:
            if not code:
                return
            _label, state, reason = STATE_CHOICES[code]
            if code == "busy":

                def busy(text: str | None) -> None:
                    if text:
                        self._set_state(state, text.strip())

                self.app.push_screen(TextPromptScreen("示忙", Text("示忙的理由（如 培训、会议）：")), busy)
                return
            if code == "ready":  # the operator ends after-call work early
                panel = self.query_one(CallPanel)
                panel.call = panel.call.ready()
                panel.refresh()
            self._set_state(state, reason)

        self.app.push_screen(ChoiceScreen("坐席状态", [(c, v[0]) for c, v in STATE_CHOICES.items()]), chosen)

    def _set_state(self, state: str, reason: str | None) -> None:
        from ...cti import AgentState

        self._command(STATE_NAMES[state], "set_state", AgentState(state), reason)

    def _tell_switch(self, state: str) -> None:
        """The seat's own state change (after-call work, ready) also set on the switch, quietly:
        with the link down the switch catches up on reconnect, from the seat's next change."""
        if self.link is not None and self.link.is_up:
            self._run_command(None, "set_state", _agent_state(state), None)

    def _command(self, what: str, name: str, *args: Any) -> None:
        if self.link is None:
            return
        if not self.link.is_up:
            self.notify(f"电话条离线，{what}未发出；请在话机上操作", severity="warning", markup=False)
            return
        self._run_command(what, name, *args)

    @work(group="cti-command")
    async def _run_command(self, what: str | None, name: str, *args: Any) -> bool:
        from ...cti import CtiError

        try:
            await getattr(self.link, name)(*args)
        except CtiError as exc:
            if what is not None:
                self.notify(f"{what}失败：{exc}", severity="error", markup=False, timeout=8)
            return False
        return True

    # --- F9: a referral that transfers the call (R20.3) ---------------------------------------

    def _referral_call(self) -> str | None:
        """The live, answered call a referral may transfer, if any."""
        if self.link is None or self.phone_call_id is None:
            return None
        record = self.link.calls.get(self.phone_call_id)
        return record.call_id if record is not None and not record.ended and record.answer_at else None

    async def _referral_transfer(self, call_id: str, target: str, mode: str) -> str:
        """Transfer for a referral; the outcome recorded on it: done, failed or offline."""
        from ...cti import CtiError, CtiLinkDown, TransferMode

        if target not in DIALLABLE:
            return "failed"
        try:
            if mode == "three_way":
                await self.link.three_way(call_id, target)
            else:
                await self.link.transfer(call_id, target, TransferMode.BLIND)
        except CtiLinkDown:
            return "offline"
        except CtiError as exc:
            self.notify(f"转接 {target} 失败：{exc}", severity="error", markup=False, timeout=8)
            return "failed"
        return "done"


def _agent_state(state: str) -> AgentState:
    from ...cti import AgentState

    return AgentState(state)


def call_record_payload(record: CallRecord) -> dict[str, Any]:
    """A CTI CallRecord as a `call_record` event's payload: without the caller's number (it is the
    appellant's, where the masking knows it, R26.1) and without transfers to anything but a number."""
    import re

    payload = record.to_json()
    payload.pop("caller", None)
    payload["transfers"] = [t for t in payload["transfers"] if re.fullmatch(r"[0-9+*#]{1,32}", t["target"] or "")]
    return {k: v for k, v in payload.items() if v is not None}
