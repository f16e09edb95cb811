"""Triage in the field (R20.3): what the second opinion's veto (round 12) costs on the centre's
tickets. A target the veto withdrew and the operator referred anyway stays 漏报 (the alarm did not go
up) and is also listed as 否决后转介; a ticket whose banner shows the grey hint counts as hinted."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from triage_veto_support import KNIFE, STALL_FIRE, veto_rules

from operator_tui.domain.redact import Known
from operator_tui.domain.triage_field import FieldTally, FieldTicket, export_line, judge

pytestmark = pytest.mark.rule("R20.3")

AT = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GAS = "家里有很大的煤气味，闻着头晕。"  # the banner: 119, the toy has nothing against it
THROWING = "对面楼有人从窗户往下扔东西"  # the rules are silent: a miss the veto has no part in
HEATING = "家里暖气不热，室温只有15度。"


@pytest.fixture(scope="module")
def vetoing():
    return veto_rules()


def ticket(number: str, text: str, *referrals: tuple[str, str]) -> FieldTicket:
    return FieldTicket(number, AT, text, tuple(referrals))


def test_a_target_the_veto_withdrew_and_the_operator_referred_is_missed_and_overruled_referred(vetoing):
    v = judge(ticket("1", KNIFE, ("110", "transferred")), vetoing)
    assert v.banner == () and v.overruled == ("110", "120")
    assert v.categories == {"110": "missed"}  # the alarm did not go up: still a miss
    assert v.overruled_referred == ("110",)  # 120 was withdrawn too, but nobody referred it
    assert v.hinted and v.disagrees and not v.doubtful


def test_told_to_dial_is_a_referral_too(vetoing):
    assert judge(ticket("2", KNIFE, ("120", "told_to_dial")), vetoing).overruled_referred == ("120",)


def test_a_grey_hint_the_operator_left_alone_or_declared_false_costs_nothing(vetoing):
    quiet = judge(ticket("3", KNIFE), vetoing)
    assert quiet.hinted and quiet.categories == {} and quiet.overruled_referred == ()
    # The last record counts: referred, then found a prank.
    prank = judge(ticket("4", KNIFE, ("110", "transferred"), ("110", "false_alarm")), vetoing)
    assert prank.hinted and prank.categories == {"110": "false_alarm"} and prank.overruled_referred == ()


def test_without_the_veto_the_same_ticket_is_confirmed_and_nothing_is_hinted():
    # The same model with no veto: what the figures would be had the rules been let stand.
    v = judge(ticket("5", KNIFE, ("110", "transferred")), veto_rules(veto=0.0))
    assert "110" in v.banner and v.overruled == ()
    assert v.categories["110"] == "confirmed" and v.overruled_referred == () and not v.hinted


def test_a_miss_the_veto_had_no_part_in_is_not_overruled_referred(vetoing):
    v = judge(ticket("6", THROWING, ("110", "transferred")), vetoing)
    assert v.categories == {"110": "missed"} and v.overruled == () and v.overruled_referred == ()
    assert not v.hinted


def test_figures_per_target_and_in_the_total(vetoing):
    report = (
        FieldTally()
        .add_all(
            judge(t, vetoing)
            for t in (
                ticket("a", KNIFE, ("110", "transferred"), ("120", "told_to_dial")),  # two targets, one ticket
                ticket("b", STALL_FIRE, ("119", "transferred")),
                ticket("c", KNIFE),  # hinted, nothing done
                ticket("d", THROWING, ("110", "transferred")),  # missed, not the veto's doing
                ticket("e", GAS, ("119", "transferred")),  # confirmed
                ticket("f", HEATING),
            )
        )
        .report()
    )
    assert report.hinted_tickets == 3 and report.banner_tickets == 1 and report.doubtful_tickets == 0
    assert report.targets["110"].numbers["missed"] == ["a", "d"]
    assert report.targets["110"].overruled_referred == ["a"]
    assert report.targets["120"].overruled_referred == ["a"]
    assert report.targets["119"].overruled_referred == ["b"]
    assert report.targets["119"].recall == pytest.approx(0.5)  # the veto's miss lowers the field recall
    assert report.targets["122"].overruled_referred == []
    # The total counts (ticket, target) pairs, as its categories do.
    assert report.total.overruled_referred == ["a", "a", "b"]
    assert report.total.count("missed") == 4
    data = report.to_json_dict()
    assert data["hinted_tickets"] == 3
    assert data["total"]["overruled_referred"] == 3
    assert data["targets"]["119"]["overruled_referred_numbers"] == ["b"]
    assert set(data["total"]["numbers"]) == {"confirmed", "missed", "false_alarm", "unanswered"}


def test_export_line_names_the_overruled_targets(vetoing):
    v = judge(ticket("2611020120001", KNIFE, ("120", "transferred")), vetoing)
    line = export_line(v, KNIFE, Known())
    assert line["overruled"] == ["110", "120"] and line["expect"] == ["120"] and line["banner"] == []
    plain = judge(ticket("2611020120002", THROWING, ("110", "transferred")), vetoing)
    assert export_line(plain, THROWING, Known())["overruled"] == []
