"""Time limits (时限) and the clock running on a ticket.

Every limit lives in the policy file (`policy.toml`, defaults from the regulation); this module only
counts. Working-day limits start the day after the event and end at the end of the Nth working day,
local time (Asia/Shanghai). Pauses (R27.1) shift a limit by the working days paused; an approved
extension (R22.2) replaces it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

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


@dataclass(frozen=True)
class Clocks:
    """Counts limits with one policy and one calendar."""

    policy: Policy
    calendar: WorkCalendar

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("times must carry a time zone")
        return at.astimezone(self.policy.tz)

    def end_of(self, d: date) -> datetime:
        return datetime.combine(d, self.policy.end_of_day, self.policy.tz)

    def due(self, start: datetime, limit: Limit, paused_workdays: int = 0) -> Due:
        start = self.local(start)
        if limit.unit == "hours":
            return Due(start + timedelta(hours=limit.value), False)
        if limit.unit == "days":
            return Due(self.end_of(start.date() + timedelta(days=limit.value)), False)
        if limit.unit == "months":
            return Due(self.end_of(add_months(start.date(), limit.value)), False)
        d, provisional = self.calendar.add_workdays(start.date(), limit.value + paused_workdays)
        return Due(self.end_of(d), provisional)

    def workdays_after(self, due: Due, days: int) -> Due:
        if days <= 0:
            return due
        d, provisional = self.calendar.add_workdays(due.at.astimezone(self.policy.tz).date(), days)
        return Due(self.end_of(d), provisional or due.provisional)

    def paused_workdays(self, ticket: Ticket, since: datetime, now: datetime) -> tuple[int, bool]:
        """Working days lost to recusal pauses (R27.1) that began at or after `since`;
        an open pause counts up to `now`."""
        total, provisional = 0, False
        for p in ticket.pauses:
            if p.started_at < since:
                continue
            end = p.ended_at or now
            n, prov = self.calendar.workdays_between(self.local(p.started_at).date(), self.local(end).date())
            total += n
            provisional |= prov
        return total, provisional


@dataclass(frozen=True)
class Clock:
    """The clock running on a ticket at one moment: which limit, from when, due when."""

    name: str                 # acceptance | dispatch | resolution | extension | recusal_decision
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


def running_clock(ticket: Ticket, now: datetime, clocks: Clocks, taxonomy: Taxonomy) -> Clock | None:
    """Which clock runs on `ticket` at `now` and how much is left; None when no limit applies."""
    policy = clocks.policy
    s = ticket.status
    if s is Status.REGISTERED:
        name, rule, start, limit = "acceptance", "R20.2", ticket.registered_at, policy.limits["acceptance"]
    elif s is Status.ACCEPTED:
        name, rule, start, limit = "dispatch", "R20.2", ticket.accepted_at, policy.limits["dispatch"]
    elif s is Status.RETURNED:
        name, rule, start, limit = "dispatch", "R28.1", ticket.returned_at, policy.limits["dispatch"]
    elif s in (Status.DISPATCHED, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED):
        ext = ticket.extension
        # An extension approved before a rework (R23.1) gave way to the rework's fresh limit; one
        # approved during the rework replaces that limit like any other (R22.2).
        if (ext is not None and ext.approved and ext.approved_due is not None
                and (ticket.rework_at is None or ext.requested_at >= ticket.rework_at)):
            paused, prov = clocks.paused_workdays(ticket, ext.decided_at or ext.requested_at, now)
            due = clocks.workdays_after(Due(ext.approved_due, False), paused)
            due = Due(due.at, due.provisional or prov)
            return _clock("extension", "R22.2", ext.requested_at, due, ticket.paused, now)
        if ticket.rework_at is not None:
            name, rule, start, limit = "resolution", "R23.1", ticket.rework_at, policy.limits["rework"]
        else:
            # R22.1 counts from receipt; until the unit signs, from dispatch, so not signing
            # cannot stop the clock.
            start = ticket.received_at or ticket.dispatched_at
            name, rule, limit = "resolution", "R22.1", resolution_limit(ticket, taxonomy, policy)
    else:
        return None
    assert start is not None
    paused, prov = clocks.paused_workdays(ticket, start, now)
    due = clocks.due(start, limit, paused)
    return _clock(name, rule, start, Due(due.at, due.provisional or prov), ticket.paused, now)


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
