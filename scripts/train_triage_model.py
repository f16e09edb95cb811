#!/usr/bin/env python3
"""Write operator_tui/data/triage_model.json: triage's learned second opinion (issue 13).

Trained offline, never at run time, and only on calls that may be tuned on: the labelled calls of
issue 5 (tests/domain/triage_calls.jsonl) and the tuning sets of issue 13
(tests/data/triage_tuning*.jsonl). Never on the frozen hold-out. Pure Python (no scikit-learn, so
the package gains no dependency): one logistic regression per referral target over the
character 1-, 2- and 3-grams of a call, fitted by stochastic gradient descent with a fixed seed,
so the same data always gives the same file. Weights too small to matter are dropped and the rest
rounded, so the file stays small and loads fast.

How it is used and why the threshold is what it is: operator_tui/domain/triage_model.py.

    .venv/bin/python scripts/train_triage_model.py
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from operator_tui.domain.triage import TARGETS  # noqa: E402
from operator_tui.domain.triage_model import THRESHOLD, ngrams  # noqa: E402

# Named one by one rather than globbed: a new file under tests/data (a second hold-out is being
# written beside the tuning sets) joins the training data only when someone adds it here.
SOURCES = [
    ROOT / "tests" / "domain" / "triage_calls.jsonl",
    *(
        ROOT / "tests" / "data" / name
        for name in (
            "triage_tuning.jsonl",
            "triage_tuning2.jsonl",
            "triage_tuning3.jsonl",
            "triage_tuning4.jsonl",
            "triage_tuning5.jsonl",
            "triage_tuning6.jsonl",
        )
    ),
]
OUT = ROOT / "operator_tui" / "data" / "triage_model.json"
EPOCHS, RATE, L2, SEED = 15, 0.3, 1e-4, 8890
KEEP = 0.3  # drop an n-gram whose weights are all smaller than this
DIGITS = 2


def calls() -> list[dict]:
    out = []
    for path in SOURCES:
        assert "holdout" not in path.name, path  # the frozen hold-out is never trained on
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def fit(features: list[set[str]], labels: list[int]) -> tuple[dict[str, float], float]:
    weights: dict[str, float] = defaultdict(float)
    bias = 0.0
    order = list(range(len(features)))
    rng = random.Random(SEED)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            z = bias + sum(weights[g] for g in features[i])
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            step = p - labels[i]
            bias -= RATE * step
            for g in features[i]:
                weights[g] -= RATE * (step + L2 * weights[g])
    return weights, bias


def main() -> int:
    data = calls()
    features = [ngrams(c["text"]) for c in data]
    per_target = {t: fit(features, [int(t in c["expect"]) for c in data]) for t in TARGETS}
    table: dict[str, list[float]] = {}
    for gram in sorted({g for f in features for g in f}):
        row = [round(per_target[t][0].get(gram, 0.0), DIGITS) for t in TARGETS]
        if max(abs(w) for w in row) >= KEEP:
            table[gram] = row
    model = {
        "version": 1,
        "targets": list(TARGETS),
        "threshold": THRESHOLD,
        "bias": [round(per_target[t][1], DIGITS) for t in TARGETS],
        "weights": table,
        "trained_on": [str(p.relative_to(ROOT)) for p in SOURCES],
        "calls": len(data),
    }
    OUT.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(table)} n-grams from {len(data)} calls, {OUT.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
