"""What each caller may see, masked on the server before anything is sent (R26.1, R33.1).

- A unit sees only the tickets it holds (lead or co-handling).
- For 投诉 and 举报 (appeal types marked `confidential`), the appellant's name, phone and address
  never reach a unit — not in the ticket, not in the events, not in an export — and a unit cannot
  find such a ticket by the appellant's phone either (that alone would confirm who complained).
- The appellant's credit file (R23.4) is the centre's business, never a unit's.
- Every response that carries personal data unmasked writes an audit row: who, when, which
  ticket, why — never the data itself.
- R26.2: a ticket that records a party complained about masks the appellant for every unit, and a
  respondent unit that does not lead the ticket gets none of the complaint's own words either.
- R11.1: the staff member a complaint about the centre names never sees it in full, whatever
  their role.
- R33.2: a ticket marked as holding commercial or state secrets is read in full only by the
  centre's supervisors and the office, its lead unit and the seat that registered it; everyone
  else gets it like personal data, withheld.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from operator_tui.config import Rules
from operator_tui.contract import EventPublic, TicketPublic
from operator_tui.domain.model import Role, Ticket

from .auth import Principal
from .projection import clock_of, clock_public, ticket_of
from .storage import Storage, TicketRow, utc

WITHHELD = "（依规保密）"
_PERSONAL_KEYS = ("name", "phone", "address")


_TEXT_KEYS = (
    "description",
    "text",
    "answer",
    "result",
    "reason",
    "note",
    "evidence",
    "words",
    "reply",
    "progress",
    "measures",
)


def can_see(p: Principal, row: TicketRow) -> bool:
    return p.role is not Role.UNIT or (p.unit is not None and p.unit in row.units)


def _named(p: Principal, row: TicketRow) -> bool:
    """R11.1: `p` is a staff member the complaint names (a cheap text test before parsing)."""
    if p.role is Role.UNIT or '"kind":"staff"' not in row.data:
        return False
    named = ticket_of(row).named_staff
    return p.actor in named or p.name in named


def must_mask(p: Principal, row: TicketRow) -> bool:
    return (p.role is Role.UNIT and row.confidential) or _named(p, row)


def withhold_content(p: Principal, row: TicketRow, ticket: Ticket | None = None) -> bool:
    """Whether `p` gets the ticket without its words (R11.1, R26.2, R33.2)."""
    if _named(p, row):
        return True
    if '"secrecy":[]' in row.data and '"respondents":[]' in row.data:
        return False
    t = ticket or ticket_of(row)
    if p.role is Role.UNIT and p.unit in t.respondent_units and p.unit != t.lead_unit:
        return True  # R26.2
    if t.secrecy:  # R33.2
        entitled = (
            p.role in (Role.SUPERVISOR, Role.ADMIN)
            or (p.role is Role.UNIT and p.unit == t.lead_unit)
            or (p.role is Role.OPERATOR and p.seat is not None and p.seat == t.seat)
        )
        return not entitled
    return False


def withhold_ticket(ticket: Ticket) -> Ticket:
    notes = tuple(n.model_copy(update={"text": WITHHELD}) for n in ticket.notes)
    return mask_ticket(ticket).model_copy(
        update={
            "description": WITHHELD,
            "answer": WITHHELD if ticket.answer else "",
            "result": WITHHELD if ticket.result else "",
            "notes": notes,
            "respondents": (),
            "credit_marks": (),
        }
    )


def mask_ticket(ticket: Ticket) -> Ticket:
    who = ticket.appellant.model_copy(update={"name": WITHHELD, "phone": "", "address": WITHHELD})
    return ticket.model_copy(update={"appellant": who})


def _strip_personal(payload: dict[str, Any]) -> dict[str, Any]:
    out = dict(payload)
    if isinstance(out.get("appellant"), dict):
        out["appellant"] = {k: (WITHHELD if k in _PERSONAL_KEYS else v) for k, v in out["appellant"].items()}
    for k in _PERSONAL_KEYS:
        if k in out:
            out[k] = WITHHELD
    return out


def ticket_public(p: Principal, row: TicketRow, rules: Rules, now: datetime) -> TicketPublic:
    ticket = ticket_of(row)
    masked = must_mask(p, row)
    if masked:
        ticket = mask_ticket(ticket)
    if withhold_content(p, row, ticket):
        ticket, masked = withhold_ticket(ticket), True
    if p.role is Role.UNIT:
        ticket = ticket.model_copy(update={"credit_marks": ()})
    return TicketPublic(
        ticket=ticket, status_name=ticket.status_name, masked=masked, clock=clock_public(clock_of(ticket, rules, now))
    )


def events_public(p: Principal, row: TicketRow, events: list[tuple[Any, ...]]) -> list[EventPublic]:
    """Events as tuples in storage order (seq, id, ticket_id, kind, actor, role, seat, at,
    applied_at, received_at, payload JSON)."""
    masked = must_mask(p, row)
    withheld = withhold_content(p, row)
    out = []
    for seq, eid, tid, kind, actor, role, seat, at, applied_at, received_at, payload in events:
        data = json.loads(payload)
        if p.role is Role.UNIT and kind == "credit_mark":
            data = {}
        elif masked or withheld:
            data = _strip_personal(data)
        if withheld:
            data = {k: (WITHHELD if k in _TEXT_KEYS else v) for k, v in data.items()}
            data.pop("respondents", None)
        out.append(
            EventPublic(
                id=eid,
                ticket_id=tid,
                kind=kind,
                actor=actor,
                role=role,
                seat=seat,
                at=at,
                applied_at=applied_at,
                received_at=received_at,
                seq=seq,
                payload=data,
            )
        )
    return out


def record_reads(
    storage: Storage, p: Principal, rows: list[TicketRow], *, purpose: str, endpoint: str, now: datetime
) -> None:
    """R33.1: one audit row per ticket whose personal data this response carries unmasked,
    committed (to the audit log, see audit.py) before the answer is sent."""
    audit = [
        {
            "at": utc(now),
            "principal_id": p.id,
            "role": p.role.value,
            "ticket_id": r.id,
            "number": r.number,
            "purpose": purpose[:200],
            "endpoint": endpoint,
        }
        for r in rows
        if not must_mask(p, r) and not withhold_content(p, r)
    ]
    storage.audit.append(audit)
