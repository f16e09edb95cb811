"""Issue 13: the sixth frozen triage hold-out (R20.3).

`tests/data/triage_holdout6.jsonl` was written before the round-9 tuning by someone who read
neither the triage rules, the model, nor any tuning or hold-out set, and who never ran the triage
on its calls. It mixes the three registers the description box really receives: the caller's own
words typed fast (东北话, same-sound typos, pinyin slips, mixed numerals), the operator's
third-person summary (来电人反映…, 市民称…, 诉求：…, long complaints ending in the emergency), and
text typed with no punctuation while the caller talks (spaces only, corrections such as
"不对 是…", shorthand such as "120来了没"). The callers are new again: fishermen and boat owners,
miners and steelworkers, greenhouse and livestock farmers, hairdressers, bathhouse and KTV staff,
estate agents showing flats, sanitation workers, couriers in office towers, students in
dormitories, hikers on 千山, people in waiting rooms, deaf callers relayed by a relative and
children calling alone, over every season. About one urgent call in six has an ordinary twin
sharing most of its words (the same scene in the past, negated, feared or rumoured), so the set
measures meaning rather than vocabulary.

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
)

HOLDOUT = Path(__file__).parents[1] / "data" / "triage_holdout6.jsonl"
# Its bytes as first committed: a changed hash means someone edited a frozen set.
HOLDOUT_SHA256 = "7ff959fa80984be74719d0bfa8c23afe95d6e70b280345dee2cb6e8c3a855845"


def _cases() -> list[dict]:
    return load(HOLDOUT)


@pytest.mark.rule("R20.3")
def test_the_sixth_hold_out_is_frozen():
    assert_frozen(HOLDOUT, HOLDOUT_SHA256)


@pytest.mark.rule("R20.3")
def test_the_sixth_hold_out_is_big_and_labelled_with_real_codes():
    cases = _cases()
    assert len(cases) >= 420
    assert_labelled(cases)
    assert all(c["id"].startswith("h6-") for c in cases)


@pytest.mark.rule("R20.3")
def test_the_sixth_hold_out_holds_emergencies_and_ordinary_calls_of_every_kind():
    assert_every_kind(_cases(), 250, 170, URGENT_KINDS)


@pytest.mark.rule("R20.3")
def test_the_sixth_hold_out_keeps_its_unpunctuated_rushed_typing():
    # An operator typing while the caller talks leaves no commas or stops, so sentence-based
    # reading (negation scope, past tense) has nothing to split on: a real share of such lines,
    # on both sides of the banner, keeps that register measured.
    assert_keeps_unpunctuated(_cases(), 0.15)


@pytest.mark.rule("R20.3")
def test_the_sixth_hold_out_shares_no_call_with_the_other_triage_sets():
    assert_apart_from_every_set(
        HOLDOUT,
        {
            "triage_holdout.jsonl",
            "triage_holdout2.jsonl",
            "triage_holdout3.jsonl",
            "triage_holdout4.jsonl",
            "triage_holdout5.jsonl",
            "triage_tuning.jsonl",
        },
    )
