"""The server's settings, resolved once by whoever starts it (the CLI, a test, a benchmark)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from operator_tui.clock import utc_now
from operator_tui.contract import MAX_BODY_BYTES


@dataclass(frozen=True)
class SweepPolicy:
    """Thresholds of the supervision sweep (R25.1). The time limits themselves are in policy.toml."""

    repeat_count: int = 3  # (2): this many open tickets on one matter in one place …
    repeat_window_days: int = 30  # … registered within this many days
    dissatisfied_count: int = 3  # (4): this many dissatisfied ratings (overall ≤ 2) for a unit …
    dissatisfied_window_days: int = 30


@dataclass(frozen=True)
class ServerSettings:
    # A SQLite file, or a `postgresql://user@host:port/dbname` URL (issue 17); the name stays
    # `db_path` because a file is the default and most callers pass one.
    db_path: Path | str
    max_body_bytes: int = MAX_BODY_BYTES
    sweep_every_seconds: float = 60.0  # 0 turns the periodic sweep off (tests call it directly)
    sweep: SweepPolicy = field(default_factory=SweepPolicy)
    clock: Callable[[], datetime] = utc_now  # injected so tests pin time; never read elsewhere
    pool_size: int = 16  # PostgreSQL: connections per server process
