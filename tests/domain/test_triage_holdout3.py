"""Issue 13: the third frozen triage hold-out (R20.3).

`tests/data/triage_holdout3.jsonl` was written before the round-4 tuning by someone who read
neither the triage rules, the model, nor any tuning or hold-out set, so the next round's figures
can be checked on calls nobody tuned on. Like the first two hold-outs it is never edited after
its first commit: a wrong label is reported, not fixed in place, so figures stay comparable over
rounds and nobody can relabel a miss away (tests/data/README.md). These tests guard that and the
file's shape; they do not run the triage, which `scripts/triage_eval.py --summary` measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.triage_sets import (
    URGENT_KINDS,
    assert_apart_from_every_set,
    assert_every_kind,
    assert_frozen,
    assert_labelled,
    load,
)

HOLDOUT = Path(__file__).parents[1] / "data" / "triage_holdout3.jsonl"
# Its bytes as first committed: a changed hash means someone edited a frozen set.
HOLDOUT_SHA256 = "56d614aa163ca9351b6c8d29def940281d17ce292d3d1eca12b0c03a4a865d4c"


def _cases() -> list[dict]:
    return load(HOLDOUT)


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_is_frozen():
    assert_frozen(HOLDOUT, HOLDOUT_SHA256)


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_is_big_and_labelled_with_real_codes():
    cases = _cases()
    assert len(cases) >= 320
    assert_labelled(cases)
    assert all(c["id"].startswith("h3-") for c in cases)


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_holds_emergencies_and_ordinary_calls_of_every_kind():
    assert_every_kind(_cases(), 180, 120, URGENT_KINDS)


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_shares_no_call_with_the_other_triage_sets():
    assert_apart_from_every_set(HOLDOUT, {"triage_holdout.jsonl", "triage_holdout2.jsonl"})
