"""The ringing pop-up (issue 19): the phone rings, the seat shows who is calling and what the centre
already knows of them before the operator answers.

A band under the call panel, not a modal: the caller's history fills the side panel behind it at
the same moment, and the operator may read it, or keep typing, while the phone rings. It counts
down the 15 s answer target (GB/T 33358) and says which key answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from ..safe import caller_text


class RingingBanner(Widget):
    DEFAULT_CSS = """
    RingingBanner { height: auto; padding: 0 1; background: $warning-darken-2; color: $text; display: none; }
    RingingBanner.-ringing { display: block; }
    """

    def __init__(self, now: Callable[[], datetime], *, answer_within: int = 15, id: str | None = None) -> None:
        super().__init__(id=id)
        self._now = now
        self.answer_within = answer_within
        self.caller = ""
        self.queue: str | None = None
        self.since: datetime | None = None
        self.history: Text | None = None  # the caller's tickets in one line, once loaded
        self.answer_key = "F11"

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    @property
    def ringing(self) -> bool:
        return self.has_class("-ringing")

    def ring(self, caller: str, queue: str | None, at: datetime) -> None:
        self.caller, self.queue, self.since, self.history = caller, queue, at, None
        self.add_class("-ringing")
        self.refresh(layout=True)

    def show_history(self, summary: Text) -> None:
        self.history = summary
        self.refresh(layout=True)

    def stop(self) -> None:
        self.remove_class("-ringing")
        self.since = None

    def render(self) -> Text:
        text = Text(end="")
        text.append(" ☎ 来电振铃 ", style="bold black on yellow")
        text.append(" ")
        text.append_text(caller_text(self.caller or "（号码未知）", "bold"))
        if self.queue:
            text.append("  队列 ")
            text.append_text(caller_text(self.queue))
        if self.since is not None:
            left = self.answer_within - int((self._now() - self.since).total_seconds())
            text.append("   ")
            text.append(
                f"{left} 秒内接听" if left >= 0 else f"已超时 {-left} 秒", style="bold" if left > 5 else "bold red"
            )
        text.append(f"   {self.answer_key} 接听", style="bold")
        text.append("\n ")
        text.append_text(self.history if self.history is not None else Text("正在查询来电历史…", style="dim"))
        return text


def history_summary(rows, credit_marks: int, note: str | None) -> Text:
    """One line: how many tickets, how many open, the newest open one's number, credit marks."""
    if not rows:
        text = Text("来电历史：无", style="bold")
    else:
        open_rows = [r for r in rows if not r.status.closed]
        text = Text(f"来电历史 {len(rows)} 单，未办结 {len(open_rows)} 单", style="bold")
        if open_rows:
            text.append("（最近：")
            text.append_text(caller_text(open_rows[0].number))
            text.append("）")
    if credit_marks:
        text.append(f"   诚信档案 {credit_marks} 条", style="bold red")
    if note:
        text.append("   ")
        text.append(note, style="yellow")
    return text
