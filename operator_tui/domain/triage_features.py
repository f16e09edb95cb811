"""What triage's learned second opinion reads in a sentence (issue 13, round 5).

The same function makes the features when the model is trained (scripts/train_triage_model.py)
and when a sentence is scored at the seat, so the two can never drift apart.

- *Normalised characters*: full-width letters and digits become ASCII, letters lower case, every
  digit 0 (3楼 and 5楼 are the same situation), and a few traditional characters of the alarming
  words become simplified (full-width punctuation stays as callers' texts write it). A run of five
  digits or more (a phone number to call back, an ID, an amount) becomes ``#``s: callers' 110, 119
  and 120 taught the model that digits lean towards a referral, and "回电13912345678" beside an
  ordinary complaint read as 119 (round 13). Then the character n-grams, 1 to ``chars`` long (the
  shipped model: 1 and 2).
- *Sounds*: each character as its usual toneless pinyin syllable (the shipped table of
  ``data/pinyin_syllables.json``), and pinyin typed as letters cut into syllables (ranqi → ran qi).
  The syllable n-grams, 2 to ``pinyin`` long (shipped: pairs), are features of their own (written
  ``RAN QI``), so a same-sound typo (然气, 着伙) and a pinyin spelling share features with the word
  the training calls used. An n-gram across punctuation, a digit or a word that is not pinyin is
  never weighed.

Pure: the syllable table is handed in. Speed matters (the seat scores on every keystroke), so the
grams are cut with ``map`` and set operations rather than a Python loop per character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from operator import add

__all__ = ["SENTENCE", "Featuriser", "normalise"]

# Full-width letters and digits and the ideographic space become their half-width forms; digits
# 0. Full-width punctuation (，！？) stays: it is how every caller's text is written.
_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for c in range(*r)}
_WIDTH[0x3000] = 0x20
# Traditional forms of the characters the alarming words are made of; cheap to fold, and a caller
# on a traditional-script input method would otherwise share no feature with the training calls.
_TRADITIONAL = "氣煙燒槍車禍傷殺搶醫報險災雞綁暈邊鬥毆憂觸電護齒傢樓廠礦橋門還們場區鎖開關"
_SIMPLIFIED = "气烟烧枪车祸伤杀抢医报险灾鸡绑晕边斗殴忧触电护齿家楼厂矿桥门还们场区锁开关"
_FOLD = str.maketrans(
    {
        **{chr(k): chr(v) for k, v in _WIDTH.items()},
        **dict(zip(_TRADITIONAL, _SIMPLIFIED, strict=True)),
        **{str(d): "0" for d in range(1, 10)},
        **{chr(0xFF10 + d): "0" for d in range(10)},
    }
)
_NEEDS_FOLD = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000" + _TRADITIONAL + "]")
_DIGIT = re.compile("[1-9]")
_LONG_RUN = re.compile("0{5,}")  # five or more digits, once folded to 0
_LETTERS = re.compile(r"[a-z]+")
_SPACED_BREAK = " | "  # a pinyin-looking word that is not pinyin: a token that is no syllable
_SENTENCE_ENDS = "。！!？?；;\n"
SENTENCE = re.compile(f"[^{_SENTENCE_ENDS}]+")  # a sentence is scored on its own (triage_model.py)
_SENTENCE_MARK = "\x1f"  # a sentence end in the syllable reading of a whole text
# A syllable n-gram that can carry a weight: syllables only. Anything else left standing between
# the syllables (punctuation, digits, a word that is not pinyin) is a token of its own, so an
# n-gram across it holds a token that is no syllable and is never weighed.
_SYLLABLE_GRAM = re.compile(r"[A-Z]+( [A-Z]+)+")


def normalise(text: str) -> str:
    """``text`` folded as described in the module docstring; the same length as ``text`` unless
    a character's lower case is longer. The table is applied only to a text that needs it: a
    search is much cheaper than ``translate`` over every character."""
    if _NEEDS_FOLD.search(text):
        text = text.translate(_FOLD)
    elif _DIGIT.search(text):
        text = _DIGIT.sub("0", text)
    if "00000" in text:  # a substring test: most texts hold no long number
        text = _LONG_RUN.sub(_hashes, text)
    return text.lower()


def _hashes(m: re.Match[str]) -> str:
    return "#" * len(m.group())


class Featuriser:
    """Character and syllable n-grams of a sentence; build once per model."""

    def __init__(self, syllables: Mapping[str, str], chars: int = 4, pinyin: int = 3) -> None:
        """``syllables``: toneless syllable → the characters usually read that way."""
        if not 1 <= chars <= 5 or not 0 <= pinyin <= 4:
            raise ValueError("chars must be 1 to 5 and pinyin 0 to 4 (0 and 1: no syllable n-grams)")
        self.chars, self.pinyin = chars, pinyin
        # Spaces either side, so a character left as it is (，or 0) stands as a token of its own.
        table = {c: " " + s.upper() + " " for s, cs in syllables.items() for c in cs}
        table[_SENTENCE_MARK] = _SPACED_BREAK  # the marker is ours alone, even if a text holds it
        table.update(dict.fromkeys(_SENTENCE_ENDS, _SENTENCE_MARK))
        self._to_syllable = str.maketrans(table)
        # Whether the reading keeps a text's letters and adds none: then pinyin is looked for in
        # the text, ~5 times shorter than its reading (every character becomes " XXX ").
        self._letters_kept = not any(
            _LETTERS.search(chr(k) if isinstance(k, int) else k) or _LETTERS.search(v)
            for k, v in self._to_syllable.items()
        )
        self._syllables = frozenset(syllables)
        self._longest = max((len(s) for s in syllables), default=0)

    def grams(self, sentence: str) -> Iterator[str]:
        """Every feature of ``sentence`` (normalised first), lazily and possibly repeated; the seat
        intersects them straight into the model's known n-grams (``known.intersection(...)``),
        which looks each up once without building the set of them all. Some never carry a
        weight: a lone space, and syllable n-grams across a break (they contain ``|``)."""
        text = normalise(sentence)
        return self._grams(text, self.syllables(text) if self.pinyin > 1 else [])

    def sentences(self, text: str) -> list[tuple[int, int, Iterator[str]]]:
        """Each sentence of ``text`` (split at 。！？；and new lines) as (start, end, its grams).
        The same grams as :meth:`grams` per sentence, but the text is normalised and read as
        syllables once, not once a sentence: a long description has dozens of them."""
        spans = [(m.start(), m.end()) for m in SENTENCE.finditer(text)]
        folded = normalise(text)
        if len(folded) != len(text):  # a character whose lower case is longer (rare): one by one
            return [(start, end, self.grams(text[start:end])) for start, end in spans]
        pieces: list[str] | None = None
        if self.pinyin > 1:
            pieces = [p for p in self._sound_text(folded).split(_SENTENCE_MARK) if p]
            if len(pieces) != len(spans):  # cannot happen by construction; stay correct if it does
                return [(start, end, self.grams(text[start:end])) for start, end in spans]
        return [
            (start, end, self._grams(folded[start:end], pieces[i].split() if pieces is not None else []))
            for i, (start, end) in enumerate(spans)
        ]

    def _grams(self, text: str, said: list[str]) -> Iterator[str]:
        if self.chars == 2 and self.pinyin == 2:  # the shipped model: no list built at all
            return chain(text, map(add, text, text[1:]), map(" ".join, zip(said, said[1:])))
        parts: list[Iterable[str]] = [text]
        longer: Iterable[str] = text
        for n in range(1, self.chars):
            longer = list(map(add, longer, text[n:]))  # C-level joins: no Python loop per character
            parts.append(longer)
        # A lone syllable is no feature: ran is 然 in 突然 as often as 燃 in 燃气.
        for n in range(2, self.pinyin + 1):
            parts.append(map(" ".join, zip(*(said[i:] for i in range(n)))))
        return chain.from_iterable(parts)

    def features(self, sentence: str) -> set[str]:
        """The distinct features of ``sentence`` that can carry a weight (for training)."""
        return {g for g in self.grams(sentence) if g != " " and (g == g.lower() or _SYLLABLE_GRAM.fullmatch(g))}

    def syllables(self, text: str) -> list[str]:
        """The syllables of normalised ``text`` in upper case (so they never meet the letters of a
        character n-gram): one per Han character, those of a pinyin word in its place, and ``|``
        for anything else (punctuation, digits, English). Made with ``translate`` and regular
        expressions, not a Python loop per character."""
        return self._sound_text(text).replace(_SENTENCE_MARK, _SPACED_BREAK).split()

    def _sound_text(self, text: str) -> str:
        """``text`` as space-separated syllables and breaks, each sentence end as ``_SENTENCE_MARK``."""
        said = text.translate(self._to_syllable)
        if _LETTERS.search(text if self._letters_kept else said):
            said = _LETTERS.sub(self._pinyin_word, said)
        return said

    def _pinyin_word(self, m: re.Match[str]) -> str:
        cut = self._segment(m.group())
        return " " + " ".join(cut).upper() + " " if cut else _SPACED_BREAK

    def _segment(self, word: str) -> list[str] | None:
        """``word`` cut into the fewest pinyin syllables, or None when it is not pinyin."""
        best: list[list[str] | None] = [[]] + [None] * len(word)
        for end in range(1, len(word) + 1):
            for start in range(max(0, end - self._longest), end):
                head = best[start]
                if head is not None and word[start:end] in self._syllables:
                    there = best[end]
                    if there is None or len(there) > len(head) + 1:
                        best[end] = [*head, word[start:end]]
        return best[-1]
