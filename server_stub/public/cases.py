"""Typical cases (典型案例, R37.1): proposed from a ticket, redacted, reviewed, then published.

The flow, and why each step is there:
1. A supervisor proposes a ticket. A confidential ticket (R26.1 投诉/举报, R26.2 a party complained
   about, R33.2 secrets) cannot be: publishing it, however redacted, could expose who complained.
2. The system writes the redacted text (operator_tui/domain/redact.py) from the ticket's words and
   its result, using what the ticket knows of the appellant. Only the redacted text is stored.
3. A reviewer (supervisor or admin) reads the redacted text and approves it, approves an edit of
   it, or rejects it with a reason. An edit is checked again: it may not bring back the
   appellant's own name, phone or address. The reviewer who approves is not the one who
   proposed: publishing is the step a second pair of eyes is for (redaction cannot catch every
   name). The proposer may still withdraw (reject) their own proposal.
Only approved cases reach the page. Who proposed and who decided, and when, stay on the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ulid import ULID

from operator_tui.config import Rules
from operator_tui.domain.errors import Refused
from operator_tui.domain.redact import Known, leaks, redact

from ..projection import ticket_of
from ..storage import TABLES, utc

# The table's columns, in order: declared once, where the server lists its tables (migrate, dump).
COLS = TABLES["public_cases"][0]
STATES = ("proposed", "approved", "rejected")
MAX_TEXT = 4000


class CaseError(Refused):
    """A request the case flow refuses; `status` is the HTTP status, the message is Chinese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Case:
    id: str
    ticket_id: str
    matter: str
    place: str
    registered_at: str
    title: str
    redacted: str
    text: str
    status: str
    proposed_by: str
    proposed_at: str
    decided_by: str | None
    decided_at: str | None
    reason: str
    edited: bool


def _case(r: tuple[Any, ...]) -> Case:
    d = dict(zip(COLS, r))
    d["edited"] = bool(d["edited"])
    return Case(**d)


def _known(ticket: Any) -> Known:
    a = ticket.appellant
    return Known(name=a.name, phone=a.phone, address=a.address)


def draft(ticket: Any, rules: Rules) -> tuple[str, str]:
    """(title, redacted text) of a case from a ticket: what was asked and how it was handled."""
    matter = rules.taxonomy.matters.get(ticket.matter)
    title = f"{matter.name if matter else '群众诉求'}"
    parts = [f"诉求：{ticket.description.strip()}"]
    handled = (ticket.result or ticket.answer).strip()
    if handled:
        parts.append(f"办理结果：{handled}")
    return title, redact("\n".join(parts), _known(ticket)).text


def propose(tx: Any, rules: Rules, number: str, actor: str, now: datetime) -> Case:
    row = tx.ticket_by_number(number)
    if row is None:
        raise CaseError(404, f"没有编号为 {number} 的工单")
    if row.confidential:
        raise CaseError(409, "该工单依规保密（投诉、举报，或涉及被投诉方、商业秘密、国家秘密），不能作为典型案例公开")
    existing = tx._one(f"SELECT {', '.join(COLS)} FROM public_cases WHERE ticket_id = ?", (row.id,))
    if existing is not None:
        raise CaseError(409, f"该工单已提名为典型案例（{existing[0]}，状态：{existing[8]}）")
    title, text = draft(ticket_of(row), rules)
    case = Case(
        str(ULID()),
        row.id,
        row.matter,
        row.place,
        row.registered_at,
        title,
        text,
        text,
        "proposed",
        actor,
        utc(now),
        None,
        None,
        "",
        False,
    )
    tx._exec(
        f"INSERT INTO public_cases ({', '.join(COLS)}) VALUES ({', '.join('?' * len(COLS))})",
        tuple(int(v) if isinstance(v, bool) else v for v in (getattr(case, c) for c in COLS)),
    )
    _bump(tx)
    return case


def get(tx: Any, case_id: str) -> Case:
    r = tx._one(f"SELECT {', '.join(COLS)} FROM public_cases WHERE id = ?", (case_id,))
    if r is None:
        raise CaseError(404, f"没有编号为 {case_id} 的典型案例")
    return _case(r)


def listed(tx: Any, status: str | None = None, limit: int = 200) -> list[Case]:
    sql, args = f"SELECT {', '.join(COLS)} FROM public_cases", []
    if status:
        sql, args = sql + " WHERE status = ?", [status]
    return [_case(r) for r in tx._all(sql + " ORDER BY proposed_at DESC, id DESC LIMIT ?", (*args, limit))]


def published(tx: Any, start: str, end: str, limit: int) -> list[Case]:
    """Approved cases of tickets registered in [start, end) (UTC ISO), newest first."""
    rows = tx._all(
        f"SELECT {', '.join(COLS)} FROM public_cases WHERE status = 'approved' AND registered_at >= ? "
        "AND registered_at < ? ORDER BY registered_at DESC, id DESC LIMIT ?",
        (start, end, limit),
    )
    return [_case(r) for r in rows]


def approve(tx: Any, case_id: str, actor: str, now: datetime, text: str | None = None) -> Case:
    case = _undecided(tx, case_id)
    if case.proposed_by == actor:
        raise CaseError(409, "提名人不能批准自己提名的案例：请由另一位值班长或管理员审核（可驳回以撤回提名）")
    final = case.redacted if text is None else text.strip()
    if not final:
        raise CaseError(422, "text: 案例文字不能为空")
    if len(final) > MAX_TEXT:
        raise CaseError(422, f"text: 案例文字不能超过 {MAX_TEXT} 字")
    if final != case.redacted:
        row = tx.ticket(case.ticket_id)
        found = leaks(final, _known(ticket_of(row))) if row else ()
        if found:
            raise CaseError(422, f"text: 修改后的文字仍含诉求人个人信息（{'、'.join(found)}），请删除后再批准")
    tx._exec(
        "UPDATE public_cases SET status = 'approved', text = ?, decided_by = ?, decided_at = ?, edited = ? "
        "WHERE id = ?",
        (final, actor, utc(now), int(final != case.redacted), case_id),
    )
    _bump(tx)
    return get(tx, case_id)


def reject(tx: Any, case_id: str, actor: str, now: datetime, reason: str) -> Case:
    if not reason.strip():
        raise CaseError(422, "reason: 请写明不予公开的理由")
    _undecided(tx, case_id)
    tx._exec(
        "UPDATE public_cases SET status = 'rejected', decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
        (actor, utc(now), reason.strip()[:500], case_id),
    )
    _bump(tx)
    return get(tx, case_id)


def _undecided(tx: Any, case_id: str) -> Case:
    case = get(tx, case_id)
    if case.status != "proposed":
        raise CaseError(409, f"该案例已{'批准' if case.status == 'approved' else '驳回'}，不能再次审核")
    return case


def _bump(tx: Any) -> None:
    """A change the page cache keys on (server_stub/public/routes.py), like the event sequence."""
    tx.put_meta("public_cases", str(int(tx.meta("public_cases") or 0) + 1))
