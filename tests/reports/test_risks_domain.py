"""Risk warnings, pure (R31.1): surges against the same weekday's baseline from hand counts, class
cues with their evidence, negation, and the policy section's checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from operator_tui.domain.risks import (
    CueTicket,
    RiskPolicyError,
    cue_warnings,
    fold_counts,
    parse_risk_policy,
    surge_warnings,
    warning_id,
    windows,
)
from operator_tui.risk_rules import load_risk_policy

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 30)  # a Monday
POLICY = load_risk_policy()


def _weeks(*counts: int, key=("matter", "road_damage")) -> list[dict]:
    return [{key: n} if n else {} for n in counts]


@pytest.mark.rule("R31.1")
def test_a_built_surge_fires_against_its_own_weekday_baseline():
    # Four past Mondays brought 2, 3, 2, 3 road-damage tickets by this hour; today 12.
    found = surge_warnings({("matter", "road_damage"): 12}, _weeks(2, 3, 2, 3), POLICY, DAY)
    assert [(w.kind, w.dimension, w.subject, w.count) for w in found] == [("surge", "matter", "road_damage", 12)]
    assert found[0].baseline == pytest.approx(2.5)
    assert found[0].id == warning_id("surge", "matter", "road_damage", DAY)


@pytest.mark.rule("R31.1")
def test_a_normal_week_and_a_small_jump_are_not_surges():
    normal = {("matter", "road_damage"): 9, ("place", "tiedong"): 20, ("unit", "city_housing"): 31}
    history = [
        {("matter", "road_damage"): a, ("place", "tiedong"): b, ("unit", "city_housing"): c}
        for a, b, c in ((8, 19, 30), (10, 22, 28), (7, 18, 33), (9, 21, 29))
    ]
    assert surge_warnings(normal, history, POLICY, DAY) == []
    # 1 → 3 triples the count but stays under the minimum
    assert surge_warnings({("matter", "noise"): 3}, _weeks(1, 1, 1, 1, key=("matter", "noise")), POLICY, DAY) == []


@pytest.mark.rule("R31.1")
def test_a_matter_that_is_always_busy_needs_to_clear_its_spread_not_only_the_ratio():
    policy = replace(POLICY, ratio=1.2)
    busy = _weeks(10, 30, 12, 28)  # a wide spread: 24 today is inside it
    assert surge_warnings({("matter", "road_damage"): 24}, busy, policy, DAY) == []
    assert len(surge_warnings({("matter", "road_damage"): 70}, busy, policy, DAY)) == 1


@pytest.mark.rule("R31.1")
def test_counts_fold_per_matter_place_and_unit_and_the_windows_are_the_same_weekday_up_to_now():
    counts = fold_counts(
        [("road", "tiedong", "city_housing", 3), ("road", "lishan", None, 2), ("heat", "tiedong", "city_housing", 1)]
    )
    assert counts == {
        ("matter", "road"): 5,
        ("place", "tiedong"): 4,
        ("unit", "city_housing"): 4,
        ("place", "lishan"): 2,
        ("matter", "heat"): 1,
    }
    now = datetime(2026, 11, 30, 10, 40, tzinfo=TZ)
    w = windows(now, TZ, POLICY)
    assert w.current == (datetime(2026, 11, 30, tzinfo=TZ), now)
    assert [(lo.date(), hi.time().isoformat()) for lo, hi in w.baseline] == [
        (date(2026, 11, 23), "10:40:00"),
        (date(2026, 11, 16), "10:40:00"),
        (date(2026, 11, 9), "10:40:00"),
        (date(2026, 11, 2), "10:40:00"),
    ]
    assert w.cue_since == datetime(2026, 11, 28, tzinfo=TZ)


def _t(number: str, text: str, hour: int = 9, day: int = 30) -> CueTicket:
    return CueTicket(number, datetime(2026, 11, day, hour, tzinfo=TZ), text)


@pytest.mark.rule("R31.1")
def test_class_cues_find_their_evidence_tickets_by_number():
    found = cue_warnings(
        [
            _t("2611300120001", "几十个工人聚集在工地门口讨薪，扬言要堵路。", 9),
            _t("2611300120002", "窗口办事员吃拿卡要，不给好处不办事。", 10),
            _t("2611300120003", "小区门口路灯不亮。", 11),
            _t("2611300120004", "工地欠薪三个月，工人准备集体上访。", 12),
            _t("2611290120001", "燃气泄漏，楼道里味道很大。", 8, day=29),
        ],
        POLICY,
        TZ,
    )
    by_class = {(w.dimension, w.window): w for w in found}
    stability = by_class[("stability", DAY)]
    assert stability.evidence == ("2611300120004", "2611300120001")  # newest first
    assert stability.count == 2 and {"聚集", "讨薪", "上访"} <= set(stability.words)
    assert by_class[("integrity", DAY)].evidence == ("2611300120002",)
    assert by_class[("safety", date(2026, 11, 29))].evidence == ("2611290120001",)
    assert not any("2611300120003" in w.evidence for w in found)


@pytest.mark.rule("R31.1")
def test_negated_cue_words_and_innocent_phrases_are_ignored():
    found = cue_warnings(
        [
            _t("2611300120011", "我们没有聚集，也不是上访，只想问问补贴政策。"),
            _t("2611300120012", "想咨询集体户口迁移需要什么材料。"),
            _t("2611300120013", "村集体土地流转的问题。"),
        ],
        POLICY,
        TZ,
    )
    assert found == []
    # the negation reaches no further than its clause: the crowd after the comma still counts
    found = cue_warnings([_t("2611300120014", "没人管，几十个人聚集在门口。")], POLICY, TZ)
    assert [w.evidence for w in found] == [("2611300120014",)]


@pytest.mark.rule("R31.1")
def test_the_risks_section_is_checked_with_a_message_naming_the_key():
    with pytest.raises(RiskPolicyError, match="risks.min_count"):
        parse_risk_policy("[risks]\nmin_count = 0\n", "p.toml")
    with pytest.raises(RiskPolicyError, match="unknown key"):
        parse_risk_policy("[risks]\nthreshold = 2\n", "p.toml")
    with pytest.raises(RiskPolicyError, match="risks.cues.x"):
        parse_risk_policy('[risks.cues.x]\nname = "x"\n', "p.toml")
    custom = parse_risk_policy('[risks]\nmin_count = 2\n[risks.cues.fire]\nname = "火"\nphrases = ["着火"]\n', "p.toml")
    assert custom.min_count == 2 and [c.key for c in custom.classes] == ["fire"]
