"""The rate definitions (R35.1), pure: what each named exclusion of [rates] changes, the policy
section's checks, and the report arithmetic (ranks, change in percentage points)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from operator_tui.data import read_text
from operator_tui.domain.periods import parse_period
from operator_tui.domain.policy import Limit, PolicyError
from operator_tui.domain.rates import RateRules, build_report, parse_rate_rules, rate_facts
from operator_tui.domain.states import Status

PACKAGED = parse_rate_rules(read_text("policy.toml"), "policy.toml")


def facts(rules, ticket, rr=PACKAGED):
    return rate_facts(ticket, rr, rules.clocks, rules.taxonomy)


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize(
    "status, key", [(Status.REFUSED, "refused"), (Status.ADVISED, "advised"), (Status.ANSWERED, "answered_on_spot")]
)
def test_a_ticket_closed_at_intake_counts_only_when_its_exclusion_is_turned_off(rules, ticket_in, status, key):
    t = ticket_in(status)
    assert key in PACKAGED.exclude
    assert facts(rules, t).ontime_on is None  # excluded: counted nowhere
    kept = facts(rules, t, replace(PACKAGED, exclude=PACKAGED.exclude - {key}))
    # Not excluded: the centre's own quick closure counts as on time (within the acceptance limit,
    # R20.2), for no unit: exactly the distortion the exclusion exists to prevent.
    assert (kept.ontime_on, kept.ontime_met, kept.unit) == (t.closed_at.date(), True, None)


@pytest.mark.rule("R35.1")
def test_a_rating_under_dispute_counts_only_when_confirmed_or_not_excluded(rules, ticket_in, act):
    disputed = ticket_in(Status.RATING_DISPUTED)
    assert facts(rules, disputed).rated_on is None
    assert facts(rules, disputed, replace(PACKAGED, exclude=frozenset())).rated_on is not None
    confirmed = act(
        act(disputed, "rerate", {"ratings": {"timeliness": 5, "result": 2, "attitude": 5, "overall": 5}}),
        "confirm_rating",
    )
    f = facts(rules, confirmed)
    assert f.rated_on is not None and (f.resolved, f.satisfied) == (False, True)  # the final rating: 2 and 5 stars


@pytest.mark.rule("R35.1")
def test_thresholds_and_the_response_limit_come_from_the_policy(rules, ticket_in):
    rated = ticket_in(Status.RATED)  # the usual path rates result 4, overall 5
    assert (facts(rules, rated).resolved, facts(rules, rated).satisfied) == (True, True)
    strict = replace(PACKAGED, resolved_min_result=5, response_limit=None)
    f = facts(rules, rated, strict)
    assert (f.resolved, f.satisfied, f.response_on) == (False, True, None)
    assert "response" not in strict.rates and "response" in PACKAGED.rates


def test_the_policy_section_is_checked():
    assert PACKAGED == RateRules()  # the packaged file says what the defaults say
    text = '[rates]\nresolved_min_result = 5\nexclude_refused = false\nresponse_limit = { unit = "hours", value = 4 }\n'
    rr = parse_rate_rules(text, "p.toml")
    assert (rr.resolved_min_result, "refused" in rr.exclude, rr.response_limit) == (5, False, Limit("hours", 4))
    assert parse_rate_rules("[rates]\nresponse_limit = false\n", "p.toml").response_limit is None
    for bad in ("resolved_min_result = 6", "exclude_advised = 1", "response_limit = 3", "typo = 1"):
        with pytest.raises(PolicyError, match="rates"):
            parse_rate_rules(f"[rates]\n{bad}\n", "p.toml")


@pytest.mark.rule("R35.1")
def test_report_ranks_ties_together_and_gives_the_change_in_points():
    current = {"a": {"on_time": (3, 4)}, "b": {"on_time": (6, 8)}, "c": {"on_time": (1, 4)}, "d": {"on_time": (0, 0)}}
    previous = {"a": {"on_time": (1, 2)}}
    r = build_report(parse_period("2026-11"), "unit", ("on_time",), current, previous, {"a": "甲"})
    ranks = {ln.key: ln.on_time.rank for ln in r.lines}
    assert ranks == {"a": 1, "b": 1, "c": 3, "d": None}
    assert [ln.key for ln in r.lines] == ["a", "b", "c", "d"]
    assert r.line("a").on_time.change == pytest.approx(25.0) and r.line("b").on_time.change is None
    assert r.line("a").name == "甲" and r.line("d").on_time.value is None
    assert (r.total.on_time.numerator, r.total.on_time.denominator) == (10, 16)
    assert r.period.start == date(2026, 11, 1)
