"""When an event counts as having happened, as the server judges it (R18.2, R22.2).

A seat records every event with its own clock, and may hold it for hours or days while offline; that
time is evidence and is kept as the event's `at`. The time the ticket is changed at (the event's
*applied* time: what its history, its clocks and the deadline rules see) is bounded by what the
server can vouch for:

- no later than the server's receipt: nothing is applied before it happened, and a claim beyond the
  receipt by more than `future` is refused as a broken or lying clock;
- no earlier than the ticket's previous event: a history is read in order, and an act may not be
  slipped in before what it follows (a unit "receiving" before the dispatch, an acceptance dated
  back to look on time). A claim up to `past` earlier is placed right after that event (two seats'
  clocks are never quite together); earlier still is refused;
- a unit's act is applied at the receipt time, whatever it claims: units act online, and their acts
  are the ones whose legality or whose on-time figures turn on a limit (R22.1 receive and respond,
  R22.2 an extension must be asked for inside the limit, R28.1 return), so nobody can backdate past one.

A new ticket has no previous event: a seat's offline intake keeps its real call time, however old.
Pure: the caller passes every time in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import RuleViolation
from .policy import Policy
from .states import Role


@dataclass(frozen=True)
class TimeBounds:
    future: timedelta
    past: timedelta

    @classmethod
    def of(cls, policy: Policy) -> TimeBounds:
        """From the policy file's [sync] section."""
        return cls(timedelta(seconds=policy.future_tolerance_seconds), timedelta(seconds=policy.past_tolerance_seconds))


def timed_at_receipt(role: Role) -> bool:
    """Whether an event in `role` is applied at the server's receipt time rather than at its claim."""
    return role is Role.UNIT


def applied_time(
    claimed: datetime, received: datetime, previous: datetime | None, *, at_receipt: bool, bounds: TimeBounds
) -> datetime:
    """The time an event is applied at, or RuleViolation (R18.2) for a claim outside the bounds.

    `claimed` is the event's own time (already corrected for a seat's clock offset), `received` the
    server's clock on receipt, `previous` the applied time of the ticket's last event (None for a
    ticket not yet registered)."""
    if claimed > received + bounds.future:
        raise RuleViolation(
            "R18.2",
            f"the event is dated {_iso(claimed)}, later than the server's clock "
            f"({_iso(received)}); check the seat's clock",
        )
    at = received if at_receipt else min(claimed, received)
    if previous is None:
        return at
    if at < previous - bounds.past:
        raise RuleViolation(
            "R18.2",
            f"the event is dated {_iso(at)}, before the ticket's previous event "
            f"({_iso(previous)}); a history is recorded in order",
        )
    return max(at, previous)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")
