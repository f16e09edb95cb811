"""What the seat's screens are given ("attributes down"): the store, the clock, the policy, and once
start-up is complete the rules, the desk, the searchers and the sync service. Built by
`operator_tui.seat_start`; tests build their own `SeatContext` with a fixed clock.

Start-up comes in two halves (issue 3: start-up time). `StartContext` is what the first frame
needs, known from the policy file alone; `SeatContext` is everything, the rules and the desk
included. The command line starts the seat with a `SeatStart`: the first half, and the call that
loads the rest, which the intake screen makes off the UI thread after its first frame, so the
operator can type while it runs. No field is empty only because start-up has not finished (issue
18): code that runs after start-up takes a `SeatContext`, the first frame a `StartContext`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from threading import Lock
from typing import TYPE_CHECKING, Any

from ..clock import utc_now
from ..domain.states import Role

if TYPE_CHECKING:
    from ..config import Rules
    from ..desk import Desk
    from ..domain.policy import Policy
    from ..settings import Settings
    from ..store.db import Store


@dataclass(kw_only=True)
class StartContext:
    """What the first frame needs (the call panel, the head of the form, the draft): no rules, no
    desk. Every field is known before the first frame."""

    settings: Settings
    store: Store
    policy: Policy  # time zone, limits, call timer colours
    caller: str | None = None  # `hotline seat --caller`
    offline: bool = False
    role: Role = Role.OPERATOR  # supervisors start on the overview
    now: Callable[[], datetime] = field(default=utc_now)
    # A site's own triage rules are read (and checked) before the first frame; the packaged ones
    # are compiled by `triage_loader` on first use (~0.2 s kept off the start-up path).
    triage_rules: Any = None  # operator_tui.domain.triage.TriageRules
    triage_loader: Callable[[], Any] | None = None

    def triage(self) -> Any:
        """The triage rules, loading them on first use if they were not given."""
        if self.triage_rules is None and self.triage_loader is not None:
            self.triage_rules = self.triage_loader()
        return self.triage_rules


@dataclass(kw_only=True)
class SeatContext(StartContext):
    """Everything the seat needs once it has started. Tests build one in a single step:
    `SeatContext(settings=…, store=…, rules=…, desk=…)` (the policy is the rules')."""

    rules: Rules
    desk: Desk
    kb_search: Callable[[str, str | None], list] | None = None  # None: no knowledge-base module
    sync: Any = None  # operator_tui.sync service; None without a server or when offline
    cti: Any = None  # operator_tui.cti.CtiLink (`--cti`); the intake screen starts it
    policy: Policy = field(init=False)  # the rules' own, so the two cannot disagree

    def __post_init__(self) -> None:
        self.policy = self.rules.policy

    @classmethod
    def completing(
        cls,
        first: StartContext,
        *,
        rules: Rules,
        desk: Desk,
        kb_search: Callable[[str, str | None], list] | None = None,
        sync: Any = None,
        cti: Any = None,
    ) -> SeatContext:
        """The complete context: the first frame's fields as they are now (a test may have set its
        clock) and the deferred half."""
        known = {f.name: getattr(first, f.name) for f in fields(StartContext) if f.name != "policy"}
        return cls(**known, rules=rules, desk=desk, kb_search=kb_search, sync=sync, cti=cti)


class SeatStart:
    """A seat started in two halves: `first` for the first frame, and `finish()`, which loads the
    rest (rules, desk, knowledge base, sync, phone link) once and returns the complete context.
    `finish()` may raise operator_tui.config.ConfigError (a rules file that cannot be read)."""

    def __init__(self, first: StartContext, rest: Callable[[StartContext], SeatContext]) -> None:
        self.first = first
        self.rest = rest
        self._lock = Lock()  # the draft-restore path and the loading thread may both ask
        self._done: list[SeatContext] = []

    def finish(self) -> SeatContext:
        with self._lock:
            if not self._done:
                self._done.append(self.rest(self.first))
            return self._done[0]


# How the app is given the seat: complete already (tests, a supervisor, `--demo`), or in two halves.
SeatBegin = SeatContext | SeatStart


def first_frame(begin: SeatBegin) -> StartContext:
    """The first frame's context of either kind (a complete context is one too)."""
    return begin if isinstance(begin, SeatContext) else begin.first
