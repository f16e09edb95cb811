"""Cue words matched by sound (issue 13): same-sound typos and pinyin typed into the text.

Callers' words reach the seat through an operator typing fast with a pinyin input method, so a
cue word often arrives as another character with the same sound (煤气味 → 没气味, 燃气 → 然气,
着火 → 着伙, 冒烟 → 冒眼) or as the pinyin itself (ranqi, zhaohuo, qiang bao). Rules match
characters, so this module gives :func:`triage` a second reading of the text, with each such word
written the way the rules expect (没气味 → 煤气味), and a map back to the caller's characters, so
the banner shows what was typed.

Two guards keep the second reading from inventing emergencies:

- a typo keeps at least one character of the cue word (没气 for 煤气, never 迟到 for 持刀);
- each word may list ``keep`` patterns: real words that sound the same (坚持到, 看人) are left
  alone where they stand.

Single-syllable words (枪) and words whose homophones are everyday words (砍人/看人) are matched
in typed pinyin only (``pinyin_only``).

Pure: the syllable table (``data/pinyin_syllables.json``, made with pypinyin by
``scripts/build_pinyin_table.py``) is handed in by the loader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SoundWord", "Sounds", "Variant"]

_PINYIN_RUN = re.compile(r"[A-Za-z]+(?:[ '’][A-Za-z]+)*")
# Common syllables with no cue word, written as the character an input method offers first, so a
# pinyin sentence still reads as a sentence to the rules ("wo jia zhao huo le" → 我家着火了).
_FUNCTION_SYLLABLES = {
    "wo": "我",
    "ni": "你",
    "ta": "他",
    "men": "们",
    "jia": "家",
    "le": "了",
    "de": "的",
    "zai": "在",
    "you": "有",
    "ren": "人",
    "shi": "是",
    "kuai": "快",
    "lai": "来",
    "bu": "不",
    "hen": "很",
    "ge": "个",
    "zhe": "这",
    "na": "那",
    "li": "里",
    "lou": "楼",
    "xia": "下",
    "shang": "上",
    # 味 and 大 finish the commonest pinyin report of a smell ("ranqi wei hen da" → 燃气味很大).
    "wei": "味",
    "da": "大",
}


@dataclass(frozen=True)
class SoundWord:
    word: str
    syllables: tuple[str, ...]
    keep: re.Pattern[str] | None
    pinyin_only: bool


@dataclass(frozen=True)
class Variant:
    """A second reading of a text: ``text`` and, per character of it, the caller's characters behind it."""

    text: str
    starts: tuple[int, ...]  # a rewritten character stands for the caller's whole word
    ends: tuple[int, ...]
    # Where the rewritten words stand in ``text``: from the first one's start to the last one's
    # end. Outside it the two readings are the same characters, so triage reads again only the
    # sentences around it.
    changed: tuple[int, int] = (0, 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The caller's characters behind ``text[start:end]`` (``end > start``)."""
        return self.starts[start], self.ends[end - 1]


class Sounds:
    """Cue words by sound; build once with :meth:`build`, then :meth:`variant` per text."""

    def __init__(self, words: tuple[SoundWord, ...], table: Mapping[str, str]) -> None:
        self.words = words
        self._syllables = frozenset(table)
        self._longest = max((len(s) for s in table), default=0)
        # A typo keeps one character of the word, so the scan looks only for the words' own
        # characters (a small class, fast) and checks the neighbours by sound with set lookups;
        # one alternation of sound classes was 0.7 ms per 500 characters. The neighbours are
        # checked with one anchored regex of the word's sound classes (``[没煤…][气器…]``): one call
        # where a generator over the characters cost ~40 µs per 500 characters.
        self._at: dict[str, list[tuple[SoundWord, int, re.Pattern[str]]]] = {}
        for w in words:
            if w.pinyin_only or len(w.word) < 2:
                continue
            classes = [frozenset(table.get(s, "")) | {c} for s, c in zip(w.syllables, w.word)]
            sounds = re.compile("".join(_char_class("".join(sorted(cls))) for cls in classes))
            for i, exact in enumerate(w.word):
                self._at.setdefault(exact, []).append((w, i, sounds))
        self._anchors = re.compile(_char_class("".join(self._at))) if self._at else None
        by_sound = sorted(words, key=lambda w: -len(w.syllables))
        self._pinyin = [(w.syllables, w) for w in by_sound]

    @classmethod
    def build(cls, entries: Any, table: Mapping[str, str], where: str, error: type[Exception]) -> Sounds:
        """Parse the ``[sounds]`` entries of the rules file; errors name ``where`` and the fix."""
        if not isinstance(entries, list):
            raise error(f'{where}: \'words\' must be a list of {{word = "煤气", pinyin = "mei qi"}} tables')
        words = []
        for n, entry in enumerate(entries, 1):
            at = f"{where}: words #{n}"
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("word"), str)
                or not isinstance(entry.get("pinyin"), str)
            ):
                raise error(
                    f"{at}: give a table with 'word' and 'pinyin', like {{word = \"煤气\", pinyin = \"mei qi\"}}"
                )
            unknown = set(entry) - {"word", "pinyin", "keep", "pinyin_only"}
            if unknown:
                raise error(
                    f"{at}: unknown key '{sorted(unknown)[0]}'; allowed keys are keep, pinyin, pinyin_only, word"
                )
            word, syllables = entry["word"], tuple(entry["pinyin"].lower().split())
            if len(syllables) != len(word) or not word:
                raise error(
                    f"{at}: '{word}' has {len(word)} characters but pinyin '{entry['pinyin']}' has {len(syllables)} syllables; give one syllable per character, separated by spaces"
                )
            bad = [s for s in syllables if s not in table]
            if bad:
                raise error(f"{at}: '{bad[0]}' is not a pinyin syllable (write it without tones, ü as v)")
            keep = entry.get("keep", [])
            if not isinstance(keep, list) or not all(isinstance(k, str) and k for k in keep):
                raise error(f"{at}: 'keep' must be a list of regular expressions, like [\"坚持到\"]")
            try:
                keep_rx = re.compile("|".join(f"(?:{k})" for k in keep)) if keep else None
            except re.error as exc:
                raise error(f"{at}: 'keep' is not a valid regular expression ({exc})") from None
            only = entry.get("pinyin_only", False)
            if not isinstance(only, bool):
                raise error(f"{at}: 'pinyin_only' must be true or false")
            words.append(SoundWord(word, syllables, keep_rx, only))
        return cls(tuple(words), table)

    def variant(self, text: str) -> Variant | None:
        """``text`` with sound-alike cue words rewritten, or None when there are none (most texts)."""
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the caller's text
        if self._anchors is not None:
            for a in self._anchors.finditer(text):
                for w, i, sounds in self._at[a.group()]:
                    start = a.start() - i
                    end = start + len(w.word)
                    if start < 0 or end > len(text) or text[start:end] == w.word:
                        continue
                    if sounds.match(text, start) is not None and not self._kept(w, text, start, end):
                        edits.append((start, end, w.word))
        for m in _PINYIN_RUN.finditer(text):
            written = self._from_pinyin(m.group())
            if written is not None:
                edits.append((m.start(), m.end(), written))
        if not edits:
            return None
        return _apply(text, sorted(edits))

    def _kept(self, w: SoundWord, text: str, start: int, end: int) -> bool:
        if w.keep is None:
            return False
        lo = max(0, start - 4)
        return any(k.start() < end and k.end() > start for k in w.keep.finditer(text, lo, end + 4))

    def _from_pinyin(self, run: str) -> str | None:
        """Pinyin → characters where it spells a cue word; None when it spells none."""
        syllables: list[str] = []
        for chunk in re.split(r"[ '’]+", run.lower()):
            cut = self._segment(chunk)
            if cut is None:
                return None  # not pinyin (an English word, a plate number): leave the run alone
            syllables.extend(cut)
        out, i, found = [], 0, False
        while i < len(syllables):
            for sound, w in self._pinyin:
                if tuple(syllables[i : i + len(sound)]) == sound:
                    out.append(w.word)
                    i += len(sound)
                    found = True
                    break
            else:
                out.append(_FUNCTION_SYLLABLES.get(syllables[i], syllables[i]))
                i += 1
        return "".join(out) if found else None

    def _segment(self, chunk: str) -> list[str] | None:
        """``chunk`` cut into the fewest pinyin syllables, or None (zhaohuo → zhao huo)."""
        n = len(chunk)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            head = best[i]
            if head is None:
                continue
            for j in range(i + 1, min(n, i + self._longest) + 1):
                piece = chunk[i:j]
                there = best[j]
                if piece in self._syllables and (there is None or len(there) > len(head) + 1):
                    best[j] = head + [piece]
        return best[n]


def _char_class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in dict.fromkeys(chars)) + "]"


def _apply(text: str, edits: list[tuple[int, int, str]]) -> Variant:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    first = last = -1
    for start, end, written in edits:
        if start < pos:
            continue  # overlapping finds: the first wins
        out.append(text[pos:start])
        starts.extend(range(pos, start))
        ends.extend(range(pos + 1, start + 1))
        if first < 0:
            first = len(starts)
        last = len(starts) + len(written)
        out.append(written)
        starts.extend([start] * len(written))
        ends.extend([end] * len(written))
        pos = end
    out.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return Variant("".join(out), tuple(starts), tuple(ends), (first, last))
