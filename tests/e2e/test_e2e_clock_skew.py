"""R16.1 with a seat whose clock is a day fast or slow: everything arrives once, the seat flags the
skew, and the server keeps its own (corrected) times for the deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from operator_tui.sync.status import read_status

pytestmark = [pytest.mark.slow, pytest.mark.rule("R16.1")]


@pytest.mark.parametrize("skew", [timedelta(days=1), timedelta(days=-1)], ids=["a-day-fast", "a-day-slow"])
def test_a_seat_clock_a_day_off(backend, seat, delivered, skew):
    seat.record(50, at=datetime.now(UTC) + skew)
    runner = seat.runner(backend.url, backend.tokens["seat"], offset=skew)
    out, _ = runner.communicate(timeout=300)
    assert runner.returncode == 0, out
    delivered(backend, seat)
    status = read_status(seat.store)
    assert status.skewed and abs(status.clock_offset + skew) < timedelta(minutes=1)
    rows = backend.query("SELECT at, applied_at, received_at FROM events")
    for at, applied, received in rows:
        assert abs(datetime.fromisoformat(at) - datetime.fromisoformat(received) - skew) < timedelta(minutes=1)
        assert abs(datetime.fromisoformat(applied) - datetime.fromisoformat(received)) < timedelta(minutes=1)
