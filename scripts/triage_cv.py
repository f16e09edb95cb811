#!/usr/bin/env python3
"""How well triage's second opinion transfers between authors: leave-one-set-out figures.

Each labelled set that may be tuned on (scripts/train_triage_model.py's ``SOURCES`` and ``MEASURED_ONLY``) is left out
in turn; a model is trained on the others and the left-out set is scored by the packaged rules
alone and by the rules with that model beside them. A set written by someone else than the
others measures how the model fares on wording it never saw, which is what the hold-outs ask.
(The rules were tuned on every one of these sets, so "rules alone" here is optimistic; the
model's share is honest.) Hold-outs are never read: the training script refuses them by name.

    .venv/bin/python scripts/triage_cv.py [--left-out NAME ...] [--chars 2] [--pinyin 2] [--sweep]
                                          [--rules FILE] [--train-without NAME ...]

``--sweep`` pools the left-out scores and prints, per target, what each threshold would add
(referrals found, false alarms) and what a veto of the rules' referrals would cost: the figures
the shipped thresholds are chosen from.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_triage_model import MEASURED_ONLY, SETTINGS, SOURCES, THRESHOLDS, Settings, featuriser, fit, load  # noqa: E402

from operator_tui.domain.triage import TARGETS, triage  # noqa: E402
from operator_tui.domain.triage_model import SecondOpinion, long_enough, reads_ordinary  # noqa: E402
from operator_tui.triage_rules import load_triage_rules  # noqa: E402

# Every set a fold may train on or leave out: the shipped model's sources and round 7's blind sets
# (not yet shipped; --train-without them gives the shipped model's transfer).
SETS = [*SOURCES, *MEASURED_ONLY]
SWEEP = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98)


@dataclasses.dataclass
class Scored:
    """One left-out call: what it needs, what the rules found, and the model's probabilities."""

    set_name: str
    expect: frozenset[str]
    rules: frozenset[str]
    added: dict[str, float]  # target → probability of a guess the rules' cues let through
    raw: dict[str, float]  # target → the model's highest sentence probability, cues aside
    top: tuple[float, ...] = ()  # the same as log-odds, in TARGETS order, for the veto
    bias: tuple[float, ...] = ()  # the fold's model's priors
    vetoable: bool = True  # long enough for the veto (domain/triage_model.py long_enough)


def score_left_out(
    names: list[str], settings: Settings, rules_file: Path | None = None, never: frozenset[str] = frozenset()
) -> list[Scored]:
    """Each set of ``names`` scored by a model trained on every other set but those in ``never``
    (``--train-without``: how the model did before a set joined the training data)."""
    packaged = load_triage_rules(rules_file)
    plain = dataclasses.replace(packaged, model=None)
    feats = featuriser(settings)
    sets = {p.name: load(p) for p in SETS}
    out: list[Scored] = []
    for name in names:
        train = [c for other, calls in sets.items() if other != name and other not in never for c in calls]
        biases, rows = fit(train, settings)
        model = SecondOpinion(TARGETS, biases, rows, [0.5] * len(TARGETS), feats)
        with_model = dataclasses.replace(packaged, model=model)
        for call in sets[name]:
            text = call["text"]
            found = set(triage(text, plain).referrals)
            best = {o.target: o.probability for o in model.opinions(text)}
            added = {t: best[t] for t in set(triage(text, with_model).referrals) - found}
            top = model.top_scores(text)  # scored once: the probabilities are the same scores
            raw = {t: 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) for t, z in zip(TARGETS, top, strict=True)}
            out.append(
                Scored(
                    name,
                    frozenset(call["expect"]),
                    frozenset(found),
                    added,
                    raw,
                    tuple(top),
                    tuple(biases),
                    long_enough(text),
                )
            )
    return out


def figures(
    scored: list[Scored], thresholds: tuple[float, ...] | None, alone: bool = False
) -> tuple[float, float, int, int]:
    """(recall, false-alarm rate, referrals needed, ordinary calls); ``thresholds`` None: rules
    alone; ``alone``: the model alone (its highest sentence, cues aside)."""
    needed = got = ordinary = alarms = 0
    for s in scored:
        found = set() if alone else set(s.rules)
        if alone:
            found = {t for t, p in s.raw.items() if p >= (thresholds or THRESHOLDS)[TARGETS.index(t)]}
        elif thresholds is not None:
            found |= {t for t, p in s.added.items() if p >= thresholds[TARGETS.index(t)]}
        if not s.expect:
            ordinary += 1
            alarms += bool(found)
            continue
        needed += len(s.expect)
        got += len(s.expect & found)
    return got / max(needed, 1), alarms / max(ordinary, 1), needed, ordinary


# An ordinary call alarmed costs as much as this many referrals missed. Round 5 used 1.8 (the
# false-alarm rate is over about half as many calls as the recall's referrals). Round 7: the
# pipeline already alarms on ~0.08 of blind ordinary calls against a target of 0.05, so the model
# may add at most about one false alarm per four referrals it finds.
ALARM_COST = 4.0
VETO = (0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)


def sweep(scored: list[Scored]) -> tuple[float, ...]:
    """Print what each threshold adds per target; return the thresholds that add most referrals
    for the false alarms they cost (``ALARM_COST``; a tie goes to the higher threshold)."""
    print("per target, pooled over the left-out sets: threshold → referrals added, ordinary calls alarmed")
    chosen = []
    for target in TARGETS:
        cells, best = [], (float("-inf"), 0.0)
        for th in SWEEP:
            gain = sum(1 for s in scored if target in s.expect and s.added.get(target, 0) >= th)
            alarm = sum(1 for s in scored if not s.expect and not s.rules and s.added.get(target, 0) >= th)
            cells.append(f"{th:.2f}:+{gain}/{alarm}")
            best = max(best, (gain - ALARM_COST * alarm, th))
        chosen.append(best[1])
        print(f"  {target:>4}: " + "  ".join(cells))
    print("thresholds chosen:", tuple(chosen))
    print("veto of a rule's referral when the model's probability is below v: referrals lost, alarms removed")
    for v in VETO:
        lost, removed = veto(scored, v)
        print(
            f"  v={v:g}: -{lost} referrals, -{removed} false alarms ({removed / max(lost, 1):.2f} alarms per referral)"
        )
    return tuple(chosen)


def veto(scored: list[Scored], v: float) -> tuple[int, int]:
    """What a veto at ``v`` would do: (needed referrals of the rules it drops, ordinary calls it
    silences). As in the shipped pipeline (domain/triage_model.py ``reads_ordinary``), the rules'
    referrals are all dropped when every target's surest sentence is below ``v`` and its prior, in
    a text long enough to be read (``long_enough``)."""
    lost = removed = 0
    for s in scored:
        if s.rules and s.vetoable and reads_ordinary(s.top, s.bias, v):
            lost += len(s.rules & s.expect)
            removed += not s.expect
    return lost, removed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--left-out", nargs="*", help="set names to leave out in turn (default: every set)")
    ap.add_argument("--chars", type=int, default=SETTINGS.chars)
    ap.add_argument("--pinyin", type=int, default=SETTINGS.pinyin)
    ap.add_argument("--epochs", type=int, default=SETTINGS.epochs)
    ap.add_argument("--l2", type=float, default=SETTINGS.l2)
    ap.add_argument("--positive-weight", type=float, default=SETTINGS.positive_weight)
    ap.add_argument("--keep", type=float, default=SETTINGS.keep)
    ap.add_argument("--threshold", type=float, default=None, help="one threshold for every target")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument(
        "--train-without", nargs="*", default=[], help="sets no fold trains on (e.g. the newest, for a 'before' figure)"
    )
    ap.add_argument("--rules", type=Path, default=None, help="another rules file (e.g. an earlier round's)")
    args = ap.parse_args(argv)
    settings = dataclasses.replace(
        SETTINGS,
        chars=args.chars,
        pinyin=args.pinyin,
        epochs=args.epochs,
        l2=args.l2,
        positive_weight=args.positive_weight,
        keep=args.keep,
    )
    names = args.left_out or [p.name for p in SETS]
    if any("holdout" in n for n in names):
        print("a hold-out is never scored here: it is measured with scripts/triage_eval.py --summary")
        return 2
    thresholds = (args.threshold,) * len(TARGETS) if args.threshold else THRESHOLDS
    scored = score_left_out(names, settings, args.rules, frozenset(args.train_without))
    print(f"settings: {settings}; thresholds {thresholds}")
    print(f"{'left out':>22}  {'rules alone':>14}  {'rules + model':>14}  {'model alone':>14}")
    for name in [*names, "all"]:
        part = [s for s in scored if name in ("all", s.set_name)]
        r0, f0, needed, ordinary = figures(part, None)
        r1, f1, _, _ = figures(part, thresholds)
        r2, f2, _, _ = figures(part, thresholds, alone=True)
        print(
            f"{name:>22}  {r0:.3f} / {f0:.3f}  {r1:.3f} / {f1:.3f}  {r2:.3f} / {f2:.3f}"
            f"  ({needed} referrals, {ordinary} ordinary)"
        )
    missed = Counter(t for s in scored for t in s.expect - s.rules - set(s.added))
    print("referrals neither found, per target:", dict(missed))
    if args.sweep:
        sweep(scored)
    return 0


if __name__ == "__main__":
    sys.exit(main())
