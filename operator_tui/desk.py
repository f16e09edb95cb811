"""Recording at the seat: the form or an action → events → workflow → one transaction in the store.

The CLI and the Textual screens both go through `Desk`, so a ticket typed in either is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ulid import ULID

from .config import Rules
from .domain.deadlines import Clock, running_clock
from .domain.errors import BadInput, BrokenInvariant, NotFound
from .domain.model import Event, Role, Ticket
from .domain.validation import FieldError, validate_intake
from .store import drafts, meta, tickets
from .store.db import Store


class IntakeInvalid(BadInput, ValueError):
    """The form has errors; `errors` names each field and what to fix (R19.1)."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


class TicketNotFound(NotFound, LookupError):
    pass


def new_id(at: datetime) -> str:
    return str(ULID.from_datetime(at))


@dataclass
class Desk:
    store: Store
    rules: Rules
    actor: str
    role: Role = Role.OPERATOR
    outbox: bool = True  # False only for demo history, which is never sent to a server

    def event(
        self, kind: str, ticket_id: str, payload: dict[str, Any], at: datetime, seat: str, role: Role | None = None
    ) -> Event:
        return Event(
            id=new_id(at),
            ticket_id=ticket_id,
            kind=kind,
            actor=self.actor,
            role=role or self.role,
            seat=seat,
            at=at,
            payload=payload,
        )

    def clock(self, ticket: Ticket, now: datetime) -> Clock | None:
        return running_clock(ticket, now, self.rules.clocks, self.rules.taxonomy)

    def register(
        self, form: dict[str, Any], now: datetime, follow_ups: Iterable[tuple[str, dict[str, Any]]] = ()
    ) -> Ticket:
        """Validate the form, allocate the number and save the ticket with any dispositions
        (e.g. accept + dispatch, or answer_on_spot) in one transaction."""
        cleaned, errors = validate_intake(form, self.rules.taxonomy)
        if errors:
            raise IntakeInvalid(errors)
        local_day = now.astimezone(self.rules.policy.tz).date()
        with self.store.transaction() as db:
            seat = meta.seat_code(db)
            number = meta.allocate_number(db, local_day)
            ticket_id = new_id(now)
            events = [self.event("register", ticket_id, {**cleaned, "number": number}, now, seat)]
            events += [self.event(kind, ticket_id, payload, now, seat) for kind, payload in follow_ups]
            ticket = None
            for e in events:
                ticket = self.rules.workflow.apply(ticket, e, now)
            if ticket is None:  # `events` always holds the register
                raise BrokenInvariant("register: no ticket after applying its events")
            tickets.save(db, ticket, events, self.clock(ticket, now), now, outbox=self.outbox)
            drafts.clear(db)
        return ticket

    def record(
        self, ticket_id: str, kind: str, payload: dict[str, Any], now: datetime, role: Role | None = None
    ) -> Ticket:
        """Apply one action to a saved ticket (a referral, a disposition, a 催办 …)."""
        with self.store.transaction() as db:
            ticket = tickets.get(db, ticket_id)
            if ticket is None:
                raise TicketNotFound(ticket_id)
            e = self.event(kind, ticket_id, payload, now, meta.seat_code(db), role)
            new = self.rules.workflow.apply(ticket, e, now)
            tickets.save(db, new, [e], self.clock(new, now), now, outbox=self.outbox)
        return new
