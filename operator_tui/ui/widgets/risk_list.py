"""The overview's 风险预警 panel (R31.1): the warnings the seat computes from its own store, merged
by id with the server's list and the decision taken on each, open ones first.

A warning's id is the same on every seat and on the server (kind, subject and day), so the merge is
by id: the server's list is the centre's (every seat's tickets), the seat adds what it holds that
the server does not have yet (unsynced tickets), and only the server knows the decisions.

The panel is an OptionList so a supervisor can walk it with the arrows; q (确认) and i (排除) ask
the screen, by a message, to decide the highlighted warning. The widget itself calls nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...domain.risks import KINDS, RiskWarning, headline
from ...risks_client import Decision, RiskBoard
from ..safe import caller_text

EVIDENCE_SHOWN = 5


@dataclass(frozen=True)
class RiskRow:
    id: str
    kind: str
    body: Mapping[str, Any]  # the warning's JSON form (headline, evidence, count)
    decision: Decision | None = None
    current: bool = True  # False: no longer a warning now, listed by the server for its decision

    @property
    def open(self) -> bool:
        return self.decision is None and self.current


def merge(local: Sequence[RiskWarning], board: RiskBoard | None) -> list[RiskRow]:
    """The rows to show: open ones first (in the order found), then the decided, latest first."""
    rows: list[RiskRow] = []
    if board is not None:
        rows = [RiskRow(w.id, w.kind, w.body, w.decision, w.current) for w in board.warnings]
    known = {r.id for r in rows}
    rows += [RiskRow(w.id, w.kind, w.to_json_dict()) for w in local if w.id not in known]
    opened = [r for r in rows if r.decision is None]
    decided = sorted((r for r in rows if r.decision is not None), key=lambda r: r.decision.decided_at, reverse=True)  # type: ignore[union-attr]
    return opened + decided


def row_text(row: RiskRow, name_of: Callable[[str, str], str], tz: tzinfo) -> Text:
    """Two or three lines; the decision's reason and actor are a person's words: Text, never markup."""
    body = row.body
    evidence = [str(n) for n in body.get("evidence") or ()]
    count = int(body.get("count") or len(evidence))
    shown = evidence[:EVIDENCE_SHOWN]
    more = f" 等共 {count} 件" if count > len(shown) else ""
    text = Text(end="")
    d = row.decision
    if d is None:
        badge = "bold white on red" if row.kind == "surge" else "bold black on yellow"
        text.append(f"{KINDS.get(row.kind, row.kind)} ", style=badge)
        text.append_text(caller_text(headline(body, name_of)))
        text.append("\n  证据工单：" + "、".join(shown) + more, style="dim")
        return text
    text.append(f"已{d.name} ", style="bold black on green" if d.decision == "acknowledge" else "bold white on grey39")
    text.append_text(caller_text(f"{KINDS.get(row.kind, row.kind)} {headline(body, name_of)}", style="dim"))
    if not row.current:
        text.append("（已不在当前预警中）", style="dim italic")
    text.append("\n  ")
    text.append_text(caller_text(d.actor, style="bold"))
    text.append(f" {d.decided_at.astimezone(tz):%m-%d %H:%M} {d.name}：")
    text.append_text(caller_text(d.reason))
    text.append("\n  证据工单：" + "、".join(shown) + more, style="dim")
    return text


class RiskList(OptionList):
    """The warnings, one option each (id = the warning's id)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "decide('acknowledge')", "确认预警", id="sup.risk_acknowledge"),  # 确 què
        Binding("i", "decide('dismiss')", "排除预警", id="sup.risk_dismiss"),  # ignore; p and c are taken
    ]

    class DecisionAsked(Message):
        def __init__(self, row: RiskRow | None, decision: str) -> None:
            super().__init__()
            self.row = row
            self.decision = decision

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[RiskRow] = []
        self._shown: tuple[Any, ...] | None = None

    def show(self, rows: list[RiskRow], name_of: Callable[[str, str], str], tz: tzinfo) -> None:
        """Rebuild only when something changed (the overview refreshes every few seconds), and
        keep the highlight on the same warning."""
        shown = tuple(
            (r.id, r.decision, r.current, r.body.get("count"), tuple(r.body.get("evidence") or ())) for r in rows
        )
        if shown == self._shown:
            return
        self._shown = shown
        kept = self.rows[self.highlighted].id if self.highlighted is not None and self.rows else None
        self.rows = rows
        if not rows:
            self.set_options([Option(Text("暂无预警", style="dim"), disabled=True)])
            return
        self.set_options(Option(row_text(r, name_of, tz), id=r.id) for r in rows)
        index = next((i for i, r in enumerate(rows) if r.id == kept), 0)
        self.highlighted = index

    @property
    def current_row(self) -> RiskRow | None:
        if not self.rows or self.highlighted is None or not 0 <= self.highlighted < len(self.rows):
            return None
        return self.rows[self.highlighted]

    def action_decide(self, decision: str) -> None:
        self.post_message(self.DecisionAsked(self.current_row, decision))
