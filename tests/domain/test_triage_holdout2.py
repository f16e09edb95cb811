"""Issue 13: the second frozen triage hold-out (R20.3).

`tests/data/triage_holdout2.jsonl` was written before the round-3 tuning by someone who read
neither the triage rules, the model, nor any tuning set, so its figures are measured on calls
nobody tuned on. Like the first hold-out it is never edited after its first commit: a wrong
label is reported, not fixed in place, so figures stay comparable over rounds and nobody can
relabel a miss away (tests/data/README.md). These tests guard that and the file's shape; they
do not run the triage, which `scripts/triage_eval.py --summary` measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.triage_sets import CODES, ORDINARY_KINDS, assert_frozen, assert_labelled, load

HOLDOUT = Path(__file__).parents[1] / "data" / "triage_holdout2.jsonl"
# Its bytes as first committed: a changed hash means someone edited a frozen set.
HOLDOUT_SHA256 = "b514ef8f211682f77eac772b745365555974f34d23fdef92ea97609dc7aecade"


def _cases() -> list[dict]:
    return load(HOLDOUT)


@pytest.mark.rule("R20.3")
def test_the_second_hold_out_is_frozen():
    assert_frozen(HOLDOUT, HOLDOUT_SHA256)


@pytest.mark.rule("R20.3")
def test_the_second_hold_out_is_big_and_labelled_with_real_codes():
    cases = _cases()
    assert len(cases) >= 320
    assert_labelled(cases)


@pytest.mark.rule("R20.3")
def test_the_second_hold_out_holds_emergencies_and_ordinary_calls_of_every_kind():
    cases = _cases()
    urgent = [c for c in cases if c["expect"]]
    ordinary = [c for c in cases if not c["expect"]]
    assert len(urgent) >= 150 and len(ordinary) >= 100
    # Ordinary kinds are the innocent mentions (drills, tap water, the past...): none may carry a code.
    assert {c["kind"] for c in ordinary} == ORDINARY_KINDS
    assert not {c["kind"] for c in urgent} & ORDINARY_KINDS
    assert {code for c in urgent for code in c["expect"]} == CODES
