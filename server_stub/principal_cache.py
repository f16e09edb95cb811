"""Valid tokens' principals, remembered in the process where the token check is a round trip.

Every request shows a token, and on PostgreSQL checking it costs a hop to the threadpool and a
query: at 1,000 seats pulling every 2 s that was a third of a pull's work (issue 17). The answer
changes only when the `principals` table does, so the process remembers it, and forgets it all
whenever that table changes:

- the engine tells the cache of every change (on PostgreSQL a trigger NOTIFYs on the table, and
  a listener thread in each process calls `invalidate`), so a revoked token stops working at the
  commit in the process that revoked it and within milliseconds in every other, not after some
  expiry;
- the cache is trusted only while that channel is up (`live`): a process that cannot hear
  revocations checks every token against the database again;
- a lookup that raced an invalidation is not remembered (`generation`): it may have read the row
  from before the revocation;
- unknown tokens are never remembered (a guesser cannot fill the memory), and entries expire
  after `ttl` seconds anyway, as a bound should a notification be lost with a silent network.

Keys are token hashes, never tokens. SQLite's check is an in-process read (~40 µs) on the event
loop; its cache is never made live, so every request reads the table as before.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class PrincipalCache:
    def __init__(self, *, max_entries: int = 20_000, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.max_entries, self.ttl, self._clock = max_entries, ttl, clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.generation = 0
        self.live = False

    def get(self, token_hash: str) -> Any | None:
        """The principal remembered for `token_hash`, or None (look it up, then `put`)."""
        if not self.live:
            return None
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is None:
                return None
            if self._clock() >= entry[0]:
                del self._entries[token_hash]
                return None
            self._entries.move_to_end(token_hash)
            return entry[1]

    def put(self, token_hash: str, principal: Any, generation: int) -> None:
        """Remember a principal read after `generation` was taken, unless the table changed since."""
        with self._lock:
            if not self.live or generation != self.generation:
                return
            self._entries[token_hash] = (self._clock() + self.ttl, principal)
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate(self) -> None:
        """The principals changed somewhere: forget everything, and refuse lookups already running."""
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def set_live(self, live: bool) -> None:
        """Whether changes are being heard. Either way what was remembered is dropped: nothing
        heard while the channel was down can be trusted."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self.live = live

    def __len__(self) -> int:
        return len(self._entries)
