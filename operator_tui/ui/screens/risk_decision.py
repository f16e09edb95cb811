"""A supervisor's decision on a risk warning (R31.1): 确认 or 排除, with a reason, sent to the server.

The modal sends the decision itself, in a thread worker, and closes only when the server has
recorded it: a refusal (already decided, no reason, not a supervisor, offline) is one notice with
the server's words, and the reason stays in the box so the supervisor can change it and try again.
Enter sends, Esc cancels.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from ...risks_client import DECISIONS, RisksReader, RisksUnavailable, ServerWarning
from .dialogs import Dialog

MAX_REASON = 500  # the server's limit (server_stub/reports/risks.py), so a longer reason is never typed in vain


class RiskDecisionScreen(Dialog[ServerWarning | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "取消", id="risk_decision.cancel")]

    class Answered(Message):
        def __init__(self, warning: ServerWarning | None, problem: str | None = None) -> None:
            super().__init__()
            self.warning = warning
            self.problem = problem

    def __init__(self, reader: RisksReader, warning_id: str, decision: str, about: Text) -> None:
        super().__init__()
        self.reader = reader
        self.warning_id = warning_id
        self.decision = decision
        self.about = about
        self.busy = False

    def compose(self) -> ComposeResult:
        name = DECISIONS[self.decision]
        with Vertical(classes="dialog"):
            yield Label(Text(f"{name}风险预警 {self.warning_id}", style="bold"), classes="dialog-title")
            yield Static(self.about, classes="dialog-body")
            yield Label(f"{name}理由（必填，将与处理人、时间一并记录）：")
            yield Input(id="risk-reason", max_length=MAX_REASON, placeholder=f"为何{name}此预警")
            yield Static("", id="risk-decision-state")
            yield Label(Text(f"回车 提交{name}    Esc 取消", style="dim"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#risk-reason", Input).focus()

    @property
    def reason(self) -> str:
        return self.query_one("#risk-reason", Input).value

    @on(Input.Submitted, "#risk-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            return  # one decision in flight; a second Enter must not send it twice
        reason = self.reason.strip()
        if not reason:
            self.notify("请填写理由：确认或排除风险预警都须说明理由", severity="warning", markup=False)
            return
        self.busy = True
        self._state(Text("正在提交…", style="yellow"))
        self._send(reason)

    @work(thread=True, exclusive=True, group="risk-decision")
    def _send(self, reason: str) -> None:
        try:
            warning = self.reader.decide(self.warning_id, self.decision, reason)
        except RisksUnavailable as exc:
            self.post_message(self.Answered(None, str(exc)))
            return
        self.post_message(self.Answered(warning))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self.busy = False
        if message.problem is not None or message.warning is None:
            problem = message.problem or "服务器没有回答"
            # The server's words, once; the reason stays in the box for another try.
            self._state(Text(problem + "（理由已保留，可修改后重试）", style="bold red"))
            self.notify(problem, severity="error", markup=False)
            self.query_one("#risk-reason", Input).focus()
            return
        self.dismiss(message.warning)

    def _state(self, text: Text) -> None:
        self.query_one("#risk-decision-state", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
