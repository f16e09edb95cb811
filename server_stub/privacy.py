"""What each caller may see, masked on the server before anything is sent (R26.1, R33.1).

- A unit sees only the tickets it holds (lead or co-handling).
- For 投诉 and 举报 (appeal types marked `confidential`), the appellant's name, phone and address
  never reach a unit — not in the ticket, not in the events, not in an export — and a unit cannot
  find such a ticket by the appellant's phone either (that alone would confirm who complained).
- The appellant's credit file (R23.4) is the centre's business, never a unit's.
- Every response that carries personal data unmasked writes an audit row: who, when, which
  ticket, why — never the data itself.
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


def can_see(p: Principal, row: TicketRow) -> bool:
    return p.role is not Role.UNIT or (p.unit is not None and p.unit in row.units)


def must_mask(p: Principal, row: TicketRow) -> bool:
    return p.role is Role.UNIT and row.confidential


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
    if p.role is Role.UNIT:
        ticket = ticket.model_copy(update={"credit_marks": ()})
    return TicketPublic(ticket=ticket, status_name=ticket.status_name, masked=masked,
                        clock=clock_public(clock_of(ticket, rules, now)))


def events_public(p: Principal, row: TicketRow, events: list[tuple]) -> list[EventPublic]:
    """Events as tuples in storage order (seq, id, ticket_id, kind, actor, role, seat, at,
    applied_at, received_at, payload JSON)."""
    masked = must_mask(p, row)
    out = []
    for seq, eid, tid, kind, actor, role, seat, at, applied_at, received_at, payload in events:
        data = json.loads(payload)
        if p.role is Role.UNIT and kind == "credit_mark":
            data = {}
        elif masked:
            data = _strip_personal(data)
        out.append(EventPublic(id=eid, ticket_id=tid, kind=kind, actor=actor, role=role, seat=seat, at=at,
                               applied_at=applied_at, received_at=received_at, seq=seq, payload=data))
    return out


def record_reads(storage: Storage, p: Principal, rows: list[TicketRow], *, purpose: str, endpoint: str,
                 now: datetime) -> None:
    """R33.1: one audit row per ticket whose personal data this response carries unmasked,
    committed (to the audit log, see audit.py) before the answer is sent."""
    audit = [{"at": utc(now), "principal_id": p.id, "role": p.role.value, "ticket_id": r.id, "number": r.number,
              "purpose": purpose[:200], "endpoint": endpoint} for r in rows if not must_mask(p, r)]
    storage.audit.append(audit)
