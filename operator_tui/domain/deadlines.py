"""Time limits (时限) and the clock running on a ticket.

Every limit lives in the policy file (`policy.toml`, defaults from the regulation); this module only
counts. Working-day limits start the day after the event and end at the end of the Nth working day,
local time (Asia/Shanghai). Pauses (R27.1) shift a limit by the working days paused; an approved
extension (R22.2) replaces it.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import BrokenInvariant
from .policy import Limit, Policy
from .states import Status
from .taxonomy import Taxonomy
from .workdays import WorkCalendar

if TYPE_CHECKING:  # the seat reads its policy before its first frame, without pydantic
    from .model import Ticket


@dataclass(frozen=True)
class Due:
    at: datetime
    provisional: bool

    @property
    def date(self) -> date:
        return self.at.date()


def add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


Span = tuple[datetime, "datetime | None"]  # a recusal pause: request, decision (None: still open)


@dataclass(frozen=True)
class Clocks:
    """Counts limits with one policy and one calendar.

    R27.1: the time from a recusal request to its decision counts towards no limit. A pause from
    date a to date b takes the days a+1 … b out of the count (the day of the request still counts,
    like the day of any event); an open pause runs to `now`. A limit in working days skips the
    paused working days, one in days or months the paused calendar days, one in hours the paused
    time. A pause that began before a limit started still holds it; one that began after the limit
    ran out does not revive it (issue 12: neither can be used to hide lateness)."""

    policy: Policy
    calendar: WorkCalendar

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("times must carry a time zone")
        return at.astimezone(self.policy.tz)

    def end_of(self, d: date) -> datetime:
        return datetime.combine(d, self.policy.end_of_day, self.policy.tz)

    def _paused_days(self, pauses: Sequence[Span], now: datetime | None) -> set[date]:
        days: set[date] = set()
        for started, ended in pauses:
            end = ended or now
            if end is None:
                raise ValueError("an open pause needs `now`")
            d, last = self.local(started).date(), self.local(end).date()
            while d < last:
                d += timedelta(days=1)
                days.add(d)
        return days

    def due(self, start: datetime, limit: Limit, pauses: Sequence[Span] = (), now: datetime | None = None) -> Due:
        start = self.local(start)
        if limit.unit == "hours":
            return Due(self._hours_due(start, limit.value, pauses, now), False)
        skip = self._paused_days(pauses, now) if pauses else set()
        if limit.unit in ("days", "months"):
            n = limit.value if limit.unit == "days" else (add_months(start.date(), limit.value) - start.date()).days
            d = start.date()
            while n:
                d += timedelta(days=1)
                n -= d not in skip
            return Due(self.end_of(d), False)
        d, provisional = self.calendar.add_workdays(start.date(), limit.value, skip=skip)
        return Due(self.end_of(d), provisional)

    def _hours_due(self, start: datetime, hours: int, pauses: Sequence[Span], now: datetime | None) -> datetime:
        due = start + timedelta(hours=hours)
        for started, ended in sorted(pauses, key=lambda p: p[0]):
            a, b = max(started, start), ended or now
            if b is None:
                raise ValueError("an open pause needs `now`")
            if a >= due:
                break
            if b > a:
                due += b - a
        return due

    def moved_by_pauses(self, fixed: datetime, since: datetime, pauses: Sequence[Span], now: datetime) -> Due:
        """A limit given as a date (an approved extension, R22.2), moved one working day on for each
        paused working day before it (R27.1); unmoved, it keeps its exact time."""
        if not pauses:
            return Due(fixed, False)
        skip = self._paused_days(pauses, now)
        target, d = self.local(fixed).date(), self.local(since).date()
        provisional = moved = False
        while d < target:
            d += timedelta(days=1)
            if d in skip:
                ok, prov = self.calendar.is_workday(d)
                provisional |= prov
                if ok:
                    target, prov = self.calendar.add_workdays(target, 1)
                    provisional, moved = provisional | prov, True
        return Due(self.end_of(target) if moved else fixed, provisional)


@dataclass(frozen=True)
class Clock:
    """The clock running on a ticket at one moment: which limit, from when, due when."""

    name: str  # acceptance | dispatch | resolution | extension | recusal_decision
    rule: str
    started_at: datetime
    due: Due
    paused: bool
    remaining: timedelta

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)


CLOCK_NAMES = {
    "acceptance": "受理时限",
    "dispatch": "转办时限",
    "resolution": "办结时限",
    "extension": "延期后办结时限",
    "recusal_decision": "回避决定时限",
}


def resolution_limit(ticket: Ticket, taxonomy: Taxonomy, policy: Policy) -> Limit:
    """R22.1: 5 working days, unless the matter's own law sets another limit."""
    matter = taxonomy.matters.get(ticket.matter)
    return matter.limit if matter and matter.limit else policy.limits["resolution"]


def pauses_of(ticket: Ticket) -> tuple[Span, ...]:
    return tuple((p.started_at, p.ended_at) for p in ticket.pauses)


def limit_clock(ticket: Ticket, now: datetime, clocks: Clocks, taxonomy: Taxonomy) -> Clock | None:
    """The ticket's own limit at `now` (acceptance, dispatch, resolution or extension), held still
    while a recusal request is open (R27.1); None when no limit applies."""
    policy = clocks.policy
    s = ticket.status
    pauses = pauses_of(ticket)
    start: datetime | None
    if s is Status.REGISTERED:
        # R20.7: a written appeal's acceptance limit runs from when it was submitted.
        name, rule, start, limit = (
            "acceptance",
            "R20.2",
            ticket.submitted_at or ticket.registered_at,
            policy.limits["acceptance"],
        )
    elif s is Status.ACCEPTED:
        name, rule, start, limit = "dispatch", "R20.2", ticket.accepted_at, policy.limits["dispatch"]
    elif s is Status.RETURNED:
        name, rule, start, limit = "dispatch", "R28.1", ticket.returned_at, policy.limits["dispatch"]
    elif s in (Status.DISPATCHED, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED):
        ext = ticket.extension
        # An extension approved before a rework (R23.1) gave way to the rework's fresh limit; one
        # approved during the rework replaces that limit like any other (R22.2). A new dispatch
        # forgets the previous unit's extension (effects.dispatch).
        if (
            ext is not None
            and ext.approved
            and ext.approved_due is not None
            and (ticket.rework_at is None or ext.requested_at >= ticket.rework_at)
        ):
            due = clocks.moved_by_pauses(ext.approved_due, ext.requested_at, pauses, now)
            return _clock("extension", "R22.2", ext.requested_at, due, ticket.paused, now)
        if ticket.rework_at is not None:
            name, rule, start, limit = "resolution", "R23.1", ticket.rework_at, policy.limits["rework"]
        else:
            # R22.1 counts from the dispatch that delivered the ticket to the unit: signing (签收)
            # late does not buy time, so an unsigned ticket is late on the same day as a signed one.
            start = ticket.dispatched_at
            name, rule, limit = "resolution", "R22.1", resolution_limit(ticket, taxonomy, policy)
    else:
        return None
    if start is None:  # the statuses above all carry the time their limit runs from
        raise BrokenInvariant(f"{ticket.number}: {ticket.status.value} without the time its {name} limit runs from")
    return _clock(name, rule, start, clocks.due(start, limit, pauses, now), ticket.paused, now)


def running_clock(ticket: Ticket, now: datetime, clocks: Clocks, taxonomy: Taxonomy) -> Clock | None:
    """The clock that binds `ticket` at `now` and how much is left; None when no limit applies.
    While a recusal request is open (R27.1) its own decision limit runs too, and whichever of the
    two ends first is the one shown and swept: a request cannot freeze a ticket for ever."""
    main = limit_clock(ticket, now, clocks, taxonomy)
    decision = recusal_clock(ticket, now, clocks)
    if decision is None:
        return main
    return decision if main is None or decision.due.at < main.due.at else main


def recusal_clock(ticket: Ticket, now: datetime, clocks: Clocks) -> Clock | None:
    """R27.1: an open recusal request must be decided within 3 working days."""
    open_pauses = [p for p in ticket.pauses if p.ended_at is None]
    if not open_pauses:
        return None
    p = open_pauses[-1]
    due = clocks.due(p.started_at, clocks.policy.limits["recusal_decision"])
    return _clock("recusal_decision", "R27.1", p.started_at, due, False, now)


def _clock(name: str, rule: str, start: datetime, due: Due, paused: bool, now: datetime) -> Clock:
    return Clock(name, rule, start, due, paused, due.at - now)
