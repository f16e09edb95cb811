"""What the seat's screens are given ("attributes down"): the rules, the store, the desk, the
searchers, the clock. Built once in the CLI; tests build their own with a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from ..config import Rules
from ..desk import Desk
from ..domain.model import Role
from ..settings import Settings
from ..store.db import Store


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class SeatContext:
    settings: Settings
    rules: Rules
    store: Store
    desk: Desk
    triage_rules: Any = None                       # operator_tui.domain.triage.TriageRules
    triage_loader: Callable[[], Any] | None = None  # loads them when not given (cached by the loader)
    kb_search: Callable[[str, str | None], list] | None = None
    caller: str | None = None                      # `hotline seat --caller`
    offline: bool = False
    role: Role = Role.OPERATOR                     # supervisors start on the overview
    now: Callable[[], datetime] = field(default=utc_now)
    sync: Any = None                               # operator_tui.sync service, when a server is set

    def triage(self) -> Any:
        """The triage rules, loading them on first use if they were not given."""
        if self.triage_rules is None and self.triage_loader is not None:
            self.triage_rules = self.triage_loader()
        return self.triage_rules
