"""Triage's learned second opinion (issue 13): a character n-gram model beside the rules.

The rules (``triage.toml``) name words and situations; callers keep finding new ways to say them.
On calls written after the rules were tuned (each tuning set of issue 13's second round in turn,
with the rules as they stood before it and a model trained without it), rules alone found
0.72–0.84 of the needed referrals; rules plus this model found 0.82–0.91, for at most three more
false alarms per hundred ordinary calls. Round 4 measured it again the same way on
``triage_tuning6.jsonl`` (rules of round 3, model trained without that set): rules alone 0.650,
rules and model 0.750, the same 6 false alarms of 70 either way. So the model only
*adds* a target the rules did not call for, and only when it is sure (``THRESHOLD``, chosen on
those tuning sets, never on the frozen hold-out).

The model: one logistic regression per target over the character 1-, 2- and 3-grams, trained
offline by ``scripts/train_triage_model.py`` and shipped as ``data/triage_model.json``; nothing is
trained or downloaded at run time. Each sentence is scored on its own, as the calls it was
trained on are a sentence or two: a long description does not pile up small weights into an alarm.
The banner shows, as the words that called for the target, the sentence's n-gram that weighed
most for it, so the operator sees what the guess rests on.

Pure: the loader hands in the parsed JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import add
from typing import Any

from .triage_features import Featuriser, normalise

__all__ = ["THRESHOLD", "Opinion", "SecondOpinion"]

THRESHOLD = 0.8  # a target's threshold when the model file names none
_SENTENCE = re.compile(r"[^。！!？?；;\n]+")


@dataclass(frozen=True)
class Opinion:
    target: str
    start: int
    end: int
    probability: float


class SecondOpinion:
    """Build once with :meth:`from_json`; :meth:`opinions` per text."""

    def __init__(
        self,
        targets: Sequence[str],
        bias: Sequence[float],
        weights: Mapping[str, Sequence[float]],
        thresholds: Sequence[float],
        featuriser: Featuriser,
    ) -> None:
        self.targets = tuple(targets)
        self.bias = tuple(bias)
        self.weights = {g: tuple(w) for g, w in weights.items()}
        self.thresholds = tuple(thresholds)
        self.featuriser = featuriser
        self._known = frozenset(self.weights)
        # A threshold as log-odds, so a sentence is compared before any exp() is taken.
        self._cut = tuple(math.log(t / (1 - t)) for t in self.thresholds)

    @classmethod
    def from_json(
        cls, doc: Any, known_targets: Sequence[str], syllables: Mapping[str, str], error: type[Exception]
    ) -> SecondOpinion:
        """Check the shape of ``triage_model.json``; a bad file raises ``error`` naming the fix."""
        fix = "run scripts/train_triage_model.py to write it again"
        if not isinstance(doc, dict) or doc.get("version") != 2:
            raise error(f"triage_model.json: not a version 2 model; {fix}")
        targets, bias, weights = doc.get("targets"), doc.get("bias"), doc.get("weights")
        thresholds, features = doc.get("thresholds"), doc.get("features")
        if not isinstance(targets, list) or not set(targets) <= set(known_targets):
            raise error(f"triage_model.json: 'targets' must be among {', '.join(known_targets)}; {fix}")
        if not isinstance(bias, list) or len(bias) != len(targets) or not isinstance(weights, dict):
            raise error(f"triage_model.json: 'bias' and 'weights' do not match 'targets'; {fix}")
        if not all(isinstance(w, list) and len(w) == len(targets) for w in weights.values()):
            raise error(f"triage_model.json: every weight row needs {len(targets)} numbers; {fix}")
        if (
            not isinstance(thresholds, list)
            or len(thresholds) != len(targets)
            or not all(isinstance(t, (int, float)) and 0.5 <= t < 1 for t in thresholds)
        ):
            raise error(f"triage_model.json: 'thresholds' must be one probability from 0.5 to 1 per target; {fix}")
        try:
            featuriser = Featuriser(syllables, int(features["chars"]), int(features["pinyin"]))
        except (TypeError, KeyError, ValueError):
            raise error(f"triage_model.json: 'features' needs 'chars' (1 to 5) and 'pinyin' (0 to 4); {fix}") from None
        return cls(targets, bias, weights, [float(t) for t in thresholds], featuriser)

    def highest(self, text: str) -> list[float]:
        """Per target, the highest probability of any sentence of ``text``, thresholds aside."""
        top = [-30.0] * len(self.targets)
        for sentence in _SENTENCE.finditer(text):
            top = list(map(max, top, self._scores(sentence.group())[0]))
        return [_sigmoid(z) for z in top]

    def opinions(self, text: str) -> list[Opinion]:
        """Per target, the surest sentence at or above its threshold, located at its heaviest n-gram."""
        best: dict[int, tuple[float, re.Match[str], frozenset[str]]] = {}
        for sentence in _SENTENCE.finditer(text):
            scores, grams = self._scores(sentence.group())
            for k, z in enumerate(scores):
                if z >= self._cut[k] and (k not in best or z > best[k][0]):
                    best[k] = (z, sentence, grams)
        out = []
        for k, (z, sentence, grams) in sorted(best.items()):
            start, end = self._heaviest(sentence.group(), grams, k)
            out.append(Opinion(self.targets[k], sentence.start() + start, sentence.start() + end, _sigmoid(z)))
        return out

    def _scores(self, sentence: str) -> tuple[list[float], frozenset[str]]:
        """Each target's score (log-odds) for one sentence, and the sentence's known n-grams.
        One dict lookup per n-gram gives its row of weights; ``zip`` turns the rows into one
        column per target and ``sum`` adds each in C (faster than a dict per target)."""
        grams = self._known.intersection(self.featuriser.grams(sentence))
        if not grams:
            return list(self.bias), grams
        return list(map(add, self.bias, map(sum, zip(*map(self.weights.__getitem__, grams))))), grams

    def _heaviest(self, sentence: str, grams: set[str], k: int) -> tuple[int, int]:
        """Where in ``sentence`` the character n-gram that weighed most for target ``k`` first
        stands; a longer n-gram counts for its length, so the banner shows 车库顶棚's 车库, not a
        lone 库. Syllable n-grams (upper case) have no place of their own in the text: a typo
        or pinyin is shown by the characters typed around it that weighed most."""
        chars = [g for g in grams if not g[:1].isupper()] or [sentence[:1]]
        top = max(chars, key=lambda g: (self.weights.get(g, (0.0,) * len(self.targets))[k] * len(g), g))
        start = max(0, normalise(sentence).find(top))
        return start, start + len(top)


def _sigmoid(score: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, score))))
