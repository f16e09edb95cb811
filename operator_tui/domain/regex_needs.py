"""Words a match of a regular expression must contain, read from its source text (issue 13).

Triage runs ~100 rule scanners over the whole description on every keystroke; on most texts most
rules find nothing, yet each scan costs a pass over the text. :func:`needs` reads from a pattern a
set of one- and two-character strings such that **every** match contains at least one of them
(``着火|起火`` → {着火, 起火}; ``(砍|捅)(伤|死)`` → {砍伤, 砍死, 捅伤, 捅死}); :class:`Prefilter`
finds which of them a text holds, so a rule none of whose strings occur is never scanned.

Sound by construction, piece by piece:

- a character, an escaped character or a class of at most ``_SMALL`` characters, taken exactly
  once, matches one of its characters; two such items side by side match one of their pairs;
- every match of a sequence contains a match of each item that must occur at least once
  (no ``?``, ``*``, ``{0,n}``), so any one item's strings serve for the sequence;
- every match of an alternation is a match of one alternative: the union of theirs.

What consumes nothing (lookarounds, anchors, ``\\b``) breaks a pair and needs nothing. What this
reader does not know (``.``, ``\\d``, negated or large classes, back-references, inline flags,
``\\x``/``\\N`` escapes, conditionals) gives an alternative no strings, and an alternative with
none makes the whole answer ``None``: the rule is then always scanned. Like :mod:`.regex_first`,
it reads the text rather than CPython's private parser (issue 18).

Pure: no I/O.
"""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from .regex_first import (
    CATEGORY_ESCAPES,
    CONTROL_ESCAPES,
    ZERO_WIDTH_ESCAPES,
    Cursor,
    _Unreadable,
    read_group_head,
    read_quantifier,
)

__all__ = ["Prefilter", "needs"]

_SMALL = 16  # a larger class or product of classes is as good as "anything" for a prefilter
# Characters so common in callers' texts that a one-character need made of them skips nothing: a
# pair, or another item's characters, is preferred (speed only; any choice is sound).
_COMMON = frozenset(
    "的一是不了人我在有他这个们中来上大到说下地也子时就那要出会可你对着没过家去好还后里看"
    "被把给让叫将从向往跟和与都又再才只很太想能走跑拉推头手车水几多点天年月现刚已经怎么"
)


def needs(pattern: str) -> frozenset[str] | None:
    """Strings of one or two characters one of which every match of ``pattern`` contains, or None."""
    reader = _Reader(pattern)
    try:
        found = reader.alternation()
        if reader.i != len(pattern):
            raise _Unreadable
    except (_Unreadable, IndexError, ValueError):
        return None
    return None if not found else frozenset(found)


class Prefilter:
    """Which of a list of patterns can match a text, from the strings each needs (None: always)."""

    def __init__(self, wanted: list[frozenset[str] | None]) -> None:
        self._always = 0
        self._index: dict[str, int] = {}
        for bit, strings in enumerate(wanted):
            if strings is None:
                self._always |= 1 << bit
                continue
            for s in strings:
                self._index[s] = self._index.get(s, 0) | 1 << bit
        self._strings = frozenset(self._index)  # a text's strings & these: a set lookup each
        firsts = sorted({s[0] for s in self._index if len(s) == 2})
        chars = "".join(re.escape(c) for c in firsts)
        # The pairs that start with a character some pair needs; DOTALL, since a pair may end in a
        # line break. One C-level pass instead of every pair of the text.
        self._pairs = re.compile(f"(?=([{chars}].))", re.DOTALL) if firsts else None

    def possible(self, text: str) -> int:
        """A bit mask: bit ``i`` is set when pattern ``i`` may match ``text``."""
        present = set(text)
        if self._pairs is not None:
            present.update(self._pairs.findall(text))
        return reduce(or_, map(self._index.__getitem__, present & self._strings), self._always)


class _Reader(Cursor):
    """Reads a pattern; each method returns (strings one of which every match holds, or None)."""

    def alternation(self) -> set[str] | None:
        found = self.sequence()
        while self.peek() == "|":
            self.i += 1
            more = self.sequence()
            found = None if found is None or more is None else found | more
        return found

    def sequence(self) -> set[str] | None:
        """Items up to ``|`` or ``)``: the best of the items' own strings and of adjacent pairs."""
        options: list[set[str]] = []
        previous: set[str] | None = None  # the characters of the item before, if it was one exactly
        while self.i < len(self.p) and self.peek() not in "|)":
            single, own = self.atom()
            low, high = self.quantifier()
            once = low == 1 and high == 1
            if low >= 1 and own is not None:
                options.append(own)
            if single is not None and once:
                if previous is not None and len(previous) * len(single) <= _SMALL:
                    options.append({a + b for a in previous for b in single})
                previous = single
            else:
                previous = None  # anything else (zero-width too) stands between two characters
        return min(options, key=_cost) if options else None

    def quantifier(self) -> tuple[int, int]:
        """(least, most) times the atom before repeats; (1, 1) when no quantifier follows."""
        low, high, self.i = read_quantifier(self.p, self.i)
        return low, high

    def atom(self) -> tuple[set[str] | None, set[str] | None]:
        """(its characters when it matches exactly one of a small set, strings it always holds)."""
        c = self.p[self.i]
        self.i += 1
        if c == "(":
            return self.group()
        if c == "[":
            chars = self.char_class()
            return chars, chars
        if c == "\\":
            return self.escape()
        if c in "^$":
            return None, None
        if c == ".":
            return None, None
        if c in "*+?":
            raise _Unreadable
        return {c}, {c}

    def group(self) -> tuple[set[str] | None, set[str] | None]:
        self.i, zero_width = read_group_head(self.p, self.i)
        start = self.i
        found = self.alternation()
        if self.peek() != ")":
            raise _Unreadable
        inner = self.p[start : self.i]
        self.i += 1
        if zero_width:
            return None, None
        return _one_of(inner), found

    def escape(self) -> tuple[set[str] | None, set[str] | None]:
        c = self.p[self.i]
        self.i += 1
        if c in ZERO_WIDTH_ESCAPES or c in CATEGORY_ESCAPES:  # nothing, or any of many characters
            return None, None
        if c in CONTROL_ESCAPES:
            return {CONTROL_ESCAPES[c]}, {CONTROL_ESCAPES[c]}
        if c.isascii() and c.isalnum():  # back-references, \x \u \N, octal …: not read
            raise _Unreadable
        return {c}, {c}

    def char_class(self) -> set[str] | None:
        """The characters of ``[...]``, or None when they are many or unknown (negated, \\d …)."""
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        out: set[str] | None = set()
        first = True
        while True:
            c = self.p[self.i]
            self.i += 1
            if c == "]" and not first:
                return None if negated or out is None or len(out) > _SMALL else out
            first = False
            if c == "[":
                raise _Unreadable  # nested-set syntax Python may read one day
            if c == "\\":
                c = self._class_escape()
                if c == "":
                    out = None
                    continue
            if self.peek() == "-" and self.p[self.i + 1 : self.i + 2] not in ("]", ""):
                self.i += 1
                hi = self.p[self.i]
                self.i += 1
                if hi == "\\":
                    hi = self._class_escape()
                if hi == "" or ord(hi) < ord(c):
                    raise _Unreadable
                if out is not None and ord(hi) - ord(c) <= _SMALL:
                    out.update(map(chr, range(ord(c), ord(hi) + 1)))
                else:
                    out = None
            elif out is not None:
                out.add(c)

    def _class_escape(self) -> str:
        """The character an escape in a class stands for; "" for a category (\\d \\w \\s)."""
        e = self.p[self.i]
        self.i += 1
        if e in CATEGORY_ESCAPES:
            return ""
        if e in CONTROL_ESCAPES:
            return CONTROL_ESCAPES[e]
        if e.isascii() and e.isalnum():  # \b (a backspace in a class), \x, octal …: not read
            raise _Unreadable
        return e


def _one_of(inner: str) -> set[str] | None:
    """The characters of a group that is a plain alternation of single characters (``伤|死|了``)."""
    parts = inner.split("|")
    if all(len(p) == 1 and p not in "()[]\\.^$*+?{}" for p in parts) and len(parts) <= _SMALL:
        return set(parts)
    return None


def _cost(strings: set[str]) -> tuple[int, int]:
    """Lower is better: pairs over characters, rare characters over common ones, fewer strings."""
    return sum(1 if len(s) == 2 else (10 if s in _COMMON else 4) for s in strings), len(strings)
