#!/usr/bin/env python3
"""Recall of needed referrals and false-alarm rate of the triage rules on the labelled calls.

    .venv/bin/python scripts/triage_eval.py [--calls FILE] [--rules FILE]

Recall counts referrals: a call that needs 120 and 110 and gets only 120 scores one of two. A false
alarm is an ordinary call (no referral needed) that raises the banner. Extra targets on an
emergency call are listed as information, not counted against recall. Exit code 1 when recall
< 0.98 or false alarms > 0.05 (the targets of issue 5).

`--summary` prints the figures and, per `kind`, the calls missed and the false alarms, but never
a call's text: measure the frozen hold-out with it, so that reporting its figures does not show
its cases to whoever tunes the rules (tests/data/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from operator_tui.domain.triage import TARGETS, TriageRules, triage  # noqa: E402
from operator_tui.triage_rules import load_triage_rules  # noqa: E402

DEFAULT_CALLS = ROOT / "tests" / "domain" / "triage_calls.jsonl"


def load_calls(path: Path) -> list[dict]:
    calls = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            call = json.loads(line)
            if not isinstance(call.get("text"), str) or not set(call.get("expect", ())) <= set(TARGETS):
                raise SystemExit(f"{path}:{n}: each line needs a 'text' and 'expect' (a list of {TARGETS})")
            calls.append(call)
    return calls


def evaluate(calls: list[dict], rules: TriageRules) -> dict:
    needed, got = Counter(), Counter()
    misses, false_alarms, extras = [], [], []
    ordinary = 0
    for call in calls:
        result = triage(call["text"], rules)
        expect, found = set(call["expect"]), set(result.referrals)
        if not expect:
            ordinary += 1
            if result.emergency:
                false_alarms.append((call, result))
            continue
        for t in expect:
            needed[t] += 1
            got[t] += t in found
        if expect - found:
            misses.append((call, result))
        if found - expect:
            extras.append((call, result))
    total = sum(needed.values())
    return {
        "recall": sum(got.values()) / total if total else 1.0,
        "per_target": {t: (got[t], needed[t]) for t in TARGETS if needed[t]},
        "false_alarm_rate": len(false_alarms) / ordinary if ordinary else 0.0,
        "emergencies": len(calls) - ordinary,
        "ordinary": ordinary,
        "misses": misses,
        "false_alarms": false_alarms,
        "extras": extras,
        "kinds": Counter(call.get("kind", "?") for call in calls),
    }


def by_kind(report: dict) -> dict[str, tuple[int, int, int]]:
    """kind → (calls, calls with a missed referral, false alarms); no texts."""
    calls, missed, alarms = Counter(), Counter(), Counter()
    for call, _ in report["misses"]:
        missed[call.get("kind", "?")] += 1
    for call, _ in report["false_alarms"]:
        alarms[call.get("kind", "?")] += 1
    for kind in report["kinds"]:
        calls[kind] += report["kinds"][kind]
    return {k: (calls[k], missed[k], alarms[k]) for k in sorted(calls)}


def _show(call: dict, result) -> str:
    words = ", ".join(f"{m.target}:{m.phrase}" for m in result.matches) or "-"
    return f"  {call.get('id', '?')}: expect {call['expect'] or '[]'} got {list(result.referrals)} ({words})\n    {call['text']}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=Path, default=DEFAULT_CALLS)
    ap.add_argument("--rules", type=Path, default=None)
    ap.add_argument("--extras", action="store_true", help="also list extra targets on emergency calls")
    ap.add_argument(
        "--summary",
        action="store_true",
        help="figures and per-kind counts only, no call texts (for the frozen hold-out)",
    )
    args = ap.parse_args(argv)
    report = evaluate(load_calls(args.calls), load_triage_rules(args.rules))
    print(f"calls: {report['emergencies']} emergencies, {report['ordinary']} ordinary ({args.calls.name})")
    for t, (hit, need) in report["per_target"].items():
        print(f"  recall {t:>4}: {hit}/{need} = {hit / need:.3f}")
    print(f"recall (needed referrals): {report['recall']:.3f}")
    print(f"false-alarm rate: {len(report['false_alarms'])}/{report['ordinary']} = {report['false_alarm_rate']:.3f}")
    print(f"emergency calls with extra targets: {len(report['extras'])}")
    if args.summary:
        print("per kind: calls, calls with a missed referral, false alarms")
        for kind, (n, missed, alarms) in by_kind(report).items():
            if missed or alarms:
                print(f"  {kind:>14}: {n:3d} calls, {missed} missed, {alarms} false alarms")
        return 0 if report["recall"] >= 0.98 and report["false_alarm_rate"] <= 0.05 else 1
    for title, items in (("misses", report["misses"]), ("false alarms", report["false_alarms"])):
        print(f"{title}: {len(items)}")
        for call, result in items:
            print(_show(call, result))
    if args.extras:
        print("extras:")
        for call, result in report["extras"]:
            print(_show(call, result))
    return 0 if report["recall"] >= 0.98 and report["false_alarm_rate"] <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
