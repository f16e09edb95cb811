"""The demo database (`hotline db init --demo`, what `scripts/seat.sh` opens) can be made at any
hour. It was refused once just after midnight in Anshan: the demo demanded an explanation for a
ticket that was overdue now but not yet an hour earlier, when the demand was dated (R10.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from operator_tui.demo import seed
from operator_tui.store.db import Store

# 2026-12-01 00:06 in Anshan (UTC+8), when it failed, and the hours around midnight of three days
# (day limits end at 24:00 local time), on a Monday, a Friday and a Sunday.
INSTANTS = [datetime(2026, 11, 30, 16, 6, tzinfo=UTC)] + [
    day + timedelta(minutes=m)
    for day in (
        datetime(2026, 11, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 4, 16, tzinfo=UTC),
        datetime(2026, 12, 6, 16, tzinfo=UTC),
    )
    for m in (-30, 1, 30, 59)
]


@pytest.mark.rule("R10.2")
def test_the_demo_seeds_at_any_hour_around_midnight(tmp_path, rules):
    for i, now in enumerate(INSTANTS):
        store = Store.open(tmp_path / f"demo{i}.db")
        assert seed(store, rules, now) > 0, now
        with store.connect() as db:
            kinds = {k for (k,) in db.execute("SELECT DISTINCT kind FROM events")}
        assert {"register", "dispatch", "referral"} <= kinds, now
