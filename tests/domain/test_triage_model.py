"""R20.3 / issue 13: the learned second opinion beside the triage rules (domain/triage_model.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from operator_tui.domain.triage import TARGETS, TriageRulesError, triage
from operator_tui.domain.triage_features import Featuriser
from operator_tui.domain.triage_model import SecondOpinion
from operator_tui.triage_rules import load_triage_rules, pinyin_table

pytestmark = pytest.mark.rule("R20.3")

MODEL = Path(__file__).parents[2] / "operator_tui" / "data" / "triage_model.json"


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


def _toy(threshold: float = 0.8) -> SecondOpinion:
    # 119 is sure of 冒烟; nothing else weighs.
    weights = {"冒烟": [0, 8.0, 0, 0, 0], "烟": [0, 1.0, 0, 0, 0]}
    return SecondOpinion(TARGETS, [-4.0] * 5, weights, [threshold] * 5, Featuriser(pinyin_table(), 3, 0))


def test_features_are_characters_one_to_three_long_without_sounds():
    assert Featuriser(pinyin_table(), 3, 0).features("着火 了") == {
        "着", "火", "了", "着火", "火 ", " 了", "着火 ", "火 了"
    }  # fmt: skip


def test_each_target_has_its_own_threshold():
    weights = {"冒烟": [0, 2.0, 2.0, 0, 0]}  # p = 0.5 for both 119 and 120 (bias -2)
    model = SecondOpinion(TARGETS, [-2.0] * 5, weights, [0.5, 0.5, 0.9, 0.5, 0.5], Featuriser(pinyin_table(), 3, 0))
    assert [o.target for o in model.opinions("冒烟")] == ["119"]


def test_an_opinion_names_its_target_and_the_heaviest_words_per_sentence():
    text = "物业不管。楼道里冒烟了！"
    [opinion] = _toy().opinions(text)
    assert opinion.target == "119" and text[opinion.start : opinion.end] == "冒烟"
    assert opinion.probability >= 0.8


def test_each_sentence_is_scored_alone():
    # Weak evidence spread over sentences does not add up to an alarm.
    assert _toy().opinions("烟。烟。烟。烟。烟。烟。烟") == []


def test_the_model_only_adds_targets_the_rules_missed_and_says_so(rules):
    base = dataclasses.replace(rules, model=None)
    guess = dataclasses.replace(rules, model=_toy())
    text = "阳台那边冒烟，味挺大"
    found = triage(text, guess)
    assert "119" in found.referrals
    extra = [m for m in found.matches if m.rule_id.endswith(".model")]
    assert all(m.target not in triage(text, base).referrals for m in extra)
    assert all(m.rule_id == f"{m.target}.model" and text[m.start : m.end] == m.phrase for m in extra)


@pytest.mark.parametrize("text", ["不是冒烟，是水蒸气", "去年冒烟那次", "演练的时候会冒烟", "新闻上说冒烟了"])
def test_the_rules_cues_silence_a_guess_too(rules, text):
    guess = dataclasses.replace(rules, model=_toy(), rules=())
    assert triage(text, guess).referrals == ()


def test_the_packaged_model_is_loaded_with_the_packaged_rules_only(rules, tmp_path):
    assert rules.model is not None and len(rules.model.thresholds) == len(TARGETS)
    own = tmp_path / "rules.toml"
    own.write_text('version = 1\n[[rule]]\nid = "119.fire"\ntargets = ["119"]\nphrases = ["着火"]\n', encoding="utf-8")
    assert load_triage_rules(own).model is None


def test_the_packaged_model_was_trained_on_tuning_data_only():
    doc = json.loads(MODEL.read_text(encoding="utf-8"))
    assert doc["trained_on"] and not any("holdout" in name for name in doc["trained_on"])
    assert doc["targets"] == list(TARGETS)


_GOOD = {
    "version": 2,
    "targets": ["110"],
    "thresholds": [0.8],
    "features": {"chars": 3, "pinyin": 2},
    "bias": [0],
    "weights": {"火": [1]},
}


@pytest.mark.parametrize(
    "doc, fix",
    [
        ({"version": 1}, "version 2"),
        ({**_GOOD, "targets": ["911"]}, "'targets'"),
        ({**_GOOD, "bias": [0, 1]}, "'bias'"),
        ({**_GOOD, "weights": {"火": [1, 2]}}, "weight row"),
        ({**_GOOD, "thresholds": [0.2]}, "'thresholds'"),
        ({**_GOOD, "thresholds": 0.8}, "'thresholds'"),
        ({**_GOOD, "features": {"chars": 9, "pinyin": 2}}, "'features'"),
        ({**_GOOD, "features": {"pinyin": 2}}, "'features'"),
        ({**_GOOD, "features": 3}, "'features'"),
        ({**_GOOD, "veto": 0.5}, "'veto'"),
        ({**_GOOD, "veto": -0.1}, "'veto'"),
        ({**_GOOD, "veto": True}, "'veto'"),
        ({**_GOOD, "veto": "1e-4"}, "'veto'"),
    ],
)
def test_a_broken_model_file_is_refused_with_the_fix(doc, fix):
    with pytest.raises(TriageRulesError, match=fix):
        SecondOpinion.from_json(doc, TARGETS, pinyin_table(), TriageRulesError)


def test_a_well_formed_model_file_is_accepted():
    model = SecondOpinion.from_json(_GOOD, TARGETS, pinyin_table(), TriageRulesError)
    assert model.thresholds == (0.8,) and model.featuriser.chars == 3
    assert model.veto == 0  # a file without one never overrules the rules
    assert SecondOpinion.from_json({**_GOOD, "veto": 1e-4}, TARGETS, pinyin_table(), TriageRulesError).veto == 1e-4


@pytest.mark.parametrize(
    "text, folded",
    [
        ("回电13912345678", "回电###########"),  # a phone number: no situation in it
        ("身份证２１０３０２１９９００１０１", "身份证" + "#" * 14),  # full-width digits too
        ("一共10000元", "一共#####元"),
        ("打120", "打000"),  # the numbers callers dial stay digits: they say what is wanted
        ("2023年3楼", "0000年0楼"),
    ],
)
def test_a_long_number_is_no_digit_the_model_weighs(text, folded):
    # Round 13: digits leaned towards 119 (callers type 119 and 120), so a phone number to call
    # back beside an ordinary complaint read as a fire.
    from operator_tui.domain.triage_features import normalise

    assert normalise(text) == folded


def test_a_phone_number_to_call_back_raises_nothing(rules):
    text = "王建国反映对面楼有人从窗户往下扔东西，差点砸到人，回电13912345678"
    assert triage(text, rules).referrals == ()
