"""ARCHITECTURE "Sync protocol", 7: the seat keeps its offset from the server's `Date` header and
flags skew beyond two minutes; the server corrects the times a skewed seat records."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from operator_tui.store import tickets

pytestmark = pytest.mark.rule("R16.1")


@pytest.mark.parametrize("days", [1, -1])
def test_a_seat_a_day_off_is_flagged_and_its_times_corrected(hub, days):
    hub.seat_clock.at = hub.server_clock.at + timedelta(days=days)
    [t] = hub.record(1)
    report = hub.service().sync_once()
    assert report.ok
    status = hub.service().status()
    assert status.skewed
    assert abs(status.clock_offset - timedelta(days=-days)) < timedelta(seconds=2)
    with hub.store.connect() as db:
        synced = tickets.get(db, t.id)
    assert abs(synced.registered_at - hub.server_clock.at) < timedelta(seconds=2)  # the server's time
    detail = hub.http.get(
        f"/v1/tickets/{t.number}", headers={"Authorization": f"Bearer {hub.tokens['supervisor']}"}
    ).json()
    assert datetime.fromisoformat(detail["events"][0]["at"]) == hub.seat_clock.at  # the seat's, as recorded


def test_a_small_difference_is_not_flagged(hub):
    hub.seat_clock.at = hub.server_clock.at + timedelta(seconds=40)
    hub.record(1)
    hub.service().sync_once()
    status = hub.service().status()
    assert not status.skewed and abs(status.clock_offset + timedelta(seconds=40)) < timedelta(seconds=2)
