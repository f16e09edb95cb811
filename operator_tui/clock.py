"""The one place the real clock is read. Rules take `now` as an argument; the edges (the seat, the
sync service, the phone link, the server) default to this, and tests pass a time of their own."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
