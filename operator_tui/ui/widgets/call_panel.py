"""The call panel (R13.1): who is calling, for how long, and what the seat knows about them.

It shows the operator's state (`operator_tui.call_state`): the talk timer runs while talking and
stops when the ticket is saved, then after-call work (话后整理) counts down to ready (示闲)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ...call_state import AgentState, CallState
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

    def __init__(self, now: Callable[[], datetime], warn_seconds: int, long_seconds: int, *,
                 wrap_up_seconds: int = 0, id: str | None = None) -> None:
        super().__init__(id=id)
        self._now = now
        self.warn_seconds = warn_seconds
        self.long_seconds = long_seconds
        self.wrap_up_seconds = wrap_up_seconds
        self.call = CallState()

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
        self.elapsed = 0

    def _tick(self) -> None:
        now = self._now()
        self.call = self.call.tick(now)
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
        text = Text("", end="")
        text.append(f"{state.label} ", style="bold reverse" if state is AgentState.TALKING else "bold")
        if state is AgentState.WRAP_UP:
            text.append(f"{format_duration(self.wrap_left)} ", style="bold black on cyan")
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
        for value, style in self.flags:
            text.append("   ")
            text.append_text(caller_text(value, style))
        return text
