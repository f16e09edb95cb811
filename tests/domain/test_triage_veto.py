"""R20.3 / issue 13 round 12: the second opinion may overrule the rules on a whole text.

The rules match words in their clause; the learned model reads the sentence. On calls written
blind to both, most of the rules' false alarms were texts the model scored as far from every
target (学校门口有人拿刀切西瓜). Round 12 lets it overrule them there, and only there: when no
sentence of the text comes near *any* target (``veto`` in the model file), the rules' referrals
are withdrawn and kept as ``overruled`` for the operator to see. One sentence near any target and
everything the rules found stands, so an emergency never loses a target this way.
"""

from __future__ import annotations

import dataclasses

import pytest

from operator_tui.domain.triage import TARGETS, triage
from operator_tui.domain.triage_features import Featuriser
from operator_tui.domain.triage_model import SecondOpinion
from operator_tui.triage_rules import load_triage_rules, pinyin_table

pytestmark = pytest.mark.rule("R20.3")

KNIFE = "学校门口有人拿刀，卖水果的切西瓜"


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


def _toy(veto: float) -> SecondOpinion:
    # 西瓜 pushes every target far down; nothing else weighs, so a plain sentence sits at the bias.
    weights = {"西瓜": [-12.0] * 5}
    return SecondOpinion(TARGETS, [-4.0] * 5, weights, [0.99] * 5, Featuriser(pinyin_table(), 2, 0), veto)


def test_the_rules_alone_call_for_the_knife(rules):
    plain = dataclasses.replace(rules, model=None)
    assert "110" in triage(KNIFE, plain).referrals  # what the veto has to overrule


def test_a_text_far_from_every_target_is_overruled_and_what_the_rules_saw_is_kept(rules):
    result = triage(KNIFE, dataclasses.replace(rules, model=_toy(1e-4)))
    assert result.referrals == () and not result.emergency and result.matches == ()
    assert "110" in {m.target for m in result.overruled}
    assert {m.phrase for m in result.overruled} == {"拿刀"}
    assert result.to_json_dict()["overruled"][0]["rule_id"] == result.overruled[0].rule_id


def test_one_sentence_near_any_target_keeps_everything_the_rules_found(rules):
    # The knife sentence is still far from every target; the fire sentence sits at the prior
    # (p 0.018), above the veto: the model is not sure of the whole text, so nothing is withdrawn.
    text = KNIFE + "。楼下着火了"
    result = triage(text, dataclasses.replace(rules, model=_toy(1e-4)))
    assert {"110", "119"} <= set(result.referrals) and result.overruled == ()


def test_a_model_without_a_veto_never_overrules(rules):
    result = triage(KNIFE, dataclasses.replace(rules, model=_toy(0.0)))
    assert "110" in result.referrals and result.overruled == ()


def test_a_text_the_model_knows_nothing_about_is_not_overruled_on_its_prior_alone(rules):
    # Priors below the veto (p 0.00005): a text without a weighed word stays at them, and the
    # model has no evidence to overrule the rules with (a short call such as 有人拿刀).
    weights = {"西瓜": [-12.0] * 5}
    model = SecondOpinion(TARGETS, [-10.0] * 5, weights, [0.99] * 5, Featuriser(pinyin_table(), 2, 0), 1e-4)
    result = triage("有人拿刀", dataclasses.replace(rules, model=model))
    assert "110" in result.referrals and result.overruled == ()
    assert triage(KNIFE, dataclasses.replace(rules, model=model)).referrals == ()  # evidence against: overruled


def test_the_veto_withdraws_only_the_rules_referrals_never_adds(rules):
    # An ordinary text the rules leave alone has nothing to overrule.
    result = triage("卖水果的切西瓜", dataclasses.replace(rules, model=_toy(1e-4)))
    assert result.referrals == () and result.overruled == ()


def test_a_call_of_a_few_words_is_never_overruled(rules):
    # 地震了, 孩子丢了: the claim with nothing around it to read it by (VETO_MIN_CHARS, not counting
    # spaces). The same words with context enough are overruled.
    weights = {"拿刀": [-12.0] * 5}
    model = SecondOpinion(TARGETS, [-4.0] * 5, weights, [0.99] * 5, Featuriser(pinyin_table(), 2, 0), 1e-4)
    veto = dataclasses.replace(rules, model=model)
    assert "110" in triage("校门口 有人拿刀", veto).referrals  # 7 characters and a space
    assert triage("有人拿刀，卖水果的切西瓜", veto).referrals == ()
