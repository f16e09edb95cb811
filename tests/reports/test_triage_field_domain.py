"""Triage in the field (R20.3): the banner on a ticket's description against the operator's F9
records, with the real packaged rules on real sentences."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from operator_tui.domain.redact import Known
from operator_tui.domain.triage_field import FieldTally, FieldTicket, export_line, judge
from operator_tui.triage_rules import load_triage_rules

AT = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GAS = "家里有很大的煤气味，闻着头晕。"  # the banner: 119
THROWING = "对面楼有人从窗户往下扔东西"  # the banner is silent
FIRE = "楼道里着火了，冒着黑烟。"  # the banner: 119
HEATING = "家里暖气不热，室温只有15度。"  # the banner is silent


@pytest.fixture(scope="module")
def triage_rules():
    return load_triage_rules()


def ticket(number: str, text: str, *referrals: tuple[str, str]) -> FieldTicket:
    return FieldTicket(number, AT, text, tuple(referrals))


@pytest.mark.rule("R20.3")
def test_gas_referred_to_119_is_confirmed(triage_rules):
    v = judge(ticket("1", GAS, ("119", "transferred")), triage_rules)
    assert v.banner == ("119",)
    assert v.categories == {"119": "confirmed"}
    assert not v.disagrees and not v.doubtful


@pytest.mark.rule("R20.3")
def test_a_referral_the_banner_is_silent_on_is_missed(triage_rules):
    v = judge(ticket("2", THROWING, ("110", "told_to_dial")), triage_rules)
    assert v.banner == ()
    assert v.categories == {"110": "missed"}
    assert v.disagrees and not v.doubtful  # the banner never went up


@pytest.mark.rule("R20.3")
def test_false_alarm_counts_whatever_the_banner_says(triage_rules):
    raised = judge(ticket("3", FIRE, ("119", "false_alarm")), triage_rules)
    assert raised.categories == {"119": "false_alarm"} and raised.doubtful
    silent = judge(ticket("4", HEATING, ("119", "false_alarm")), triage_rules)
    assert silent.categories == {"119": "false_alarm"} and not silent.doubtful
    assert silent.declared_false == ("119",) and silent.referred == ()


@pytest.mark.rule("R20.3")
def test_a_banner_with_nothing_recorded_is_unanswered(triage_rules):
    v = judge(ticket("5", FIRE), triage_rules)
    assert v.categories == {"119": "unanswered"} and v.doubtful
    quiet = judge(ticket("6", HEATING), triage_rules)
    assert quiet.categories == {} and not quiet.disagrees


@pytest.mark.rule("R20.3")
def test_the_operators_last_record_for_a_target_counts(triage_rules):
    called_back = judge(ticket("7", FIRE, ("119", "false_alarm"), ("119", "transferred")), triage_rules)
    assert called_back.categories == {"119": "confirmed"}
    prank = judge(ticket("8", FIRE, ("119", "transferred"), ("119", "false_alarm")), triage_rules)
    assert prank.categories == {"119": "false_alarm"}


@pytest.mark.rule("R20.3")
def test_totals_recall_and_doubtful_share(triage_rules):
    report = (
        FieldTally()
        .add_all(
            judge(t, triage_rules)
            for t in (
                ticket("a", GAS, ("119", "transferred")),
                ticket("b", FIRE, ("119", "told_to_dial")),
                ticket("c", THROWING, ("110", "transferred")),
                ticket("d", FIRE, ("119", "false_alarm")),
                ticket("e", FIRE),
                ticket("f", HEATING),
            )
        )
        .report()
    )
    assert (report.tickets, report.banner_tickets, report.referred_tickets) == (6, 4, 3)
    assert report.doubtful_tickets == 2 and report.doubtful_share == pytest.approx(0.5)
    fire = report.targets["119"]
    assert fire.numbers == {"confirmed": ["a", "b"], "missed": [], "false_alarm": ["d"], "unanswered": ["e"]}
    assert fire.recall == pytest.approx(1.0)
    assert report.targets["110"].recall == pytest.approx(0.0)
    assert report.targets["120"].recall is None  # nothing referred, nothing to measure
    assert report.total.recall == pytest.approx(2 / 3)
    data = report.to_json_dict()
    assert data["total"]["missed"] == 1 and data["targets"]["119"]["name"] == "火警"
    assert data["categories"]["unanswered"] == "未处置"


@pytest.mark.rule("R20.3")
@pytest.mark.rule("R26.1")
def test_export_line_is_the_labelled_shape_with_the_appellant_redacted(triage_rules):
    # The name and phone in a sentence of their own: beside the throwing, round 12's model read 119.
    text = "我是王建国，电话13912345678。" + THROWING
    v = judge(ticket("2611020120001", text, ("110", "transferred"), ("120", "false_alarm")), triage_rules)
    line = export_line(v, text, Known(name="王建国", phone="13912345678", address="铁东区站前街道1号楼"))
    assert set(line) == {"id", "kind", "text", "expect", "banner", "false_alarm", "overruled"}
    assert line["id"] == "2611020120001" and line["kind"] == "field"
    assert line["expect"] == ["110"] and line["banner"] == [] and line["false_alarm"] == ["120"]
    assert line["overruled"] == []  # the rules never called for anything here
    dumped = json.dumps(line, ensure_ascii=False)
    assert "王建国" not in dumped and "13912345678" not in dumped and "建国" not in dumped
    assert "扔东西" in line["text"]  # the words that matter stay
