"""Time on the server (R18.2, R22.2, R16.1): whatever times seats and units claim, and whatever their
clocks, the history the server keeps is in order, never ahead of its receipts, and a unit's act is
dated by the server. Property-tested through the push API, plus the cases by name."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIVE_MINUTES = timedelta(minutes=5)  # policy.toml [sync] defaults


def _events(api, number: str) -> list[dict]:
    return api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()["events"]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.rule("R18.2")
def test_an_event_dated_after_the_servers_clock_is_refused(api):
    ticket_id, number = api.ticket(lead="city_housing")
    late = api.event("add_note", ticket_id, {"text": "明天的记录"}, at=api.clock.now() + timedelta(days=1))
    result = api.push("seat", [late]).json()["results"][0]
    assert (
        result["status"] == "rejected"
        and result["rule"] == "R18.2"
        and "later than the server's clock" in result["reason"]
    )


@pytest.mark.rule("R18.2")
def test_a_small_lead_is_tolerated_and_applied_at_receipt(api):
    ticket_id, number = api.ticket(lead="city_housing")
    ahead = api.event("add_note", ticket_id, {"text": "x"}, at=api.clock.now() + timedelta(minutes=2))
    assert api.push("seat", [ahead]).json()["results"][0]["status"] == "applied"
    last = _events(api, number)[-1]
    assert _ts(last["applied_at"]) == _ts(last["received_at"]) == api.clock.now()


@pytest.mark.rule("R18.2")
def test_an_event_dated_well_before_the_tickets_previous_event_is_refused(api):
    ticket_id, number = api.ticket(lead="city_housing")
    api.clock.advance(hours=3)
    api.act("supervisor", number, "add_note", {"text": "值班长记录"})
    backdated = api.event("add_note", ticket_id, {"text": "早先的记录"}, at=api.clock.now() - timedelta(hours=1))
    result = api.push("seat", [backdated]).json()["results"][0]
    assert result["status"] == "rejected" and result["rule"] == "R18.2" and "previous event" in result["reason"]


@pytest.mark.rule("R18.2")
def test_a_claim_just_before_the_previous_event_is_placed_after_it(api):
    ticket_id, number = api.ticket(lead="city_housing")
    api.clock.advance(hours=3)
    api.act("supervisor", number, "add_note", {"text": "值班长记录"})
    api.clock.advance(seconds=30)
    slow = api.event("add_note", ticket_id, {"text": "另一坐席"}, at=api.clock.now() - timedelta(minutes=2))
    assert api.push("seat2", [slow]).json()["results"][0]["status"] == "applied"
    *_, previous, last = _events(api, number)
    assert _ts(last["applied_at"]) == _ts(previous["applied_at"])
    assert _ts(last["at"]) == api.clock.now() - timedelta(minutes=2)  # the seat's own time is kept


@pytest.mark.rule("R16.1")
def test_offline_intake_days_old_keeps_its_call_time(api):
    call = api.clock.now()
    ticket_id, number, events = api.register()
    events.append(api.event("accept", ticket_id, at=call + timedelta(minutes=3)))
    api.clock.advance(days=3)  # the link came back three days later
    assert [r["status"] for r in api.push("seat", events).json()["results"]] == ["applied", "applied"]
    history = _events(api, number)
    assert [_ts(e["applied_at"]) for e in history] == [call, call + timedelta(minutes=3)]
    ticket = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()["ticket"]["ticket"]
    assert _ts(ticket["registered_at"]) == call


# --- the property ------------------------------------------------------------------------------

SKEWS = [timedelta(0), timedelta(seconds=90), timedelta(seconds=-90), timedelta(days=1), timedelta(days=-1)]
STEP = st.tuples(
    st.sampled_from(["seat", "seat2", "supervisor", "unit"]),  # who pushes a note
    st.integers(0, 180),  # minutes the server clock moves first
    st.integers(-180, 180),  # minutes the claim differs from the truth
    st.booleans(),  # whether the batch carries sent_at
)


@pytest.mark.rule("R18.2")
@pytest.mark.rule("R22.2")
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(skew=st.sampled_from(SKEWS), age=st.integers(0, 5 * 24 * 60), steps=st.lists(STEP, min_size=1, max_size=8))
def test_the_stored_history_is_in_order_and_never_ahead_of_the_server(api, skew, age, steps):
    """Every seat's clock is `skew` off (corrected by the server when over 2 minutes and sent_at is
    given); claims differ from the truth by up to 3 hours either way."""
    api.clock.advance(days=6)  # each example on a fresh ticket, later than the last one's
    call = api.clock.now() - timedelta(minutes=age)
    ticket_id, number, events = api.register()
    events[0]["at"] = (call + skew).isoformat()
    first = api.push("seat", events, sent_at=api.clock.now() + skew).json()["results"][0]
    assert first["status"] == "applied"
    registered = _ts(_events(api, number)[0]["applied_at"])
    if abs(skew) > timedelta(minutes=2):
        assert registered == call  # offline intake keeps its real time, once corrected
    else:
        assert abs(registered - call) <= abs(skew)  # a small offset is left alone
    api.push("seat", [api.event("accept", ticket_id), api.event("dispatch", ticket_id, {"lead_unit": "city_housing"})])
    for who, wait, lie, with_sent_at in steps:
        api.clock.advance(minutes=wait)
        now = api.clock.now()
        own_skew = timedelta(0) if who == "unit" else skew
        claim = now + timedelta(minutes=lie) + own_skew
        note = api.event(
            "add_note",
            ticket_id,
            {"text": "记录"},
            role="unit" if who == "unit" else ("supervisor" if who == "supervisor" else "operator"),
            at=claim,
        )
        result = api.push(who, [note], sent_at=now + own_skew if with_sent_at else None).json()["results"][0]
        corrected = claim - own_skew if with_sent_at and abs(own_skew) > timedelta(minutes=2) else claim
        if corrected > now + FIVE_MINUTES:
            assert result["status"] == "rejected" and result["rule"] == "R18.2"
        elif result["status"] == "rejected":
            assert result["rule"] == "R18.2" and "previous event" in result["reason"] and who != "unit"
    history = _events(api, number)
    applied = [_ts(e["applied_at"]) for e in history]
    assert applied == sorted(applied)  # in order
    assert all(_ts(e["applied_at"]) <= _ts(e["received_at"]) for e in history[1:])  # never ahead of receipt
    for e in history:
        if e["role"] == "unit":
            assert e["applied_at"] == e["received_at"]  # a unit's act: at receipt
    assert len({e["id"] for e in history}) == len(history)
