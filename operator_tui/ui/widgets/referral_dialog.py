"""The dialog that records one emergency referral (R20.3: target, outcome; the screen adds the
time and the operator).

Keyboard only, as a seat works: 1–5 pick the target, ←/→ (or ↑/↓) move within the focused row,
Tab moves between target, outcome and note, Enter confirms, Escape cancels. A false alarm (误报) is
refused without a reason: an unexplained false alarm proves nothing afterwards (R18.2, R39).

With a live phone call (issue 19) a third row offers to transfer it: 三方通话 (the operator stays
on the line while 110 joins, the State Council's 2022 linkage opinion for unclear cases; the
default, so the caller is never dropped by a stray Enter), 直接转接 (blind) or 不转接. The choice is
`transfer` on the dialog once it closes; the screen makes the transfer and records its outcome.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from ...domain.text import clean_text
from ...domain.triage import OUTCOMES, TARGET_NAMES, TARGETS, ReferralInput

__all__ = ["ReferralDialog"]


class ChoiceRow(Widget, can_focus=True):
    """One focusable row of options; arrows move the selection."""

    DEFAULT_CSS = """
    ChoiceRow { height: 1; width: 1fr; }
    ChoiceRow:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("left,up", "move(-1)", "上一个", show=False, id="referral.choice.previous"),
        Binding("right,down", "move(1)", "下一个", show=False, id="referral.choice.next"),
    ]

    index: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, row: ChoiceRow, value: str) -> None:
            super().__init__()
            self.row = row
            self.value = value

        @property
        def control(self) -> ChoiceRow:
            return self.row

    def __init__(
        self, options: Sequence[tuple[str, str]], index: int = 0, *, numbered: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.options = list(options)
        self.numbered = numbered
        self.set_reactive(ChoiceRow.index, index)

    @property
    def value(self) -> str:
        return self.options[self.index][0]

    def select(self, index: int) -> None:
        if 0 <= index < len(self.options):
            self.index = index

    def action_move(self, step: int) -> None:
        self.index = (self.index + step) % len(self.options)

    def watch_index(self) -> None:
        self.post_message(self.Changed(self, self.value))

    def render(self) -> Text:
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        for i, (_, label) in enumerate(self.options):
            shown = f" {i + 1} {label} " if self.numbered else f" {label} "
            text.append(
                f"[{shown}]" if i == self.index else f" {shown} ", style="bold reverse" if i == self.index else ""
            )
            text.append(" ")
        return text


class ReferralDialog(ModalScreen[ReferralInput | None]):
    """Records one referral; dismisses with a :class:`ReferralInput`, or None when cancelled."""

    DEFAULT_CSS = """
    ReferralDialog { align: center middle; }
    ReferralDialog > #referral { width: 84; height: auto; padding: 1 2; border: thick #b3261e; background: $panel; }
    ReferralDialog .referral-label { margin-top: 1; color: $text-muted; }
    ReferralDialog #referral-error { color: #ff6b6b; text-style: bold; height: auto; }
    """
    BINDINGS = [
        Binding("enter", "confirm", "确认", id="referral.confirm"),
        Binding("escape", "cancel", "取消", id="referral.cancel"),
        *(
            Binding(str(n), f"target({n - 1})", f"转介 {TARGETS[n - 1]}", show=False, id=f"referral.target{n}")
            for n in range(1, len(TARGETS) + 1)
        ),
    ]

    TRANSFERS = [("three_way", "三方通话"), ("blind", "直接转接"), ("none", "不转接")]

    def __init__(
        self, suggested: Sequence[str] = (), *, phone: bool = False, name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.suggested = tuple(t for t in TARGETS if t in set(suggested))
        self.phone = phone  # a live call may be transferred with the referral
        self.transfer: str | None = None  # three_way | blind, once confirmed with a transfer

    def compose(self) -> ComposeResult:
        start = TARGETS.index(self.suggested[0]) if self.suggested else 0
        with Vertical(id="referral"):
            yield Label(Text("记录转介（R20.3）", style="bold"))
            if self.suggested:
                names = "、".join(f"{t} {TARGET_NAMES[t]}" for t in self.suggested)
                yield Static(Text(f"建议转介：{names}"), id="referral-suggested")
            else:
                yield Static(Text("未提示紧急情况，可手动选择转介对象"), id="referral-suggested")
            yield Label("转介对象（数字 1–5 或 ←→）", classes="referral-label")
            yield ChoiceRow(
                [(t, f"{t} {TARGET_NAMES[t]}") for t in TARGETS], start, numbered=True, id="referral-target"
            )
            yield Label("处理结果（←→）", classes="referral-label")
            yield ChoiceRow(list(OUTCOMES.items()), id="referral-outcome")
            if self.phone:
                yield Label("转接电话（←→；应急部门不能转接）", classes="referral-label")
                yield ChoiceRow(self.TRANSFERS, id="referral-transfer")
            yield Label("原因 / 备注（误报必须填写原因）", classes="referral-label")
            yield Input(placeholder="例如：已转接110，民警已出警", id="referral-reason")
            yield Static("", id="referral-error")
            yield Label(Text("Enter 确认    Esc 取消    Tab 切换", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#referral-target", ChoiceRow).focus()

    @property
    def target(self) -> str:
        return self.query_one("#referral-target", ChoiceRow).value

    @property
    def outcome(self) -> str:
        return self.query_one("#referral-outcome", ChoiceRow).value

    def action_target(self, index: int) -> None:
        self.query_one("#referral-target", ChoiceRow).select(index)

    def on_choice_row_changed(self, event: ChoiceRow.Changed) -> None:
        if event.row.id == "referral-outcome" and event.value != "false_alarm":
            self._show_error("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        reason = " ".join(clean_text(self.query_one("#referral-reason", Input).value).split())
        if self.outcome == "false_alarm" and not reason:
            self._show_error("误报必须填写原因")
            self.query_one("#referral-reason", Input).focus()
            return
        if self.phone:
            mode = self.query_one("#referral-transfer", ChoiceRow).value
            if mode != "none" and not self.target.isdigit():
                self._show_error(f"{self.target} 没有可转接的号码，请选“不转接”")
                return
            self.transfer = None if mode == "none" else mode
        self.dismiss(ReferralInput(self.target, self.outcome, reason))  # not awaited (textual#5596)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _show_error(self, message: str) -> None:
        self.query_one("#referral-error", Static).update(Text(message))
