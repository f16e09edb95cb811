"""Supervisor actions on one ticket: each gathers its payload in a dialog and records one event
under the shared rules (the workflow refuses what the regulation does not allow)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label

from ...domain.model import Role, Ticket
from ...domain.routing import suggest_units
from ...domain.taxonomy import Taxonomy
from ...domain.workflow import TRANSITIONS, Transition
from ..key_hold import HandsOnKeys
from ..safe import caller_text
from ..widgets.form_tail import choices
from ..widgets.picker import PickerField
from .dialogs import ChoiceScreen, ConfirmScreen, Dialog, TextPromptScreen

Payload = dict[str, Any]
Done = Callable[[Payload | None], None]


@dataclass(frozen=True)
class Action:
    """A supervisor's key for one workflow event. Its name and rule are the workflow table's
    (domain/workflow.py), so the two cannot drift; `short` is for a title too long for the key bar."""

    key: str
    kind: str
    short: str | None = None
    role: Role = Role.SUPERVISOR

    @property
    def transition(self) -> Transition:
        return TRANSITIONS[self.kind]

    @property
    def label(self) -> str:
        return self.short or self.transition.title

    @property
    def rule(self) -> str:
        return self.transition.rule


ACTIONS: tuple[Action, ...] = (
    Action("a", "accept"),
    Action("r", "refuse"),
    Action("d", "dispatch", "转办/改派"),  # R28.1: the same event re-dispatches a returned ticket
    Action("u", "set_units", "主办协办"),
    Action("x", "approve_extension"),
    Action("n", "deny_extension"),
    Action("p", "review_pass"),
    Action("b", "review_return"),
    Action("c", "callback"),
    Action("f", "callback_failed"),
    Action("t", "rerate"),
    Action("k", "confirm_rating", "确认评价", Role.ADMIN),
    Action("z", "archive"),
    Action("s", "supervise"),
    Action("e", "escalate"),
    Action("v", "recusal_request"),
    Action("w", "recusal_decision"),
    Action("m", "credit_mark"),
)
BY_KIND = {a.kind: a for a in ACTIONS}


class UnitsScreen(Dialog[Payload | None]):
    """Lead and co-handling units (R24.2), prefilled from routing or the ticket."""

    BINDINGS = [
        Binding("f12,ctrl+s", "confirm", "确认", id="dialog.confirm"),
        Binding("escape", "cancel", "取消", id="dialog.cancel"),
    ]

    def __init__(self, title: str, taxonomy: Taxonomy, lead: str | None, co: tuple[str, ...]) -> None:
        super().__init__()
        self.title_text, self.taxonomy, self.lead, self.co = title, taxonomy, lead, co

    def compose(self) -> ComposeResult:
        c = choices(self.taxonomy)
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"), classes="dialog-title")
            yield PickerField("主办单位", c["lead_unit"], id="lead")
            yield PickerField("协办单位", c["co_units"], multi=True, id="co")
            yield Label("", id="units-error")
            yield Label(Text("回车选择单位    F12/Ctrl+S 确认    Esc 取消", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#lead", PickerField).set_value(self.lead, notify=False)
        self.query_one("#co", PickerField).set_values(self.co, notify=False)
        self.query_one("#lead").focus()

    def action_confirm(self) -> None:
        lead = self.query_one("#lead", PickerField).value
        if not lead:
            self.query_one("#units-error", Label).update(Text("请选择主办单位", style="bold red"))
            return
        co = [u for u in self.query_one("#co", PickerField).values if u != lead]
        self.dismiss({"lead_unit": lead, "co_units": co})

    def action_cancel(self) -> None:
        self.dismiss(None)


class StarInput(HandsOnKeys, Input):
    """One rating, 1–5: Tab moves on at once (issue 14: fast Tab-and-digit input was lost)."""


def stars(value: str) -> Text:
    n = int(value) if value.isdigit() else 0
    return Text("★" * n + "☆" * (5 - n), style="bold yellow" if n else "dim")


class RatingScreen(Dialog[Payload | None]):
    """R23.2 star ratings 1–5 on timeliness, result, attitude and overall, with the caller's words;
    each rating shows as stars beside its digit."""

    BINDINGS = [
        Binding("f12,ctrl+s", "confirm", "确认", id="dialog.confirm"),
        Binding("escape", "cancel", "取消", id="dialog.cancel"),
    ]
    FIELDS = (("timeliness", "办理时效"), ("result", "办理结果"), ("attitude", "服务态度"), ("overall", "总体满意度"))

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text + "（每项 1–5 星）", style="bold"), classes="dialog-title")
            for key, name in self.FIELDS:
                with Horizontal(classes="rating-row"):
                    yield Label(name, classes="field-label")
                    yield StarInput(id=f"rate-{key}", max_length=1, restrict=r"[1-5]?", compact=True)
                    yield Label(stars(""), id=f"stars-{key}", classes="stars")
            yield Label("诉求人原话", classes="field-label")
            yield Input(id="rate-words", max_length=500, compact=True)
            yield Label("", id="rate-error")
            yield Label(Text("F12/Ctrl+S 确认    Esc 取消", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#rate-timeliness").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        key = (event.input.id or "").removeprefix("rate-")
        for label in self.query(f"#stars-{key}").results(Label):
            label.update(stars(event.value))

    def action_confirm(self) -> None:
        stars = {}
        for key, name in self.FIELDS:
            value = self.query_one(f"#rate-{key}", Input).value
            if not value:
                self.query_one("#rate-error", Label).update(Text(f"请填写“{name}”的星级（1–5）", style="bold red"))
                self.query_one(f"#rate-{key}").focus()
                return
            stars[key] = int(value)
        self.dismiss({"ratings": stars, "words": self.query_one("#rate-words", Input).value})

    def action_cancel(self) -> None:
        self.dismiss(None)


def gather(app, action: Action, ticket: Ticket, taxonomy: Taxonomy, now: datetime, done: Done) -> None:
    """Open the dialog(s) `action` needs for `ticket` and call `done(payload)` (None: cancelled)."""
    kind = action.kind

    def prompt(title: str, message: str, key: str, initial: str = "", extra: Payload | None = None) -> None:
        app.push_screen(
            TextPromptScreen(title, Text(message), initial),
            lambda text: done({**(extra or {}), key: text} if text else None),
        )

    def confirm(body: Text, payload: Payload) -> None:
        app.push_screen(ConfirmScreen(action.label, body), lambda ok: done(payload if ok else None))

    head = Text(f"办理单 {ticket.number}（{ticket.status_name}）\n", style="bold")
    if kind in ("accept", "review_pass", "archive", "confirm_rating"):
        confirm(head + Text(f"将执行：{action.label}（{action.rule}）"), {})
    elif kind == "refuse":
        prompt("不予受理", "不予受理的理由：", "reason")
    elif kind in ("dispatch", "set_units"):
        s = suggest_units(taxonomy, ticket.matter, ticket.place, ticket.scope)
        lead, co = (
            (ticket.lead_unit, ticket.co_units)
            if ticket.lead_unit and kind == "set_units"
            else (s.lead_unit, s.co_units)
        )
        if kind == "dispatch" and ticket.returned_by:
            # R28.1 re-route: suggest the units that did not say "not ours" first.
            candidates = [u for u in (lead, *co, *ticket.units) if u and u not in ticket.returned_by]
            candidates = list(dict.fromkeys(candidates))
            lead, co = (candidates[0], tuple(candidates[1:])) if candidates else (None, ())
        app.push_screen(UnitsScreen(f"{action.label}：{ticket.number}", taxonomy, lead, tuple(co)), done)
    elif kind == "approve_extension":
        ext = ticket.extension
        body = (
            head + caller_text(f"延期理由：{ext.reason}\n进展：{ext.progress}\n措施：{ext.measures}\n") if ext else head
        )
        body.append(f"申请延至 {ext.requested_due.astimezone(now.tzinfo):%Y-%m-%d}" if ext else "")
        confirm(body, {})
    elif kind in ("deny_extension", "review_return"):
        prompt(action.label, f"{action.label}的理由：", "reason")
    elif kind in ("callback", "rerate"):
        app.push_screen(RatingScreen(f"{action.label}：{ticket.number}"), done)
    elif kind == "callback_failed":
        retry = (now + timedelta(hours=2)).isoformat()
        prompt("回访未接通", "情况说明（将在2小时后再次回访）：", "note", "电话无人接听", {"retry_at": retry})
    elif kind == "supervise":
        grounds = [
            ("1", "（一）超出办理时限未办结"),
            ("2", "（二）多次、集中反映未解决"),
            ("3", "（三）推诿、敷衍塞责、弄虚作假"),
            ("4", "（四）群众不满意留言较多"),
            ("5", "（五）上级或办公室决定督办"),
        ]
        app.push_screen(
            ChoiceScreen("督办依据（第二十五条）", grounds),
            lambda g: prompt("督办", "督办要求：", "note", "", {"ground": int(g)}) if g else done(None),
        )
    elif kind == "escalate":
        prompt("提级协调（R24.1）", "提级原因与协调事项：", "note")
    elif kind == "recusal_request":
        prompt("回避申请（R27.1）", "申请人、需回避人员及理由（决定期间暂停计时）：", "reason")
    elif kind == "recusal_decision":
        app.push_screen(
            ChoiceScreen("回避决定", [("yes", "同意回避"), ("no", "不同意回避")]),
            lambda g: prompt("书面答复", "书面答复内容：", "reply", "", {"granted": g == "yes"}) if g else done(None),
        )
    elif kind == "credit_mark":
        kinds = [
            ("false_report", "虚假反映"),
            ("harassment", "恶意骚扰"),
            ("abuse", "辱骂工作人员"),
            ("threat", "威胁"),
            ("line_occupation", "长时间占用热线"),
        ]
        app.push_screen(
            ChoiceScreen("记入诚信档案（R23.4）", kinds),
            lambda k: prompt("证据", "证据（录音编号、记录等）：", "evidence", "", {"kind": k}) if k else done(None),
        )
    else:
        done(None)
