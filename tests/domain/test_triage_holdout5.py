"""Issue 13: the fifth frozen triage hold-out (R20.3).

`tests/data/triage_holdout5.jsonl` was written before the round-8 tuning by someone who read
neither the triage rules, the model, nor any tuning or hold-out set. It mixes the three registers
the description box really receives: the caller's own words typed fast (东北话, same-sound typos,
pinyin slips), the operator's third-person summary (来电人反映…, 市民称…, 诉求：…), and text typed
with no punctuation at all while the caller talks (spaces only, corrections such as "不对 是…",
shorthand such as "120来了没"). The callers are new too: night-shift workers, taxi and bus drivers,
landlords, teachers, nurses, compound guards, grid workers, village cadres, people calling from a
moving car or train and foreigners writing simple Chinese, over every season.

Like the other hold-outs it is never edited after its first commit: a wrong label is reported, not
fixed in place, so figures stay comparable over rounds and nobody can relabel a miss away
(tests/data/README.md). These tests guard that and the file's shape; they do not run the triage,
which `scripts/triage_eval.py --summary` measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.triage_sets import (
    URGENT_KINDS,
    assert_apart_from_every_set,
    assert_every_kind,
    assert_frozen,
    assert_keeps_unpunctuated,
    assert_labelled,
    load,
    unpunctuated,
)

HOLDOUT = Path(__file__).parents[1] / "data" / "triage_holdout5.jsonl"
# Its bytes as first committed: a changed hash means someone edited a frozen set.
HOLDOUT_SHA256 = "c31dddaba250b4592f5c1e80fa075e16173a099996e99f6d0e691ed4ec457447"


def _cases() -> list[dict]:
    return load(HOLDOUT)


@pytest.mark.rule("R20.3")
def test_the_fifth_hold_out_is_frozen():
    assert_frozen(HOLDOUT, HOLDOUT_SHA256)


@pytest.mark.rule("R20.3")
def test_the_fifth_hold_out_is_big_and_labelled_with_real_codes():
    cases = _cases()
    assert len(cases) >= 420
    assert_labelled(cases)
    assert all(c["id"].startswith("h5-") for c in cases)


@pytest.mark.rule("R20.3")
def test_the_fifth_hold_out_holds_emergencies_and_ordinary_calls_of_every_kind():
    assert_every_kind(_cases(), 240, 160, URGENT_KINDS)


@pytest.mark.rule("R20.3")
def test_the_fifth_hold_out_keeps_its_unpunctuated_rushed_typing():
    # The register this set adds: an operator typing while the caller talks leaves no commas or
    # stops, so sentence-based reading (negation scope, past tense) has nothing to split on. Without
    # a real share of such lines the set would measure nothing the fourth hold-out does not.
    # Both sides of the banner must be tested in this register, not only emergencies.
    assert_keeps_unpunctuated(_cases(), 0.15)


def test_the_punctuation_check_sees_chinese_and_ascii_marks():
    assert unpunctuated("楼上 不对 是楼下 冒烟了 3个人")
    assert not unpunctuated("楼下冒烟了，快来")
    assert not unpunctuated("诉求：派员处理")
    assert not unpunctuated("smoke now, help")


@pytest.mark.rule("R20.3")
def test_the_fifth_hold_out_shares_no_call_with_the_other_triage_sets():
    assert_apart_from_every_set(
        HOLDOUT, {"triage_holdout4.jsonl", "triage_holdout.jsonl", "triage_holdout3.jsonl", "triage_holdout2.jsonl"}
    )
