"""The periodic sweep: marks overdue tickets and raises supervision (督办) for R25.1 (1), (2), (4).

Grounds (3) (a unit shirks, stalls or falsifies) and (5) (ordered by a superior) need a person's
judgement and come through the supervisor actions instead. Supervision raised here is an ordinary
`supervise` event with role `system`, applied through the same workflow as every other event, so
it climbs the same ladder (逐级) and shows in every seat's history. Each ground is raised once per
occasion (`sweep_marks`), so a sweep every minute does not supervise every minute — and several
server processes sweeping the same database do not supervise once each.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

from ulid import ULID

from operator_tui.config import Rules
from operator_tui.contract import EventIn, EventResult, SweepPublic
from operator_tui.domain.model import Role, Status, Ticket
from operator_tui.domain.repeats import repeated_calls_mark

from .auth import Principal
from .ingest import digest, ingest
from .projection import clock_of, ticket_of
from .settings import SweepPolicy
from .storage import Storage, Tx, utc

log = logging.getLogger("hotline.server.jobs")

SYSTEM = Principal(id="system", name="system:sweep", role=Role.SYSTEM)
UNRESOLVED = frozenset(
    {Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED}
)
HANDLING = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED})
SUPERVISABLE = frozenset(set(Status) - {Status.REGISTERED}) - {s for s in Status if s.closed}


def _supervise(ticket: Ticket, ground: int, note: str, now: datetime) -> EventIn:
    return EventIn(
        id=str(ULID.from_datetime(now)),
        ticket_id=ticket.id,
        kind="supervise",
        actor=SYSTEM.name,
        role=Role.SYSTEM,
        seat="server",
        at=now,
        payload={"ground": ground, "note": note},
    )


def _dissatisfied_units(tickets: list[Ticket], since: datetime, at_least: int) -> set[str]:
    """R25.1 (4): units whose callbacks since `since` carry at least `at_least` dissatisfied ratings."""
    counts: Counter[str] = Counter()
    for t in tickets:
        reached = [c for c in t.callbacks if c.reached]
        if t.lead_unit and t.rating and t.rating.overall <= 2 and reached and reached[-1].at >= since:
            counts[t.lead_unit] += 1
    return {u for u, n in counts.items() if n >= at_least}


def plan(tx: Tx, rules: Rules, policy: SweepPolicy, now: datetime) -> tuple[list[str], list[tuple[EventIn, str]]]:
    """What a sweep at `now` should do: the tickets to mark overdue and the supervision events to
    raise, each with the mark that keeps it from being raised twice."""
    overdue: list[str] = []
    raise_: list[tuple[EventIn, str]] = []
    planned: set[str] = set()

    def want(ticket: Ticket, key: str, ground: int, note: str) -> None:
        if ticket.id not in planned and ticket.status in SUPERVISABLE and not tx.marked(ticket.id, key):
            planned.add(ticket.id)  # one supervision per ticket per sweep: the ladder climbs slowly
            raise_.append((_supervise(ticket, ground, note, now), key))

    for row in tx.open_tickets(due_before=utc(now)):  # (1) a time limit exceeded
        ticket = ticket_of(row)
        clock = clock_of(ticket, rules, now)
        # A paused limit is overdue only if it ran out before the recusal request (issue 12), and an
        # open request has its own decision limit (R27.1): neither is skipped any more.
        if clock is None or not clock.overdue:
            continue
        overdue.append(ticket.id)
        want(ticket, f"overdue:{clock.name}:{utc(clock.due.at)}", 1, f"{clock.name} 已超时限（{clock.rule}）")

    since = utc(now - timedelta(days=policy.repeat_window_days))
    for matter, place, count in tx.clusters(since, policy.repeat_count):  # (2) the same matter, place
        for row in tx.cluster_tickets(matter, place):
            ticket = ticket_of(row)
            if ticket.status in UNRESOLVED:
                want(ticket, f"repeat:{matter}:{place}", 2, f"同一地点同一事项重复反映{count}件，尚未解决")

    # (2) one appellant calling again and again about one open ticket (issue 12, domain/repeats.py)
    for row in tx.tickets_updated_since(since):
        ticket = ticket_of(row)
        mark = repeated_calls_mark(ticket, rules.policy)
        if mark:
            want(ticket, mark, 2, f"诉求人就同一事项重复来电{len(ticket.linked_calls)}次，尚未解决")

    window = now - timedelta(days=policy.dissatisfied_window_days)
    rated = [ticket_of(r) for r in tx.tickets_updated_since(utc(window))]
    for unit in sorted(_dissatisfied_units(rated, window, policy.dissatisfied_count)):  # (4)
        for row in tx.all_tickets(unit=unit):
            ticket = ticket_of(row)
            if ticket.lead_unit == unit and ticket.status in HANDLING:
                want(ticket, f"dissatisfied:{unit}", 4, "该单位近期不满意评价较多")
    return overdue, raise_


def sweep(storage: Storage, rules: Rules, policy: SweepPolicy, now: datetime) -> SweepPublic:
    """Run one sweep; safe to call at any time, from any thread and any number of server processes
    on one database: one runs at a time (`Storage.exclusive`, an advisory lock on PostgreSQL), and
    each plans under that lock from the marks the previous one committed, so whatever runs twice
    raises each supervision once."""
    now = now.astimezone(UTC)
    with storage.exclusive("sweep"):
        with storage.read() as tx:
            overdue, raise_ = plan(tx, rules, policy, now)
        by_id = {e.id: (e, key) for e, key in raise_}

        def mark_applied(tx: Tx, results: list[EventResult]) -> None:
            tx.set_overdue(overdue)
            for r in results:
                if r.status == "applied":
                    tx.mark(by_id[r.id][0].ticket_id, by_id[r.id][1], now)

        results = ingest(
            storage, rules, SYSTEM, [(e, digest(e)) for e, _ in raise_], timedelta(0), now, extra=mark_applied
        )
    supervised: Counter[str] = Counter()
    for r in results:
        if r.status == "applied":
            supervised[str(by_id[r.id][0].payload["ground"])] += 1
    skipped = sum(1 for r in results if r.status != "applied")
    if skipped:
        log.warning("sweep: %d supervision event(s) rejected by the workflow", skipped)
    return SweepPublic(at=now, overdue=len(overdue), supervised=dict(supervised), skipped=skipped)
