"""Issue 13: the third frozen triage hold-out (R20.3).

`tests/data/triage_holdout3.jsonl` was written before the round-4 tuning by someone who read
neither the triage rules, the model, nor any tuning or hold-out set, so the next round's figures
can be checked on calls nobody tuned on. Like the first two hold-outs it is never edited after
its first commit: a wrong label is reported, not fixed in place, so figures stay comparable over
rounds and nobody can relabel a miss away (tests/data/README.md). These tests guard that and the
file's shape; they do not run the triage, which `scripts/triage_eval.py --summary` measures.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.triage_sets import CODES, ORDINARY_KINDS, assert_labelled, load

HOLDOUT = Path(__file__).parents[1] / "data" / "triage_holdout3.jsonl"
# Its bytes as first committed: a changed hash means someone edited a frozen set.
HOLDOUT_SHA256 = "56d614aa163ca9351b6c8d29def940281d17ce292d3d1eca12b0c03a4a865d4c"
# The kinds issue 13 names as missed, plus the rest of the set's emergencies: each must be present.
URGENT_KINDS = {
    "property",
    "child_taken",
    "stalking",
    "child_abuse",
    "weapon",
    "gas",
    "fire",
    "rescue",
    "poisoning",
    "collapse",
    "disaster",
    "medical",
    "traffic",
    "fight",
}


def _cases() -> list[dict]:
    return load(HOLDOUT)


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_is_frozen():
    assert hashlib.sha256(HOLDOUT.read_bytes()).hexdigest() == HOLDOUT_SHA256, (
        "tests/data/triage_holdout3.jsonl changed: it is frozen (tests/data/README.md); report a wrong label, do not edit it"
    )


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_is_big_and_labelled_with_real_codes():
    cases = _cases()
    assert len(cases) >= 320
    assert_labelled(cases)
    ids = [c["id"] for c in cases]
    assert all(i.startswith("h3-") for i in ids)


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_holds_emergencies_and_ordinary_calls_of_every_kind():
    cases = _cases()
    urgent = [c for c in cases if c["expect"]]
    ordinary = [c for c in cases if not c["expect"]]
    assert len(urgent) >= 180 and len(ordinary) >= 120
    # Ordinary kinds are the innocent mentions (drills, tap water, the past...): none may carry a code,
    # and no emergency may hide under an ordinary kind.
    assert {c["kind"] for c in ordinary} == ORDINARY_KINDS
    assert {c["kind"] for c in urgent} == URGENT_KINDS
    assert {code for c in urgent for code in c["expect"]} == CODES


@pytest.mark.rule("R20.3")
def test_the_third_hold_out_shares_no_call_with_the_other_triage_sets():
    # A call copied from a tuning set would be measured on wording the rules were tuned on;
    # one copied from another hold-out would count twice. Texts are compared, never printed.
    mine = {c["text"].strip() for c in _cases()}
    for other in sorted(HOLDOUT.parent.glob("triage_*.jsonl")):
        if other == HOLDOUT:
            continue
        lines = other.read_text(encoding="utf-8").splitlines()
        texts = {json.loads(line)["text"].strip() for line in lines if line.strip()}
        shared = len(mine & texts)
        assert shared == 0, f"{shared} call(s) of triage_holdout3.jsonl also in {other.name}"
