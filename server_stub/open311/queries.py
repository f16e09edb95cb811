"""GET requests' query: the spec's filters as SQL both engines run (`?` placeholders through `tx._all`).

Kept here rather than in storage.py: only Open311 asks by date range and matter this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..storage import _TICKET_COLS, Storage, TicketRow, _ticket_row, utc

DEFAULT_DAYS = 90  # GeoReport v2: without a date range, the last 90 days
MAX_RESULTS = 1000  # GeoReport v2: at most 1000 requests per answer


@dataclass(frozen=True)
class RequestFilter:
    start: datetime | None = None
    end: datetime | None = None
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # 'open' / 'closed'

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """The spec's defaults: up to now, and 90 days back from the end."""
        end = self.end or now
        return self.start or end - timedelta(days=DEFAULT_DAYS), end


def by_numbers(storage: Storage, numbers: list[str]) -> list[TicketRow]:
    """Tickets by service_request_id (the ticket number), in the order asked; unknown ones left out."""
    with storage.read() as tx:
        found = [tx.ticket_by_number(n) for n in dict.fromkeys(numbers)]
    return [r for r in found if r is not None]


def search(storage: Storage, f: RequestFilter, now: datetime) -> list[TicketRow]:
    start, end = f.window(now)
    # `registered_at` is UTC ISO text, so the window compares as text on both engines.
    sql = f"SELECT {_TICKET_COLS} FROM tickets WHERE registered_at >= ? AND registered_at <= ?"
    args: list[Any] = [utc(start), utc(end)]
    if f.service_codes:
        sql += f" AND matter IN ({', '.join('?' * len(f.service_codes))})"
        args += list(f.service_codes)
    if set(f.statuses) == {"open"}:
        sql += " AND closed = 0"
    elif set(f.statuses) == {"closed"}:
        sql += " AND closed = 1"
    sql += f" ORDER BY registered_at DESC, id DESC LIMIT {MAX_RESULTS}"
    with storage.read() as tx:
        return [_ticket_row(r) for r in tx._all(sql, args)]
