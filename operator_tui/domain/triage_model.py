"""Triage's learned second opinion (issue 13): a linear model beside the rules.

The rules (``triage.toml``) name words and situations; callers keep finding new ways to say them.
Round 5 measured the model by leaving each labelled set out of its training in turn
(``scripts/triage_cv.py``); the sets written blind to the rules (``triage_tuning7a/7b``) say best
how it fares on wording nobody tuned for. There, rules alone found 0.790 and 0.773 of the needed
referrals (false alarms 0.094 and 0.109); rules with the model 0.937 and 0.905 (0.101 and 0.121).
Letting the model also *veto* a rule's referral was measured too and rejected: the lowest veto
threshold that removed a false alarm lost about eight needed referrals for each. So the model
*adds* a target the rules did not call for, only when it is sure (per-target ``thresholds`` in the
model file, chosen on the left-out sets, never on a hold-out).

Round 12 (trained on 17 blind sets, 9,600 calls) changed that for one case: a text the model reads
as ordinary beyond doubt. On blind sets most of the rules' false alarms had become texts where no
sentence comes near *any* target (学校门口有人拿刀切西瓜, 刚才说有人打架 其实没打); there the rules'
referrals are withdrawn (:meth:`SecondOpinion.overrules`, ``veto`` in the model file) and the
banner shows the rules' words in grey instead of raising the alarm. Withdrawing single targets
from a text that is an emergency for another one would take 110 from a drunk driver whom the
model knows only as 122, so it never does; and a text must push every target *below its prior*,
so a short call or one in words the model never saw (肇事逃逸) is never overruled for want of
evidence.

The model: one logistic regression per target over the features of :mod:`.triage_features`
(normalised character 1- and 2-grams and pinyin syllable pairs, so a same-sound typo or typed
pinyin shares features with the word), trained offline by ``scripts/train_triage_model.py`` and
shipped as ``data/triage_model.json``; nothing is trained or downloaded at run time. Each sentence
is scored on its own, as the calls it was trained on are a sentence or two: a long description
does not pile up small weights into an alarm. The banner shows, as the words that called for the
target, the sentence's character n-gram that weighed most for it, so the operator sees what the
guess rests on.

Pure: the loader hands in the parsed JSON and the syllable table.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import add, ge, lt
from typing import Any

from .triage_features import Featuriser, normalise

__all__ = ["THRESHOLD", "VETO_MIN_CHARS", "Opinion", "SecondOpinion", "long_enough", "reads_ordinary"]

THRESHOLD = 0.8  # a target's threshold when the model file names none


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
        veto: float = 0.0,
    ) -> None:
        self.targets = tuple(targets)
        self.bias = tuple(bias)
        self.weights = {g: tuple(w) for g, w in weights.items()}
        self.thresholds = tuple(thresholds)
        self.featuriser = featuriser
        self._known = frozenset(self.weights)
        # A threshold as log-odds, so a sentence is compared before any exp() is taken.
        self._cut = tuple(math.log(t / (1 - t)) for t in self.thresholds)
        self.veto = veto  # see overrules()

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
            if not isinstance(features, dict):
                raise TypeError
            featuriser = Featuriser(syllables, int(features["chars"]), int(features["pinyin"]))
        except (TypeError, KeyError, ValueError):
            raise error(f"triage_model.json: 'features' needs 'chars' (1 to 5) and 'pinyin' (0 to 4); {fix}") from None
        veto = doc.get("veto", 0.0)
        if not isinstance(veto, (int, float)) or isinstance(veto, bool) or not 0 <= veto < 0.5:
            raise error(f"triage_model.json: 'veto' must be a probability from 0 to under 0.5 (0: none); {fix}")
        return cls(targets, bias, weights, [float(t) for t in thresholds], featuriser, float(veto))

    def highest(self, text: str) -> list[float]:
        """Per target, the highest probability of any sentence of ``text``, thresholds aside."""
        return [_sigmoid(z) for z in self.top_scores(text)]

    def top_scores(self, text: str) -> list[float]:
        """Per target, the highest score (log-odds) of any sentence of ``text``; the bias for a
        text without a sentence."""
        top = [-math.inf] * len(self.targets)
        for _, _, grams in self.featuriser.sentences(text):
            top = list(map(max, top, self._scores(grams)[0]))
        return top if top[0] > -math.inf else list(self.bias)

    def overrules(self, top: Sequence[float], veto: float | None = None) -> bool:
        """Whether a text whose sentences score at most ``top`` (per target, log-odds) reads as
        ordinary beyond doubt: every target below ``veto`` (the file's, by default) *and* below its
        own prior (the bias). The second condition keeps a text the model has no evidence about,
        short or in words it never saw (肇事逃逸), from being overruled on its prior alone."""
        return reads_ordinary(top, self.bias, self.veto if veto is None else veto)

    def opinions(self, text: str, skip: Collection[str] = ()) -> list[Opinion]:
        """Per target, the surest sentence at or above its threshold, located at its heaviest n-gram.
        Targets in ``skip`` (those the rules already called for) are left out: locating a guess
        nobody will use costs a pass over its sentence's n-grams."""
        return self.judge(text, skip)[0]

    def judge(self, text: str, named: Collection[str] = ()) -> tuple[list[Opinion], bool]:
        """:meth:`opinions` for the targets not in ``named`` (those the rules called for), and
        whether the model overrules the rules' ``named`` (:meth:`overrules`). One pass scores every
        sentence for both."""
        best: dict[int, tuple[float, int, int, frozenset[str]]] = {}
        cut = self._cut
        top = [-math.inf] * len(self.targets)
        for start, end, features in self.featuriser.sentences(text):
            scores, grams = self._scores(features)
            top = list(map(max, top, scores))
            if not any(map(ge, scores, cut)):  # most sentences reach no threshold: one C-level test
                continue
            for k, z in enumerate(scores):
                if z >= self._cut[k] and (k not in best or z > best[k][0]):
                    best[k] = (z, start, end, grams)
        out = []
        for k, (z, start, end, grams) in sorted(best.items()):
            if self.targets[k] in named:
                continue
            at, to = self._heaviest(text[start:end], grams, k)
            out.append(Opinion(self.targets[k], start + at, start + to, _sigmoid(z)))
        sure = bool(named) and top[0] > -math.inf and long_enough(text) and self.overrules(top)
        return out, sure

    def _scores(self, features: Iterable[str]) -> tuple[list[float], frozenset[str]]:
        """Each target's score (log-odds) for one sentence's features, and its known n-grams.
        One dict lookup per n-gram gives its row of weights; ``zip`` turns the rows into one
        column per target and ``sum`` adds each in C (faster than a dict per target)."""
        grams = self._known.intersection(features)
        if not grams:
            return list(self.bias), grams
        return list(map(add, self.bias, map(sum, zip(*map(self.weights.__getitem__, grams))))), grams

    def _heaviest(self, sentence: str, grams: frozenset[str], k: int) -> tuple[int, int]:
        """Where in ``sentence`` the character n-gram that weighed most for target ``k`` first
        stands; a longer n-gram counts for its length, so the banner shows 车库顶棚's 车库, not a
        lone 库. Syllable n-grams (upper case) have no place of their own in the text: a typo
        or pinyin is shown by the characters typed around it that weighed most."""
        chars = [g for g in grams if not g[:1].isupper()] or [sentence[:1]]
        top = max(chars, key=lambda g: (self.weights.get(g, (0.0,) * len(self.targets))[k] * len(g), g))
        start = max(0, normalise(sentence).find(top))
        return start, start + len(top)


# A call of a few words (地震了, 孩子丢了) is the caller's claim with nothing around it to read it
# by, and the model has mostly seen such words in ordinary senses (地震 in questions about
# earthquakes): it never overrules a text shorter than this (characters other than whitespace).
VETO_MIN_CHARS = 8


def long_enough(text: str) -> bool:
    """Whether ``text`` is long enough for the model to overrule the rules (``VETO_MIN_CHARS``)."""
    return len("".join(text.split())) >= VETO_MIN_CHARS


def reads_ordinary(top: Sequence[float], bias: Sequence[float], veto: float) -> bool:
    """:meth:`SecondOpinion.overrules` for a model of ``bias`` (also used by scripts/triage_cv.py)."""
    if veto <= 0:
        return False
    return max(top) < math.log(veto / (1 - veto)) and all(map(lt, top, bias))


def _sigmoid(score: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, score))))
