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

__all__ = ["THRESHOLD", "Opinion", "SecondOpinion", "ngrams"]

THRESHOLD = 0.8
_SENTENCE = re.compile(r"[^。！!？?；;\n]+")


def ngrams(text: str) -> set[str]:
    """The character 1-, 2- and 3-grams of ``text`` (lower-cased; none that is only spaces)."""
    text = text.lower()
    out: set[str] = set()
    for n in (1, 2, 3):
        for i in range(len(text) - n + 1):
            gram = text[i : i + n]
            if not gram.isspace():
                out.add(gram)
    return out


@dataclass(frozen=True)
class Opinion:
    target: str
    start: int
    end: int
    probability: float


class SecondOpinion:
    """Build once with :meth:`from_json`; :meth:`opinions` per text."""

    def __init__(
        self, targets: Sequence[str], bias: Sequence[float], weights: Mapping[str, Sequence[float]], threshold: float
    ) -> None:
        self.targets = tuple(targets)
        self.bias = tuple(bias)
        self.weights = {g: tuple(w) for g, w in weights.items()}
        self.threshold = threshold
        # One dict per target, so a sentence's score is one C-level sum over its n-grams.
        self._by_target = tuple({g: w[k] for g, w in self.weights.items()} for k in range(len(self.targets)))
        self._known = frozenset(self.weights)

    @classmethod
    def from_json(cls, doc: Any, known_targets: Sequence[str], error: type[Exception]) -> SecondOpinion:
        """Check the shape of ``triage_model.json``; a bad file raises ``error`` naming the fix."""
        fix = "run scripts/train_triage_model.py to write it again"
        if not isinstance(doc, dict) or doc.get("version") != 1:
            raise error(f"triage_model.json: not a version 1 model; {fix}")
        targets, bias, weights = doc.get("targets"), doc.get("bias"), doc.get("weights")
        threshold = doc.get("threshold")
        if not isinstance(targets, list) or not set(targets) <= set(known_targets):
            raise error(f"triage_model.json: 'targets' must be among {', '.join(known_targets)}; {fix}")
        if not isinstance(bias, list) or len(bias) != len(targets) or not isinstance(weights, dict):
            raise error(f"triage_model.json: 'bias' and 'weights' do not match 'targets'; {fix}")
        if not all(isinstance(w, list) and len(w) == len(targets) for w in weights.values()):
            raise error(f"triage_model.json: every weight row needs {len(targets)} numbers; {fix}")
        if not isinstance(threshold, (int, float)) or not 0.5 <= threshold < 1:
            raise error(f"triage_model.json: 'threshold' must be a probability from 0.5 to 1; {fix}")
        return cls(targets, bias, weights, float(threshold))

    def opinions(self, text: str) -> list[Opinion]:
        """Per target, the surest sentence at or above the threshold, located at its heaviest n-gram."""
        best: dict[str, Opinion] = {}
        for sentence in _SENTENCE.finditer(text):
            said = sentence.group()
            grams = self._known_ngrams(said)
            for k, target in enumerate(self.targets):
                score = self.bias[k] + sum(map(self._by_target[k].__getitem__, grams))
                p = 1 / (1 + math.exp(-max(-30.0, min(30.0, score))))
                if p >= self.threshold and (target not in best or p > best[target].probability):
                    start, end = self._heaviest(said, grams, k)
                    best[target] = Opinion(target, sentence.start() + start, sentence.start() + end, p)
        return [best[t] for t in self.targets if t in best]

    def _known_ngrams(self, sentence: str) -> set[str]:
        """The distinct n-grams of ``sentence`` that have weights (``ngrams(s) & weights``), cut
        and intersected with set operations: the seat runs this on every keystroke."""
        lowered = sentence.lower()
        pairs = list(map(add, lowered, lowered[1:]))  # C-level joins: no Python loop per character
        grams = set(lowered)
        grams.update(pairs)
        grams.update(map(add, pairs, lowered[2:]))
        grams &= self._known
        return grams

    def _heaviest(self, sentence: str, grams: set[str], k: int) -> tuple[int, int]:
        """Where in ``sentence`` the n-gram that weighed most for target ``k`` first stands; a
        longer n-gram counts for its length, so the banner shows 车库顶棚's 车库, not a lone 库."""
        top = max(grams, key=lambda g: (self.weights[g][k] * len(g), g))
        start = sentence.lower().find(top)
        return start, start + len(top)
