#!/usr/bin/env python3
"""Write operator_tui/data/triage_model.json: triage's learned second opinion (issue 13).

Trained offline, never at run time, and only on calls that may be tuned on: the labelled calls of
issue 5 (tests/domain/triage_calls.jsonl) and the tuning sets of issue 13 (tests/data/
triage_tuning*.jsonl, named one by one in ``SOURCES``). Never on a hold-out: a file whose name
holds ``holdout`` is refused, wherever it comes from.

Pure Python (no scikit-learn, so the package gains no dependency): one logistic regression per
referral target over the features of domain/triage_features.py (``Settings``: character 1- and
2-grams and pinyin syllable pairs of the normalised text), fitted by stochastic gradient descent
with a fixed seed, so the same data always gives the same file. A missed referral weighs twice a
false alarm in the loss, and L2 keeps single n-grams from deciding alone; both, and the n-gram
lengths, were chosen by leaving the blind sets 7a and 7b out in turn (scripts/triage_cv.py):
longer n-grams and weaker regularisation fitted the other sets better and transferred worse.
Weights too small to matter are dropped and the rest rounded, so the file stays small and loads
fast.

The per-target thresholds written into the file are chosen by scripts/triage_cv.py on
left-out sets (each set scored by a model trained without it), never on the data a model was
fitted to; they are copied into ``THRESHOLDS`` below by hand.

    .venv/bin/python scripts/train_triage_model.py
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from operator_tui.domain.triage import TARGETS  # noqa: E402
from operator_tui.domain.triage_features import Featuriser  # noqa: E402
from operator_tui.triage_rules import pinyin_table  # noqa: E402

# Named one by one rather than globbed: a new file under tests/data (hold-outs are written beside
# the tuning sets) joins the training data only when someone adds it here.
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
            "triage_tuning7a.jsonl",
            "triage_tuning7b.jsonl",
            "triage_tuning8a.jsonl",
            "triage_tuning8b.jsonl",
            "triage_tuning8c.jsonl",
            "triage_tuning9a.jsonl",
            "triage_tuning9b.jsonl",
            "triage_tuning10.jsonl",
            "triage_tuning11.jsonl",
            "triage_tuning12a.jsonl",
            "triage_tuning12b.jsonl",
            "triage_tuning12c.jsonl",
            "triage_tuning13.jsonl",
            "triage_tuning14.jsonl",
            "triage_tuning15.jsonl",
            "triage_tuning16a.jsonl",
            "triage_tuning16b.jsonl",
            "triage_tuning16c.jsonl",
            "triage_tuning17.jsonl",
            "triage_tuning19.jsonl",
        )
    ),
]
# Round 7 kept 8a-8c out of the shipped model: every model retrained with them broke sentences the
# tests pin (我爸身体垮了…: 119; 房价…都塌了: 应急; a same-sound typo no longer raised). Round 9
# trains on every tuning set but its validation set: 8a-9b and triage_tuning11 (alarming words in
# everyday senses, each with an urgent twin, written for this) joined, and on the unread
# validation set 10 recall rose from 0.927 to 0.951 at the same false alarms (0.109). Four pinned
# innocent sentences it alarmed on are silenced by cues the tuning sets show never cost a referral
# (triage.toml, round 9: figurative_market, not_yet, what_if's "how to save oneself", a stove that
# will not light); a typo's pull is compared as log-odds (test_triage_round5.py).
# Round 10 added three more blind sets (12a caller's words, 12b operator summaries, 12c rushed
# typing; 1,479 calls) and set 10 (round 9's validation set); on its own unread validation set 13
# recall rose from 0.938 to 0.946 and false alarms fell from 0.174 to 0.159. A jam (高速上堵车了)
# no longer reads as 122 (triage.toml [cues.jam], for the model's guess only).
# Measured only (left out in turn by scripts/triage_cv.py, never shipped): the newest blind set.
# Round 11 was tried and not shipped: training on 13 as well moved the unread set 14 from 0.949 / 0.078
# to 0.957 / 0.085 (two referrals for one false alarm, under ALARM_COST's exchange), so 13 stays
# measured only beside 14, the next round's validation set.
# Round 13's validation set (18) and the next round's (20, written after round 13 shipped; measured
# once by summary: 0.958 / 0.045) stay measured only.
MEASURED_ONLY = [ROOT / "tests" / "data" / f"triage_tuning{x}.jsonl" for x in ("18", "20")]
OUT = ROOT / "operator_tui" / "data" / "triage_model.json"
# Per target (TARGETS order: 110, 119, 120, 122, 应急), as chosen in round 9 by
# `scripts/triage_cv.py --sweep` with the blind sets 7a-11 left out in turn, each fold trained on
# every other set: the threshold adding most needed referrals for the ordinary calls it alarms, one
# alarm counted as four referrals (ALARM_COST there). Pooled, rules + model: 0.942 / 0.055. Round
# 10's sweep (7a-13) asked for looser ones (0.97, 0.65, 0.85, 0.55, 0.85): they alarmed on a
# sentence the tests pin as ordinary (高速上堵车了, 122 at p 0.91) and took hold-out 1's false
# alarms past its floor (0.051), so round 9's stay.
THRESHOLDS = (0.98, 0.9, 0.97, 0.75, 0.9)
# Round 12: below this, in every sentence and for every target, the model overrules the rules: the
# whole text reads as ordinary (domain/triage_model.py `judge`). Chosen by `scripts/triage_cv.py
# --sweep`'s veto table.
VETO = 1e-4
DIGITS = 2


@dataclass(frozen=True)
class Settings:
    chars: int = 2  # character n-grams 1..chars long
    pinyin: int = 2  # syllable n-grams 2..pinyin long (0 or 1: none)
    epochs: int = 15
    rate: float = 0.3
    l2: float = 1e-3
    positive_weight: float = 2.0  # how much more a missed referral costs than a false alarm
    # Drop an n-gram whose weights are all smaller than this: 0.4 rather than 0.3 costs one false
    # alarm in 1,137 left-out ordinary calls and no referral, and scores a fifth faster.
    keep: float = 0.4
    seed: int = 8890


SETTINGS = Settings()


def load(path: Path) -> list[dict]:
    """The calls of one labelled set; a hold-out is refused by name."""
    if "holdout" in path.name:
        raise SystemExit(f"{path.name}: a hold-out is never trained on (tests/data/README.md)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def featuriser(settings: Settings = SETTINGS) -> Featuriser:
    return Featuriser(pinyin_table(), settings.chars, settings.pinyin)


def fit(calls: Sequence[dict], settings: Settings = SETTINGS) -> tuple[list[float], dict[str, list[float]]]:
    """Bias per target and weight rows (gram → one weight per target), rounded and pruned."""
    feats = featuriser(settings)
    features = [sorted(feats.features(c["text"])) for c in calls]
    biases, tables = [], []
    for target in TARGETS:
        bias, weights = _fit_one(features, [int(target in c["expect"]) for c in calls], settings)
        biases.append(round(bias, DIGITS))
        tables.append(weights)
    rows: dict[str, list[float]] = {}
    for gram in sorted(set().union(*tables)):
        row = [round(t.get(gram, 0.0), DIGITS) for t in tables]
        if max(abs(w) for w in row) >= settings.keep:
            rows[gram] = row
    return biases, rows


def _fit_one(features: list[list[str]], labels: list[int], s: Settings) -> tuple[float, dict[str, float]]:
    weights: dict[str, float] = dict.fromkeys((g for f in features for g in f), 0.0)
    bias = 0.0
    order = list(range(len(features)))
    rng = random.Random(s.seed)
    for _ in range(s.epochs):
        rng.shuffle(order)
        for i in order:
            grams = features[i]
            z = bias + sum(map(weights.__getitem__, grams))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            step = (p - labels[i]) * (s.positive_weight if labels[i] else 1.0)
            if -1e-3 < step < 1e-3:  # already right: skipping the update costs nothing measurable
                continue
            bias -= s.rate * step
            for g in grams:
                weights[g] -= s.rate * (step + s.l2 * weights[g])
    return bias, weights


def document(
    biases: list[float], rows: dict[str, list[float]], sources: Iterable[Path], calls: int, settings: Settings
) -> dict:
    return {
        "version": 2,
        "targets": list(TARGETS),
        "thresholds": list(THRESHOLDS),
        "veto": VETO,
        "features": {"chars": settings.chars, "pinyin": settings.pinyin},
        "bias": biases,
        "weights": rows,
        "trained_on": [str(p.relative_to(ROOT)) for p in sources],
        "calls": calls,
    }


def main() -> int:
    data = [c for path in SOURCES for c in load(path)]
    biases, rows = fit(data, SETTINGS)
    doc = document(biases, rows, SOURCES, len(data), SETTINGS)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} n-grams from {len(data)} calls, {OUT.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
