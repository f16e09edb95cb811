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

The server is the authority (R33.1, R18.2): who acted, in which role, at which seat and for which
unit comes from the token, never from the event. The stored event's actor is the token's person,
its seat the token's seat (or, for a token without one, its origin), a unit token's events act for
that unit; the seat's claims of these are replaced, not stored. The role may be claimed only within
what the token may record (permissions.RECORDS_AS). A seat registers numbers only in its own series
(YYMMDD + its 3-digit seat + a 4-digit sequence), and a token without an enrolled seat registers
none. The time an event is applied at is bounded by the server's clock and the ticket's previous
event (domain/timing.py). The idempotency digest is of the event as the seat sent it, so a retry
is recognised whatever the server replaced.

A payload the effects cannot read is the seat's mistake and is rejected with a reason; a broken
invariant (domain/errors.py), an unusable policy file or any other exception is the server's
fault: it is logged (the event's id, kind and where, never its content) and answers 500 (503 for
the policy), with no receipt stored, so the seat retries it once the fault is fixed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError

from operator_tui.config import Rules
from operator_tui.contract import EventIn, EventResult, IdReuse
from operator_tui.domain.deadlines import Clock
from operator_tui.domain.errors import BrokenInvariant, Misconfigured, Refused, RuleViolation
from operator_tui.domain.model import Role, Ticket
from operator_tui.domain.permissions import RECORDS_AS
from operator_tui.domain.timing import TimeBounds, applied_time, timed_at_receipt

from .auth import Principal
from .projection import clock_of, row_for, ticket_of
from .storage import Receipt, Storage, Tx, utc

log = logging.getLogger("hotline.server.ingest")

SKEW_TOLERANCE = timedelta(minutes=2)
NUMBER_LENGTH = 13  # YYMMDD + seat (3) + daily sequence (4): operator_tui/store/meta.py
# What a payload the effects cannot read raises; anything else is a bug on the server.
UNREADABLE = (KeyError, TypeError, ValueError, OverflowError)


class IdReused(Refused):
    """Event ids already held with different content; nothing of the batch was applied."""

    def __init__(self, conflicts: list[IdReuse]):
        super().__init__(f"{len(conflicts)} event id(s) reused with different content")
        self.conflicts = conflicts


def digest(e: EventIn, *, with_time: bool = True) -> str:
    """A fingerprint of the event's content, independent of JSON key order and time-zone spelling.
    Actions built by the server leave the time out: a retried action is stamped anew."""
    data = e.model_dump(mode="json")
    data["at"] = utc(e.at) if with_time else None
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def skew_offset(sent_at: datetime | None, now: datetime) -> timedelta:
    if sent_at is None:
        return timedelta(0)
    offset = now - sent_at
    return offset if abs(offset) > SKEW_TOLERANCE else timedelta(0)


def seat_of(p: Principal) -> str:
    """The seat the server records for events pushed under `p`: its enrolled seat, else its origin."""
    return "server" if p.role is Role.SYSTEM else p.seat or p.origin


def authorize(p: Principal, e: EventIn) -> EventIn:
    """The event as the token proves it (R33.1): actor, seat and unit from the token; a role above
    the token's or a number outside its seat's series is refused."""
    if e.role not in RECORDS_AS[p.role]:
        raise RuleViolation("R33.1", f"a {p.role.value} token may not record events as {e.role.value}")
    payload = e.payload
    if e.kind == "register":
        _own_series(p, payload.get("number"))
    if p.role is Role.UNIT:
        payload = {**payload, "unit": p.unit}  # a unit always acts as itself, whatever the event says
    return e.model_copy(update={"actor": p.actor, "seat": seat_of(p), "payload": payload})


def _own_series(p: Principal, number: object) -> None:
    """R18.1: a seat allocates numbers in its own series only, so two seats never hand out the same
    number and a caller's number always names the ticket they were told about."""
    if p.seat is None:
        raise RuleViolation(
            "R33.1",
            "only a seat's token registers tickets: this token has no enrolled seat "
            "(hotline server init --seat / POST /v1/seats)",
        )
    if not (isinstance(number, str) and len(number) == NUMBER_LENGTH and number.isascii() and number.isdigit()):
        raise RuleViolation(
            "R18.1", f"the ticket number must be {NUMBER_LENGTH} digits: YYMMDD, the seat, a 4-digit sequence"
        )
    if number[6:9] != p.seat:
        raise RuleViolation(
            "R18.1",
            f"ticket number {number} is in seat {number[6:9]}'s series; "
            f"seat {p.seat} registers numbers YYMMDD{p.seat}NNNN only",
        )


def _unreadable(exc: Exception) -> str:
    """The reason for a payload the effects could not read, without echoing its values (a pydantic
    error's text quotes the input, which may be a caller's words)."""
    if isinstance(exc, ValidationError):
        where = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors(include_input=False))
        return f"the event cannot be applied: {where}"[:500]
    return f"the event cannot be applied ({type(exc).__name__}): a payload field has the wrong type or value"


def _replay(r: Receipt) -> EventResult:
    # A stored receipt's status is one the batch wrote ("applied" or "rejected"); the model checks it.
    return EventResult.model_validate(
        dict(
            id=r.event_id,
            status=r.status,
            rule=r.rule,
            reason=r.reason,
            seq=r.seq,
            received_at=datetime.fromisoformat(r.received_at),
            ticket_status=r.ticket_status,
            replayed=True,
        )
    )


@dataclass
class _Batch:
    tx: Tx
    rules: Rules
    principal: Principal
    now: datetime
    next_seq: int
    bounds: TimeBounds
    tickets: dict[str, Ticket | None] = field(default_factory=dict)
    clocks: dict[str, Clock | None] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    event_rows: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    free_numbers: set[str] = field(default_factory=set)

    def prefetch(self, events: list[EventIn]) -> None:
        """Read the batch's tickets and the numbers its registers take in two queries, not two per
        ticket (on PostgreSQL every query is a round trip: 3,000 → 6,000 events/s)."""
        ids = list(dict.fromkeys(e.ticket_id for e in events if e.ticket_id not in self.tickets))
        rows = self.tx.tickets_by_id(ids)
        for ticket_id in ids:
            self.tickets[ticket_id] = ticket_of(rows[ticket_id]) if ticket_id in rows else None
        numbers = list({n for e in events if e.kind == "register" and isinstance(n := e.payload.get("number"), str)})
        held = self.tx.numbers_held(numbers)
        self.numbers.update(held)
        self.free_numbers.update(n for n in numbers if n not in held)

    def current(self, ticket_id: str) -> Ticket | None:
        if ticket_id not in self.tickets:
            row = self.tx.ticket(ticket_id)
            self.tickets[ticket_id] = ticket_of(row) if row else None
        return self.tickets[ticket_id]

    def _check_number(self, ticket: Ticket) -> None:
        """R18.1: a ticket number names one ticket for ever, across all seats."""
        owner = self.numbers.get(ticket.number)
        if owner is None and ticket.number not in self.free_numbers:
            row = self.tx.ticket_by_number(ticket.number)
            owner = row.id if row else None
        if owner is not None and owner != ticket.id:
            raise RuleViolation("R18.1", f"ticket number {ticket.number} is already used by another ticket")

    def apply(self, e: EventIn, dig: str, offset: timedelta) -> EventResult:
        try:
            e = authorize(self.principal, e)
            before = self.current(e.ticket_id)
            # A register has no previous event (a second one for the ticket is the workflow's to refuse).
            previous = before.updated_at if before is not None and e.kind != "register" else None
            applied_at = applied_time(
                e.at + offset, self.now, previous, at_receipt=timed_at_receipt(e.role), bounds=self.bounds
            )
            new = self.rules.workflow.apply(before, e.to_domain(at=applied_at), self.now)
            if e.kind == "register":
                self._check_number(new)
            clock = clock_of(new, self.rules, self.now)
        except RuleViolation as v:
            return self._answer(e, dig, "rejected", v.rule, v.message)
        except (BrokenInvariant, Misconfigured) as exc:  # the server's fault (a bug, a bad policy file), even
            # when it is also a ValueError: never the seat's mistake, and no receipt, so a retry works once fixed
            self._log_bug(e, exc)
            raise
        except UNREADABLE as exc:  # a payload the effects could not read: the seat's mistake
            return self._answer(e, dig, "rejected", "R18.2", _unreadable(exc))
        except Exception as exc:  # anything else is a bug too: logged here, where the event is known
            self._log_bug(e, exc)
            raise
        seq, self.next_seq = self.next_seq, self.next_seq + 1
        self.tickets[new.id], self.clocks[new.id], self.seqs[new.id] = new, clock, seq
        if e.kind == "register":
            self.numbers[new.number] = new.id
        self.event_rows.append(
            {
                "seq": seq,
                "id": e.id,
                "ticket_id": e.ticket_id,
                "kind": e.kind,
                "actor": e.actor,
                "role": e.role.value,
                "seat": e.seat,
                "at": e.at.isoformat(),
                "applied_at": utc(applied_at),
                "received_at": utc(self.now),
                "payload": json.dumps(e.payload, ensure_ascii=False, default=str),
                "pushed_by": self.principal.id,
            }
        )
        return self._answer(e, dig, "applied", None, None, seq)

    @staticmethod
    def _log_bug(e: EventIn, exc: BaseException) -> None:
        """One line naming the event and where it failed, never its content (R33.1); the request
        then answers 500 (server_stub/errors.py) and the seat retries once the bug is fixed."""
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        log.error(
            "server fault applying event %s (%s): %s at %s:%s",
            e.id,
            e.kind,
            type(exc).__name__,
            where.filename.rsplit("/", 1)[-1] if where else "?",
            where.lineno if where else "?",
        )

    def _answer(
        self,
        e: EventIn,
        dig: str,
        status: Literal["applied", "rejected"],
        rule: str | None,
        reason: str | None,
        seq: int | None = None,
    ) -> EventResult:
        ticket = self.current(e.ticket_id)
        state = ticket.status.value if ticket else None
        self.receipts.append(Receipt(e.id, dig, status, rule, reason, seq, utc(self.now), state))
        return EventResult(
            id=e.id, status=status, rule=rule, reason=reason, seq=seq, received_at=self.now, ticket_status=state
        )

    def _applied(self, ticket_id: str) -> Ticket:
        ticket = self.tickets[ticket_id]
        if ticket is None:  # a sequence number is given only to a ticket an event was applied to
            raise BrokenInvariant(f"ingest: ticket {ticket_id} has a sequence number but no state")
        return ticket

    def finish(self) -> None:
        if self.event_rows:
            self.tx.add_events(self.event_rows)
            self.tx.put_tickets(row_for(self._applied(t), s, self.clocks[t], self.rules) for t, s in self.seqs.items())
            self.tx.subscribe(self.principal.feed_key, list(self.seqs))
            self.tx.put_meta("seq", str(self.next_seq - 1))
        self.tx.add_receipts(self.receipts)


def ingest(
    storage: Storage,
    rules: Rules,
    p: Principal,
    items: list[tuple[EventIn, str]],
    offset: timedelta,
    now: datetime,
    extra: Callable[[Tx, list[EventResult]], None] | None = None,
) -> list[EventResult]:
    """Apply `items` (event, digest) in order in one transaction; see the module docstring.
    `extra` writes what belongs with the events in the same transaction (the sweep's marks)."""
    now = now.astimezone(UTC)
    with storage.write() as tx:
        stored = tx.receipts(list(dict.fromkeys(e.id for e, _ in items)))
        seen: dict[str, str] = {}
        reused: list[IdReuse] = []
        for e, d in items:
            first = stored[e.id].digest if e.id in stored else seen.setdefault(e.id, d)
            if first != d and all(r.id != e.id for r in reused):
                reused.append(
                    IdReuse(
                        id=e.id,
                        reason="this event id is already used by an event with different content; "
                        "an event is never changed once recorded — record a new event instead",
                    )
                )
        if reused:
            raise IdReused(reused)
        batch = _Batch(tx, rules, p, now, tx.last_seq() + 1, TimeBounds.of(rules.policy))
        batch.prefetch([e for e, _ in items if e.id not in stored])
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


def push(
    storage: Storage, rules: Rules, p: Principal, events: list[EventIn], sent_at: datetime | None, now: datetime
) -> list[EventResult]:
    """A seat's batch (POST /v1/events)."""
    return ingest(storage, rules, p, [(e, digest(e)) for e in events], skew_offset(sent_at, now), now)


def act(storage: Storage, rules: Rules, p: Principal, event: EventIn, now: datetime) -> EventResult:
    """One event the server built for an action (POST /v1/tickets/{number}/actions/{kind})."""
    return ingest(storage, rules, p, [(event, digest(event, with_time=False))], timedelta(0), now)[0]
