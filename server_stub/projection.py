"""From a domain `Ticket` to its stored row, and back; the running clock as the server computes it.

The server computes deadlines from its own (corrected) times: ARCHITECTURE "Sync protocol", 7.
"""

from __future__ import annotations

from datetime import date, datetime

from operator_tui.config import Rules
from operator_tui.contract import ClockPublic
from operator_tui.domain.deadlines import Clock, running_clock
from operator_tui.domain.model import Ticket
from operator_tui.domain.rates import RateRules, rate_facts
from operator_tui.rate_rules import load_rate_rules

from .storage import TicketRow, utc


def clock_of(ticket: Ticket, rules: Rules, now: datetime) -> Clock | None:
    return running_clock(ticket, now, rules.clocks, rules.taxonomy)


def confidential(ticket_appeal_type: str, rules: Rules, ticket: Ticket | None = None) -> bool:
    """R26.1: 投诉 and 举报 — the appeal types marked `confidential` in appeal_types.toml; R26.2 any
    ticket that records a party complained about; R33.2 any ticket marked as holding secrets."""
    t = rules.taxonomy.appeal_types.get(ticket_appeal_type)
    if t and t.confidential:
        return True
    return bool(ticket is not None and (ticket.respondents or ticket.secrecy))


def row_for(ticket: Ticket, seq: int, clock: Clock | None, rules: Rules, rates: RateRules | None = None) -> TicketRow:
    # R35.1: what the ticket adds to the rates, as columns (schema _004); `rates` defaults to the
    # policy file's [rates] (HOTLINE_POLICY or the packaged one).
    f = rate_facts(ticket, rates or load_rate_rules(), rules.clocks, rules.taxonomy)
    return TicketRow(
        id=ticket.id,
        number=ticket.number,
        phone=ticket.appellant.phone,
        seat=ticket.seat,
        status=ticket.status.value,
        appeal_type=ticket.appeal_type,
        confidential=confidential(ticket.appeal_type, rules, ticket),
        matter=ticket.matter,
        place=ticket.place,
        # R20.4: the 信访 department supervising a ticket reads it too (privacy.can_see)
        lead_unit=ticket.lead_unit,
        units=ticket.readers,
        closed=ticket.closed,
        clock=clock.name if clock else None,
        due_at=utc(clock.due.at) if clock else None,
        overdue=bool(clock and clock.overdue),
        registered_at=utc(ticket.registered_at),
        updated_at=utc(ticket.updated_at),
        seq=seq,
        version=ticket.version,
        data=ticket.model_dump_json(),
        name=ticket.appellant.name,
        address=ticket.appellant.address,
        vulnerable=ticket.appellant.vulnerable,
        credit_marks=len(ticket.credit_marks),
        district=f.district,
        operator=f.operator,
        ontime_on=_iso(f.ontime_on),
        ontime_met=f.ontime_met,
        response_on=_iso(f.response_on),
        response_met=f.response_met,
        rated_on=_iso(f.rated_on),
        resolved=f.resolved,
        satisfied=f.satisfied,
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def ticket_of(row: TicketRow) -> Ticket:
    return Ticket.model_validate_json(row.data)


def clock_public(clock: Clock | None) -> ClockPublic | None:
    if clock is None:
        return None
    return ClockPublic(
        name=clock.name,
        rule=clock.rule,
        due_at=clock.due.at,
        provisional=clock.due.provisional,
        overdue=clock.overdue,
        paused=clock.paused,
    )
