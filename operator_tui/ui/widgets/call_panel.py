"""The call panel (R13.1): who is calling, for how long, and what the seat knows about them."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ..safe import caller_text


def format_duration(seconds: int) -> str:
    m, s = divmod(max(0, seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class CallPanel(Widget):
    """Caller number, a call timer that changes colour past the policy's durations, and flags."""

    phone: reactive[str] = reactive("")
    elapsed: reactive[int] = reactive(0)
    flags: reactive[tuple[tuple[str, str], ...]] = reactive(())  # (text, style)

    def __init__(self, now: Callable[[], datetime], warn_seconds: int, long_seconds: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._now = now
        self.warn_seconds = warn_seconds
        self.long_seconds = long_seconds
        self.started_at: datetime | None = None

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def start(self, at: datetime) -> None:
        self.started_at = at
        self._tick()
        self.refresh()  # the timer shows from its first second, even while it still reads 00:00

    def stop(self) -> None:
        self.started_at = None
        self.elapsed = 0

    def _tick(self) -> None:
        if self.started_at is not None:
            self.elapsed = int((self._now() - self.started_at).total_seconds())

    @property
    def timer_style(self) -> str:
        if self.elapsed >= self.long_seconds:
            return "bold white on red"
        if self.elapsed >= self.warn_seconds:
            return "bold black on yellow"
        return "bold green"

    def render(self) -> Text:
        text = Text("来电 ", style="bold", end="")
        text.append_text(caller_text(self.phone or "（未输入号码）", "bold cyan" if self.phone else "dim"))
        text.append("   通话 ")
        if self.started_at is None:
            text.append("--:--", style="dim")
            text.append("   按 F2 开始新来电", style="dim")
        else:
            text.append(f" {format_duration(self.elapsed)} ", style=self.timer_style)
            if self.elapsed >= self.long_seconds:
                text.append(" 长时间通话", style="red")
        for value, style in self.flags:
            text.append("   ")
            text.append_text(caller_text(value, style))
        return text
