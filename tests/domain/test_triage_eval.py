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
DATA = Path(__file__).parents[1] / "data"
HOLDOUT = DATA / "triage_holdout.jsonl"
TUNING = DATA / "triage_tuning.jsonl"
# The frozen hold-out of issue 13 (tests/data/README.md): its bytes as first committed (63d361f).
HOLDOUT_SHA256 = "4a6394c5d91abedbfbd1e6769f233632a8915771e10b71e4e592f2da6eed7e2c"


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _figures(calls: list[dict]) -> tuple[float, float, list, list]:
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
    return sum(got.values()) / sum(needed.values()), len(false_alarms) / ordinary, misses, false_alarms


@pytest.fixture(scope="module")
def calls() -> list[dict]:
    return _load(CALLS)


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


# --- issue 13: the frozen hold-out and the tuning set ------------------------------------------


def test_the_hold_out_is_frozen_big_and_covers_every_kind_the_issue_lists():
    import hashlib

    assert hashlib.sha256(HOLDOUT.read_bytes()).hexdigest() == HOLDOUT_SHA256, (
        "tests/data/triage_holdout.jsonl changed: it is frozen (tests/data/README.md); report a wrong label, do not edit it"
    )
    calls = _load(HOLDOUT)
    ordinary = [c for c in calls if not c["expect"]]
    assert len(calls) >= 300 and 0.4 <= len(ordinary) / len(calls) <= 0.5
    kinds = {c["kind"] for c in calls}
    assert {
        "property",
        "child_taken",
        "stalking",
        "child_abuse",
        "gas",
        "fire",
        "rescue",
        "poisoning",
        "collapse",
        "traffic",
        "buried",
        "drill",
        "tapwater",
        "fiction",
        "past",
        "hypothetical",
        "negation",
    } <= kinds
    assert {t for c in calls for t in c["expect"]} == set(TARGETS)
    tuning_texts = {c["text"] for c in _load(TUNING)}
    assert not tuning_texts & {c["text"] for c in calls}  # tuned on the one, measured on the other


def test_hold_out_figures_do_not_fall_below_what_was_reached():
    # Measured after issue 13's first round (before it: recall 0.687, false alarms 0.038; after
    # it 0.896 / 0.032), then after the second round: rules tuned on tuning2-4 0.926 / 0.019, with
    # the learned second opinion 0.965 / 0.032; after the third round (frames for collapses,
    # disasters and rescues tuned on tuning5, the model retrained with it) rules alone 0.948 /
    # 0.019, with the second opinion 0.987 / 0.025 (227 of 230, 4 of 158); after the fourth round
    # (road danger, weather still doing harm, children hurt or shut away, tuned on tuning6, the model
    # retrained with it) 0.983 / 0.019 (226 of 230, 3 of 158), measured once with --summary.
    # Rounds 9-10: 0.991 / 0.025. Round 12 (the model retrained on 17 blind sets, and its veto of
    # texts it reads as ordinary, decided on the unread set 15): 0.978 / 0.019 (225 of 230, 3 of
    # 158); without the veto it would be 0.987 / 0.032, so the veto costs two referrals here for two
    # false alarms (README, round 12). Round 13 (hit-and-runs and burns in the rules, the model on
    # 19 blind sets, decided on the unread set 18): 0.987 / 0.032 (227 of 230, 5 of 158). The floor
    # stays where the current code passes it. This guards against regressions (ids only, never
    # texts, on failure); it is not a target the rules were fitted to.
    recall, false_alarm_rate, misses, false_alarms = _figures(_load(HOLDOUT))
    assert recall >= 0.985, [m[0] for m in misses]
    assert false_alarm_rate <= 0.035, [f[0] for f in false_alarms]


def test_tuning_set_recall_and_false_alarms():
    recall, false_alarm_rate, misses, false_alarms = _figures(_load(TUNING))
    assert recall >= 0.98, misses
    assert false_alarm_rate <= 0.05, false_alarms
