"""The seat's sync status, as the status bar shows it (ARCHITECTURE "Sync protocol", 6 and 7).

A plain value read from the local store, so any process on the seat can show it and the widget
needs no network and no database of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..store import outbox, sync_state
from ..store.db import Store

SKEW_LIMIT = timedelta(minutes=2)


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None  # None: no sync tried yet
    outbox_depth: int  # events recorded here that the server does not hold yet
    conflicts: int  # refused events waiting for the operator
    last_sync_at: datetime | None  # last sync that completed
    clock_offset: timedelta | None  # server clock minus seat clock
    last_error: str | None = None
    syncing: bool = False

    @property
    def skewed(self) -> bool:
        """The seat's clock is off by more than two minutes: times it records are corrected by the
        server, but the operator should have the clock fixed."""
        return self.clock_offset is not None and abs(self.clock_offset) > SKEW_LIMIT


def read_status(store: Store, *, syncing: bool = False) -> SyncStatus:
    with store.connect() as db:
        link = sync_state.link_state(db)
        return SyncStatus(
            online=link.online,
            outbox_depth=outbox.depth(db),
            conflicts=outbox.open_conflicts(db),
            last_sync_at=link.last_sync_at,
            clock_offset=link.clock_offset,
            last_error=link.last_error,
            syncing=syncing,
        )
