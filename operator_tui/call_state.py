"""The operator's state through a call, as a call centre counts it (issue 14; R13.1 call timer).

    示闲 ready ──F2 / typing──▶ 通话中 talking ──ticket saved──▶ 话后整理 wrap-up ──countdown──▶ 示闲
                                   ▲                                 │
                                   └──────────F2 (next call)─────────┘

The call ends when its ticket is saved (or linked as 催办): the talk timer stops there and shows the
call's length. After-call work then counts down the policy's `[call] wrap_up_seconds`; a new call
may start at any time. No UI and no clock reads: every transition takes the time, so the seat and
a CTI adapter (issue 19) can drive the same states and tests pin them.

With the phone system (issue 19) the call starts when it is answered and ends when it is hung up,
not when its ticket is saved: `hang_up` begins after-call work with no countdown yet, and `end` (the
ticket saved) starts the countdown, so the switch never offers a new call over an unsaved ticket.
`PhoneTimers` keeps the ring, hold and talk times as the seat saw them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


class AgentState(enum.Enum):
    READY = "ready"  # 示闲: free for the next call
    TALKING = "talking"  # 通话中
    WRAP_UP = "wrap_up"  # 话后整理: the call is over, the operator finishes its record

    @property
    def label(self) -> str:
        return {"ready": "示闲", "talking": "通话中", "wrap_up": "话后整理"}[self.value]


@dataclass(frozen=True)
class CallState:
    state: AgentState = AgentState.READY
    started_at: datetime | None = None  # the current (or last) call's start
    ended_at: datetime | None = None  # when its ticket was saved
    wrap_up_until: datetime | None = None

    def start(self, at: datetime) -> CallState:
        """A call starts (F2, the phone system, or the operator starts typing)."""
        return CallState(AgentState.TALKING, started_at=at)

    def end(self, at: datetime, wrap_up_seconds: int) -> CallState:
        """The call's ticket is saved: the talk time stops; after-call work begins (or, with no
        wrap-up time, the seat is ready at once). Ending a call that is not talking changes nothing."""
        if self.state is AgentState.WRAP_UP and self.wrap_up_until is None:  # hung up before the save
            if wrap_up_seconds <= 0:
                return replace(self, state=AgentState.READY)
            return replace(self, wrap_up_until=at + timedelta(seconds=wrap_up_seconds))
        if self.state is not AgentState.TALKING:
            return self
        if wrap_up_seconds <= 0:
            return replace(self, state=AgentState.READY, ended_at=at, wrap_up_until=None)
        return replace(
            self, state=AgentState.WRAP_UP, ended_at=at, wrap_up_until=at + timedelta(seconds=wrap_up_seconds)
        )

    def hang_up(self, at: datetime) -> CallState:
        """The phone call ended before its ticket was saved: the talk time stops; after-call work
        waits for the save (`end`) to start its countdown."""
        if self.state is not AgentState.TALKING:
            return self
        return replace(self, state=AgentState.WRAP_UP, ended_at=at, wrap_up_until=None)

    def tick(self, now: datetime) -> CallState:
        """Wrap-up runs out by itself."""
        if self.state is AgentState.WRAP_UP and self.wrap_up_until is not None and now >= self.wrap_up_until:
            return replace(self, state=AgentState.READY, wrap_up_until=None)
        return self

    def ready(self) -> CallState:
        """The operator ends after-call work early."""
        if self.state is AgentState.WRAP_UP:
            return replace(self, state=AgentState.READY, wrap_up_until=None)
        return self

    def talk_seconds(self, now: datetime) -> int:
        """The call's length: running while talking, frozen at the save afterwards."""
        if self.started_at is None:
            return 0
        end = now if self.state is AgentState.TALKING or self.ended_at is None else self.ended_at
        return max(0, int((end - self.started_at).total_seconds()))

    def wrap_up_left(self, now: datetime) -> int:
        if self.state is not AgentState.WRAP_UP or self.wrap_up_until is None:
            return 0
        return max(0, int((self.wrap_up_until - now).total_seconds() + 0.999))


@dataclass(frozen=True)
class PhoneTimers:
    """A phone call's ring and hold times on the seat's clock (the switch's own times go on the
    ticket, from the CTI CallRecord)."""

    ring_at: datetime | None = None
    answer_at: datetime | None = None
    held_since: datetime | None = None
    held_before: float = 0.0  # seconds on hold before the current hold
    hung_up_at: datetime | None = None

    def ring(self, at: datetime) -> PhoneTimers:
        return PhoneTimers(ring_at=at)

    def answer(self, at: datetime) -> PhoneTimers:
        return self if self.answer_at else replace(self, answer_at=at)

    def hold(self, at: datetime) -> PhoneTimers:
        return self if self.held_since or self.hung_up_at else replace(self, held_since=at)

    def unhold(self, at: datetime) -> PhoneTimers:
        if self.held_since is None:
            return self
        return replace(self, held_since=None, held_before=self.held_before + (at - self.held_since).total_seconds())

    def hang_up(self, at: datetime) -> PhoneTimers:
        return replace(self.unhold(at), hung_up_at=at) if self.hung_up_at is None else self

    @property
    def ringing(self) -> bool:
        return self.ring_at is not None and self.answer_at is None and self.hung_up_at is None

    @property
    def on_hold(self) -> bool:
        return self.held_since is not None

    def ring_seconds(self, now: datetime) -> int:
        if self.ring_at is None:
            return 0
        end = self.answer_at or self.hung_up_at or now
        return max(0, int((end - self.ring_at).total_seconds()))

    def answer_left(self, now: datetime, limit: int) -> int:
        """Seconds left to answer within `limit` (GB/T 33358: 15 s); negative once late."""
        if self.ring_at is None:
            return limit
        return limit - int((now - self.ring_at).total_seconds())

    def hold_seconds(self, now: datetime) -> int:
        current = (now - self.held_since).total_seconds() if self.held_since else 0.0
        return max(0, int(self.held_before + current))
