"""Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
Jitter"): the n-th retry waits a random time in [0, min(cap, base·2ⁿ)], so 300 seats that lost the
server together do not come back together.

httpx's own `retries=` only retries connection setup; this covers every retryable answer.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    base: float = 0.5  # seconds
    cap: float = 30.0  # never wait longer than this between two tries
    attempts: int = 6  # tries per request before giving up as Offline
    rng: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (0-based). A server's Retry-After is a floor,
        still capped: a wrong header must not park a seat for an hour."""
        ceiling = min(self.cap, self.base * (2**retry))
        wait = self.rng() * ceiling
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait


RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def retryable(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500
