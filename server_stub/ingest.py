"""Applying events on the server: idempotent by event id, authoritative through the domain workflow.

The sync protocol's promises (ARCHITECTURE "Sync protocol", 2), kept here:

- An event's ULID is its idempotency key. The first answer to it (applied, or rejected with the
  rule) is stored in `receipts` and replayed to every retry with the same content, so a response
  lost after the commit costs nothing but the retry.
- The same id with different content is not a retry: the whole batch is refused (409) before
  anything is applied, naming each id, so the seat can set those events aside as conflicts.
- Every event goes through `Workflow.apply`, the same rules the seat ran; a rejection names the
  rule ID and the reason, and the seat keeps it as a conflict.
- A seat whose clock is off by more than two minutes gets its event times corrected by the offset
  between its `sent_at` and the server's clock; the event keeps the time the seat recorded too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from operator_tui.config import Rules
from operator_tui.contract import EventIn, EventResult, IdReuse
from operator_tui.domain.deadlines import Clock
from operator_tui.domain.errors import RuleViolation
from operator_tui.domain.model import Role, Ticket

from .auth import Principal
from .projection import clock_of, row_for, ticket_of
from .storage import Receipt, Storage, Tx, utc

SKEW_TOLERANCE = timedelta(minutes=2)

# Which event roles each token may record: never above its own, and never the sweep's.
PUSH_ROLES: dict[Role, frozenset[Role]] = {
    Role.OPERATOR: frozenset({Role.OPERATOR}),
    Role.SUPERVISOR: frozenset({Role.OPERATOR, Role.SUPERVISOR}),
    Role.ADMIN: frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN}),
    Role.UNIT: frozenset({Role.UNIT}),
    Role.SYSTEM: frozenset({Role.SYSTEM}),  # the sweep (jobs.py); no token is ever issued for it
}


class IdReused(Exception):
    """Event ids already held with different content; nothing of the batch was applied."""

    def __init__(self, conflicts: list[IdReuse]):
        super().__init__(f"{len(conflicts)} event id(s) reused with different content")
        self.conflicts = conflicts


def digest(e: EventIn, *, with_time: bool = True) -> str:
    """A fingerprint of the event's content, independent of JSON key order and time-zone spelling.
    Actions built by the server leave the time out: a retried action is stamped anew."""
    data = e.model_dump(mode="json")
    data["at"] = utc(e.at) if with_time else None
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def skew_offset(sent_at: datetime | None, now: datetime) -> timedelta:
    if sent_at is None:
        return timedelta(0)
    offset = now - sent_at
    return offset if abs(offset) > SKEW_TOLERANCE else timedelta(0)


def authorize(p: Principal, e: EventIn) -> None:
    """R33.1: a token records events only in its own name, seat and unit."""
    if e.role not in PUSH_ROLES[p.role]:
        raise RuleViolation("R33.1", f"a {p.role.value} token may not record events as {e.role.value}")
    if p.seat is not None and e.seat != p.seat:
        raise RuleViolation("R33.1", f"seat {p.seat} may not record events as seat {e.seat}")
    if p.role is Role.UNIT and e.payload.get("unit") != p.unit:
        raise RuleViolation("R33.1", f"this token acts for unit '{p.unit}' only")


def _replay(r: Receipt) -> EventResult:
    return EventResult(id=r.event_id, status=r.status, rule=r.rule, reason=r.reason, seq=r.seq,
                       received_at=datetime.fromisoformat(r.received_at), ticket_status=r.ticket_status, replayed=True)


@dataclass
class _Batch:
    tx: Tx
    rules: Rules
    principal: Principal
    now: datetime
    next_seq: int
    tickets: dict[str, Ticket | None] = field(default_factory=dict)
    clocks: dict[str, Clock | None] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    event_rows: list[dict] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    def current(self, ticket_id: str) -> Ticket | None:
        if ticket_id not in self.tickets:
            row = self.tx.ticket(ticket_id)
            self.tickets[ticket_id] = ticket_of(row) if row else None
        return self.tickets[ticket_id]

    def _check_number(self, ticket: Ticket) -> None:
        """R18.1: a ticket number names one ticket for ever, across all seats."""
        owner = self.numbers.get(ticket.number)
        if owner is None:
            row = self.tx.ticket_by_number(ticket.number)
            owner = row.id if row else None
        if owner is not None and owner != ticket.id:
            raise RuleViolation("R18.1", f"ticket number {ticket.number} is already used by another ticket")

    def apply(self, e: EventIn, dig: str, offset: timedelta) -> EventResult:
        try:
            applied_at = min(e.at + offset, self.now) if offset else e.at
            authorize(self.principal, e)
            new = self.rules.workflow.apply(self.current(e.ticket_id), e.to_domain(at=applied_at), self.now)
            if e.kind == "register":
                self._check_number(new)
            clock = clock_of(new, self.rules, self.now)
        except RuleViolation as v:
            return self._answer(e, dig, "rejected", v.rule, v.message)
        except Exception as exc:  # a payload the effects could not read: the seat's bug, not ours
            return self._answer(e, dig, "rejected", "R18.2", f"the event cannot be applied ({type(exc).__name__}): {exc}"[:500])
        seq, self.next_seq = self.next_seq, self.next_seq + 1
        self.tickets[new.id], self.clocks[new.id], self.seqs[new.id] = new, clock, seq
        if e.kind == "register":
            self.numbers[new.number] = new.id
        self.event_rows.append({
            "seq": seq, "id": e.id, "ticket_id": e.ticket_id, "kind": e.kind, "actor": e.actor,
            "role": e.role.value, "seat": e.seat, "at": e.at.isoformat(), "applied_at": utc(applied_at),
            "received_at": utc(self.now), "payload": json.dumps(e.payload, ensure_ascii=False, default=str),
            "pushed_by": self.principal.id,
        })
        return self._answer(e, dig, "applied", None, None, seq)

    def _answer(self, e: EventIn, dig: str, status: str, rule: str | None, reason: str | None,
                seq: int | None = None) -> EventResult:
        ticket = self.current(e.ticket_id)
        state = ticket.status.value if ticket else None
        self.receipts.append(Receipt(e.id, dig, status, rule, reason, seq, utc(self.now), state))
        return EventResult(id=e.id, status=status, rule=rule, reason=reason, seq=seq, received_at=self.now,
                           ticket_status=state)

    def finish(self) -> None:
        if self.event_rows:
            self.tx.add_events(self.event_rows)
            self.tx.put_tickets(row_for(self.tickets[t], s, self.clocks[t], self.rules) for t, s in self.seqs.items())
            self.tx.subscribe(self.principal.feed_key, list(self.seqs))
            self.tx.put_meta("seq", str(self.next_seq - 1))
        self.tx.add_receipts(self.receipts)


def ingest(storage: Storage, rules: Rules, p: Principal, items: list[tuple[EventIn, str]],
           offset: timedelta, now: datetime,
           extra: Callable[[Tx, list[EventResult]], None] | None = None) -> list[EventResult]:
    """Apply `items` (event, digest) in order in one transaction; see the module docstring.
    `extra` writes what belongs with the events in the same transaction (the sweep's marks)."""
    now = now.astimezone(timezone.utc)
    with storage.write() as tx:
        stored = tx.receipts(list(dict.fromkeys(e.id for e, _ in items)))
        seen: dict[str, str] = {}
        reused: list[IdReuse] = []
        for e, d in items:
            first = stored[e.id].digest if e.id in stored else seen.setdefault(e.id, d)
            if first != d and all(r.id != e.id for r in reused):
                reused.append(IdReuse(id=e.id, reason="this event id is already used by an event with different content; "
                                      "an event is never changed once recorded — record a new event instead"))
        if reused:
            raise IdReused(reused)
        batch = _Batch(tx, rules, p, now, tx.last_seq() + 1)
        results: list[EventResult] = []
        answered: dict[str, EventResult] = {}
        for e, d in items:
            if e.id in stored:
                results.append(_replay(stored[e.id]))
            elif e.id in answered:
                results.append(answered[e.id].model_copy(update={"replayed": True}))
            else:
                answered[e.id] = batch.apply(e, d, offset)
                results.append(answered[e.id])
        batch.finish()
        if extra is not None:
            extra(tx, results)
    return results


def push(storage: Storage, rules: Rules, p: Principal, events: list[EventIn], sent_at: datetime | None,
         now: datetime) -> list[EventResult]:
    """A seat's batch (POST /v1/events)."""
    return ingest(storage, rules, p, [(e, digest(e)) for e in events], skew_offset(sent_at, now), now)


def act(storage: Storage, rules: Rules, p: Principal, event: EventIn, now: datetime) -> EventResult:
    """One event the server built for an action (POST /v1/tickets/{number}/actions/{kind})."""
    return ingest(storage, rules, p, [(event, digest(event, with_time=False))], timedelta(0), now)[0]
