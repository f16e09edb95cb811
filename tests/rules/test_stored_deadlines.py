"""Issue 12 defects 5 and 7 in the seat's store: stored deadlines follow holiday data that arrives
later (and are marked 暂定 until then), and the queue puts raised priority (R9.1) ahead of deadline
order."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from operator_tui.domain.deadlines import Clocks, running_clock
from operator_tui.domain.workdays import WorkCalendar, parse_holidays
from operator_tui.store import overview, tickets

TZ = ZoneInfo("Asia/Shanghai")
# Test data, not the State Council's schedule: Spring Festival 2027 from 5 to 12 Feb, make-up 13 Feb.
HOLIDAYS_2027 = (
    '[2027]\nholidays = ["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11",'
    ' "2027-02-12"]\nworkdays = ["2027-02-13"]\n'
)


def local(*a: int) -> datetime:
    return datetime(*a, tzinfo=TZ)


def _row(store, ticket_id):
    with store.connect() as db:
        return db.conn.execute(
            "SELECT clock, due_at, due_provisional FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()


@pytest.mark.rule("R22.1")
def test_a_stored_provisional_deadline_is_recomputed_when_the_holiday_file_arrives(rules, registered, act, store):
    """Dispatched 2027-02-03: stored due 02-10 provisional (Mon–Fri); with the 2027 file, 02-17."""
    t = act(registered(at=local(2027, 2, 3, 9)), "accept", at=local(2027, 2, 3, 10))
    t = act(t, "dispatch", {"lead_unit": "heat_group", "co_units": []}, at=local(2027, 2, 3, 11))
    before = Clocks(rules.policy, WorkCalendar({}))
    with store.transaction() as db:
        tickets.save(db, t, [], running_clock(t, t.updated_at, before, rules.taxonomy), t.updated_at, outbox=False)
    clock, due_at, provisional = _row(store, t.id)
    assert datetime.fromisoformat(due_at) == local(2027, 2, 10, 23, 59, 59) and provisional == 1
    with store.connect() as db:
        assert [i.due_provisional for i in overview.queue(db, local(2027, 2, 11, 9))] == [True]  # shown as 暂定
        assert overview.compute(db, local(2027, 2, 11, 9), TZ).open_overdue == 1

    after = Clocks(rules.policy, WorkCalendar(parse_holidays(HOLIDAYS_2027, "site-holidays.toml")))
    with store.connect() as db:
        result = overview.compute(db, local(2027, 2, 11, 9), TZ, clocks=after, taxonomy=rules.taxonomy)
    assert result.open_overdue == 0 and result.queue[0].due_provisional is False
    clock, due_at, provisional = _row(store, t.id)
    assert (clock, datetime.fromisoformat(due_at), provisional) == ("resolution", local(2027, 2, 17, 23, 59, 59), 0)
    with store.connect() as db:  # nothing left to refresh
        assert tickets.refresh_deadlines(db, after, rules.taxonomy, local(2027, 2, 11, 9)) == 0


@pytest.mark.rule("R27.1")
def test_a_stored_deadline_held_by_a_recusal_request_is_refreshed(rules, ticket_in, act, store):
    t = ticket_in("in_progress")  # due 2026-11-09
    t = act(t, "recusal_request", {"reason": "相识"}, at=local(2026, 11, 3, 10))
    with store.transaction() as db:
        tickets.save(
            db, t, [], running_clock(t, t.updated_at, rules.clocks, rules.taxonomy), t.updated_at, outbox=False
        )
    assert _row(store, t.id)[0] == "recusal_decision"
    # decided elsewhere? no: still open a week later; the decision limit (6 Nov) is what is overdue
    with store.connect() as db:
        tickets.refresh_deadlines(db, rules.clocks, rules.taxonomy, local(2026, 11, 10, 9))
    clock, due_at, _ = _row(store, t.id)
    assert clock == "recusal_decision" and datetime.fromisoformat(due_at) == local(2026, 11, 6, 23, 59, 59)


@pytest.mark.rule("R9.1")
def test_the_queue_puts_raised_priority_before_deadline_order(rules, registered, act, store):
    """Defect 7 of issue 12: the queue order ignored priority."""
    plain = act(registered(at=local(2026, 11, 2, 9)), "accept", at=local(2026, 11, 2, 10))  # due 11-04
    elderly = act(
        registered(at=local(2026, 11, 3, 9), vulnerable=["elderly"]), "accept", at=local(2026, 11, 3, 10)
    )  # due 11-05
    assert elderly.priority > 0 and plain.priority == 0
    with store.transaction() as db:
        for t in (plain, elderly):
            tickets.save(
                db, t, [], running_clock(t, t.updated_at, rules.clocks, rules.taxonomy), t.updated_at, outbox=False
            )
    with store.connect() as db:
        q = overview.queue(db, local(2026, 11, 3, 12))
    assert [i.id for i in q] == [elderly.id, plain.id] and q[0].priority > 0
