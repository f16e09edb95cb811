"""When an event counts as having happened (domain/timing.py): bounded by the server's clock and the
ticket's previous event; a unit's act at receipt (R18.2, R22.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operator_tui.domain.errors import RuleViolation
from operator_tui.domain.policy import PolicyError, parse_policy
from operator_tui.domain.states import Role
from operator_tui.domain.timing import TimeBounds, applied_time, timed_at_receipt

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
minutes = st.integers(-7 * 24 * 60, 7 * 24 * 60).map(lambda m: timedelta(minutes=m))
bounds = st.builds(
    TimeBounds,
    st.integers(0, 30).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 30).map(lambda m: timedelta(minutes=m)),
)


@pytest.mark.rule("R18.2")
@pytest.mark.rule("R22.2")
@given(claimed=minutes, previous=st.none() | minutes, at_receipt=st.booleans(), b=bounds)
def test_an_applied_time_lies_between_the_previous_event_and_the_receipt(claimed, previous, at_receipt, b):
    received = T0
    prev = None if previous is None else T0 + previous
    try:
        at = applied_time(T0 + claimed, received, prev, at_receipt=at_receipt, bounds=b)
    except RuleViolation as v:
        assert v.rule == "R18.2"
        too_late = T0 + claimed > received + b.future
        effective = received if at_receipt else min(T0 + claimed, received)
        too_early = prev is not None and effective < prev - b.past
        assert too_late or too_early
        return
    claim = T0 + claimed
    assert claim <= received + b.future  # nothing claimed beyond the tolerance
    if prev is not None:
        assert at >= prev  # a history is in order
    if at_receipt:
        assert at == max(received, prev or received)  # a unit's act: at receipt, whatever it claims
        return
    assert at <= max(received, prev or received)  # never after the receipt (nor the history)
    assert at >= min(claim, received)  # never earlier than what was claimed
    if (prev is None or prev <= claim) and claim <= received:
        assert at == claim  # an honest claim is believed as it is


@pytest.mark.rule("R16.1")
@given(age=st.integers(0, 30 * 24 * 60))
def test_a_new_ticket_keeps_its_real_call_time_however_old(age):
    claimed = T0 - timedelta(minutes=age)
    assert applied_time(claimed, T0, None, at_receipt=False, bounds=TimeBounds(timedelta(0), timedelta(0))) == claimed


def test_only_unit_acts_are_timed_at_receipt():
    assert [r for r in Role if timed_at_receipt(r)] == [Role.UNIT]


POLICY = """
[limits.acceptance]
unit = "workdays"
value = 3
[limits.dispatch]
unit = "workdays"
value = 2
[limits.resolution]
unit = "workdays"
value = 5
[limits.extension_cap]
unit = "months"
value = 2
[limits.recusal_decision]
unit = "workdays"
value = 3
[limits.rework]
unit = "workdays"
value = 5
"""


@pytest.mark.rule("R18.2")
def test_the_tolerances_come_from_the_policy_file(rules):
    assert TimeBounds.of(rules.policy) == TimeBounds(timedelta(minutes=5), timedelta(minutes=5))
    policy = parse_policy(POLICY + "[sync]\nfuture_tolerance_seconds = 0\npast_tolerance_seconds = 3600\n", "p.toml")
    assert TimeBounds.of(policy) == TimeBounds(timedelta(0), timedelta(hours=1))
    assert TimeBounds.of(parse_policy(POLICY, "p.toml")) == TimeBounds(timedelta(minutes=5), timedelta(minutes=5))


@pytest.mark.parametrize(
    "line", ["future_tolerance_seconds = -1", 'past_tolerance_seconds = "5"', "future_tolerance_seconds = true"]
)
def test_a_bad_tolerance_names_the_entry(line):
    with pytest.raises(PolicyError, match=r"p.toml: sync\.\w+_tolerance_seconds"):
        parse_policy(POLICY + "[sync]\n" + line + "\n", "p.toml")
