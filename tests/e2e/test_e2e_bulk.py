"""R16.1: a seat offline for a whole shift records 10,000 events, then syncs them in one go."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.rule("R16.1")]


def test_ten_thousand_events_recorded_offline_then_synced(backend, seat, delivered):
    assert seat.record(2500) == 10_000
    assert seat.depth() == 10_000
    seat.sync_until_done(backend.url, backend.tokens["seat"], tries=2)
    delivered(backend, seat)
