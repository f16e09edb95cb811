"""The call panel (R13.1): who is calling, for how long, and what the seat knows about them.

It shows the operator's state (`operator_tui.call_state`): the talk timer runs while talking and
stops when the ticket is saved, then after-call work (话后整理) counts down to ready (示闲).

With the phone system (issue 19) it also shows the ring timer against the 15 s answer target
(GB/T 33358), the hold timer, the agent's state on the switch and whether the link is up
(电话条离线 when not: the seat works on, the number typed by hand)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ...call_state import AgentState, CallState, PhoneTimers
from ..safe import caller_text


def format_duration(seconds: int) -> str:
    m, s = divmod(max(0, seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class CallPanel(Widget):
    """Caller number, a call timer that changes colour past the policy's durations, and flags."""

    phone: reactive[str] = reactive("")
    elapsed: reactive[int] = reactive(0)
    wrap_left: reactive[int] = reactive(0)
    flags: reactive[tuple[tuple[str, str], ...]] = reactive(())  # (text, style)

    ANSWER_WITHIN = 15  # GB/T 33358: answer within 15 seconds

    class WrapUpOver(Message):
        """After-call work ran out: the seat is ready (the switch is told too)."""

    def __init__(
        self,
        now: Callable[[], datetime],
        warn_seconds: int,
        long_seconds: int,
        *,
        wrap_up_seconds: int = 0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._now = now
        self.warn_seconds = warn_seconds
        self.long_seconds = long_seconds
        self.wrap_up_seconds = wrap_up_seconds
        self.call = CallState()
        self.timers: PhoneTimers | None = None  # a call from the phone system, if any
        self.link: str = ""  # "" (no --cti), "up" or "down"
        self.agent_state: str | None = None  # the switch's 示闲/示忙（理由）/话后整理

    @property
    def started_at(self) -> datetime | None:
        return self.call.started_at

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def start(self, at: datetime) -> None:
        self.call = self.call.start(at)
        self._tick()
        self.refresh()  # the timer shows from its first second, even while it still reads 00:00

    def end(self, at: datetime) -> None:
        """The ticket is saved: the talk time stops; after-call work counts down."""
        self.call = self.call.end(at, self.wrap_up_seconds)
        self._tick()
        self.refresh()

    def stop(self) -> None:
        self.call = CallState()
        self.timers = None
        self.elapsed = 0

    # -- the phone system's call (issue 19) -------------------------------------------------------
    def ring(self, at: datetime) -> None:
        self.call = CallState()
        self.timers = PhoneTimers().ring(at)
        self._tick()

    def answered(self, at: datetime) -> None:
        if self.timers is None:
            self.timers = PhoneTimers(ring_at=at)
        self.timers = self.timers.answer(at)
        self.start(at)

    def held(self, at: datetime, on: bool) -> None:
        if self.timers is not None:
            self.timers = self.timers.hold(at) if on else self.timers.unhold(at)
            self._tick()

    def hung_up(self, at: datetime, saved: bool) -> None:
        """The phone call ended: after-call work; its countdown once the ticket is saved."""
        if self.timers is not None:
            self.timers = self.timers.hang_up(at)
        self.call = self.call.hang_up(at)
        if saved:
            self.call = self.call.end(at, self.wrap_up_seconds)
        self._tick()

    @property
    def live_phone_call(self) -> bool:
        return self.timers is not None and self.timers.hung_up_at is None

    def _tick(self) -> None:
        now = self._now()
        before = self.call.state
        self.call = self.call.tick(now)
        if before is AgentState.WRAP_UP and self.call.state is AgentState.READY:
            self.post_message(self.WrapUpOver())
        self.elapsed = self.call.talk_seconds(now)
        self.wrap_left = self.call.wrap_up_left(now)
        self.refresh()

    @property
    def timer_style(self) -> str:
        if self.call.state is not AgentState.TALKING:
            return "bold"
        if self.elapsed >= self.long_seconds:
            return "bold white on red"
        if self.elapsed >= self.warn_seconds:
            return "bold black on yellow"
        return "bold green"

    def render(self) -> Text:
        state = self.call.state
        now = self._now()
        text = Text("", end="")
        if self.link == "down":
            text.append(" 电话条离线 ", style="bold white on red")
            text.append(" ")
        timers = self.timers
        if timers is not None and timers.ringing:
            left = timers.answer_left(now, self.ANSWER_WITHIN)
            text.append(" 振铃 ", style="bold black on yellow")
            text.append(f" {format_duration(timers.ring_seconds(now))} ")
            text.append(
                f"（{left} 秒内接听）" if left >= 0 else f"（已超 {-left} 秒）",
                style="bold" if left > 5 else "bold red",
            )
        else:
            text.append(f"{state.label} ", style="bold reverse" if state is AgentState.TALKING else "bold")
        if state is AgentState.WRAP_UP:
            if self.call.wrap_up_until is None:
                text.append("保存后倒计时 ", style="bold black on cyan")
            else:
                text.append(f"{format_duration(self.wrap_left)} ", style="bold black on cyan")
        if timers is not None and timers.on_hold:
            text.append(f" 保持 {format_duration(timers.hold_seconds(now))} ", style="bold white on blue")
        text.append(" 来电 ", style="bold")
        text.append_text(caller_text(self.phone or "（未输入号码）", "bold cyan" if self.phone else "dim"))
        text.append("   通话 ")
        if self.call.started_at is None:
            text.append("--:--", style="dim")
            text.append("   按 F2 开始新来电", style="dim")
        else:
            text.append(f" {format_duration(self.elapsed)} ", style=self.timer_style)
            if state is not AgentState.TALKING:
                text.append(" 已结束", style="dim")
            elif self.elapsed >= self.long_seconds:
                text.append(" 长时间通话", style="red")
        if timers is not None and not timers.ringing:
            text.append(f"   振铃 {timers.ring_seconds(now)}s")
            if timers.hold_seconds(now) and not timers.on_hold:
                text.append(f"  保持 {format_duration(timers.hold_seconds(now))}")
        if self.agent_state and self.link == "up":
            text.append("   坐席 ")
            text.append_text(caller_text(self.agent_state, "bold"))
        for value, style in self.flags:
            text.append("   ")
            text.append_text(caller_text(value, style))
        return text
