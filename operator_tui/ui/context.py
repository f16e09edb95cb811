"""What the seat's screens are given ("attributes down"): the rules, the store, the desk, the
searchers, the clock. Built once by `operator_tui.seat_start`; tests build their own with a fixed
clock.

The command line starts the seat with `pending` set and only the policy read (`start_policy`): the
rules, the desk, the knowledge-base searcher and the sync service are filled in by `finish()`, which
the intake screen runs off the UI thread after its first frame, so the operator can type while they
load (issue 3: start-up time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..clock import utc_now
from ..domain.errors import BrokenInvariant
from ..domain.states import Role

if TYPE_CHECKING:
    from ..config import Rules
    from ..desk import Desk
    from ..domain.policy import Policy
    from ..settings import Settings
    from ..store.db import Store


@dataclass
class SeatContext:
    settings: Settings
    rules: Rules | None  # None only until `finish()` when `pending` is set
    store: Store
    desk: Desk | None = None  # None only until `finish()` when `pending` is set
    triage_rules: Any = None  # operator_tui.domain.triage.TriageRules
    triage_loader: Callable[[], Any] | None = None  # loads them when not given (cached by the loader)
    kb_search: Callable[[str, str | None], list] | None = None
    caller: str | None = None  # `hotline seat --caller`
    offline: bool = False
    role: Role = Role.OPERATOR  # supervisors start on the overview
    now: Callable[[], datetime] = field(default=utc_now)
    sync: Any = None  # operator_tui.sync service, when a server is set
    pending: Callable[[SeatContext], None] | None = None  # the deferred half of start-up
    start_policy: Policy | None = None  # the policy, read before the rules when deferred
    cti: Any = None  # operator_tui.cti.CtiLink (`--cti`), started after the first frame

    @property
    def policy(self) -> Policy:
        """Time zone, limits, call timer colours: known from the first frame on."""
        if self.rules is not None:
            return self.rules.policy
        if self.start_policy is None:
            raise BrokenInvariant("a seat context needs its rules or, while starting, its policy")
        return self.start_policy

    # The deferred half, for code that runs only once start-up is complete (the seat's actions, its
    # workers): typed without the None that only the first frame sees (issue 18).
    @property
    def ready_rules(self) -> Rules:
        if self.rules is None:
            raise BrokenInvariant("the seat's rules were used before start-up finished")
        return self.rules

    @property
    def ready_desk(self) -> Desk:
        if self.desk is None:
            raise BrokenInvariant("the seat's desk was used before start-up finished")
        return self.desk

    def triage(self) -> Any:
        """The triage rules, loading them on first use if they were not given."""
        if self.triage_rules is None and self.triage_loader is not None:
            self.triage_rules = self.triage_loader()
        return self.triage_rules

    def finish(self) -> None:
        """Load the deferred half of start-up (once). Not the triage rules: the screen compiles
        them in a worker of their own (~0.4 s)."""
        if self.pending is not None:
            self.pending(self)
            self.pending = None
