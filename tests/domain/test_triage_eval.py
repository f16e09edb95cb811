"""R20.3 / issue 5: on the labelled calls, recall of needed referrals >= 0.98, false alarms <= 0.05.

`triage_calls.jsonl` holds operator-transcribed calls, one JSON object a line: ``id``, ``text`` and
``expect`` (the referral codes the call needs; empty for an ordinary call). The ordinary calls are
chosen to mention fire, hospitals, accidents, gas, police and disasters innocently. The same
figures, with the misses, come from ``scripts/triage_eval.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from operator_tui.domain.triage import TARGETS, triage
from operator_tui.triage_rules import load_triage_rules

pytestmark = pytest.mark.rule("R20.3")

CALLS = Path(__file__).with_name("triage_calls.jsonl")


@pytest.fixture(scope="module")
def calls() -> list[dict]:
    return [json.loads(line) for line in CALLS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_labelled_set_is_big_and_balanced(calls):
    emergencies = [c for c in calls if c["expect"]]
    ordinary = [c for c in calls if not c["expect"]]
    assert len(calls) >= 150
    assert len(emergencies) >= 75 and len(ordinary) >= 75
    assert len({c["id"] for c in calls}) == len(calls)
    assert all(set(c["expect"]) <= set(TARGETS) and c["text"].strip() for c in calls)
    assert {t for c in emergencies for t in c["expect"]} == set(TARGETS)  # every target is exercised


def test_recall_and_false_alarm_rate(calls):
    rules = load_triage_rules()
    needed, got = Counter(), Counter()
    misses, false_alarms, ordinary = [], [], 0
    for call in calls:
        found = set(triage(call["text"], rules).referrals)
        if not call["expect"]:
            ordinary += 1
            if found:
                false_alarms.append((call["id"], sorted(found)))
            continue
        for target in call["expect"]:
            needed[target] += 1
            if target in found:
                got[target] += 1
            else:
                misses.append((call["id"], target))
    recall = sum(got.values()) / sum(needed.values())
    false_alarm_rate = len(false_alarms) / ordinary
    assert recall >= 0.98, misses
    assert false_alarm_rate <= 0.05, false_alarms
