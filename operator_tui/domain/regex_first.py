"""The characters a match of a regular expression can start with, read from its source text.

Triage puts the first characters of all its triggers in front of one big alternation (see
``triage_parse._scanner``): Python's engine then skips ahead with a fast character-set scan instead of
trying ~100 alternatives at every position. Finding those characters needs the pattern's
structure. CPython's own parser (``re._parser``) is private and changes between versions (issue 18),
so this module reads the pattern text itself.

It understands the part of the syntax the rules file uses: literals and escapes, character
classes with ranges, groups of every kind, lookarounds (zero-width), anchors, alternation and
quantifiers. Anything whose first character is not a small known set (``.``, ``\\w``, ``\\d``,
negated classes, huge ranges, backreferences, inline flags) makes the answer ``None``, and the
caller then scans without the shortcut: slower, never wrong. An unreadable pattern also gives
``None``: ``re.compile`` is what reports its error.

Pure: no I/O.
"""

from __future__ import annotations

import re

from .errors import BadInput

__all__ = ["first_chars"]

# The lexical pieces both readers of pattern text share (this one and regex_needs.py): what an
# escape stands for, what a quantifier and the head of a group say.
_REPEAT = re.compile(r"\{(\d*)(?:,(\d*))?\}")
ZERO_WIDTH_ESCAPES = frozenset("bBAZ")
CATEGORY_ESCAPES = frozenset("dDwWsS")
CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_MAX_RANGE = 512  # a wider range is as good as "anything" for a prefilter


class _Unreadable(BadInput):
    """The pattern is outside the understood syntax or malformed."""


def read_quantifier(p: str, i: int) -> tuple[int, int, int]:
    """The quantifier at ``p[i]``: (least, most, where it ends); (1, 1, i) when there is none.
    ``most`` is 2 for "more than once" (``*``, ``+``, ``{m,}``)."""
    c = p[i] if i < len(p) else ""
    if c in ("?", "*", "+"):
        low, high, i = (0 if c != "+" else 1), (1 if c == "?" else 2), i + 1
    elif c == "{":
        m = _REPEAT.match(p, i)
        if m is None or (m.group(1) == "" and m.group(2) is None):
            return 1, 1, i  # a literal "{", read as the next atom
        low = int(m.group(1) or 0)
        high = low if m.group(2) is None else (int(m.group(2)) if m.group(2) else low + 2)
        i = m.end()
    else:
        return 1, 1, i
    if p[i : i + 1] in ("?", "+"):  # lazy or possessive
        i += 1
    return low, high, i


def read_group_head(p: str, i: int) -> tuple[int, bool]:
    """Past the ``(?…`` of a group opened before ``p[i]``: (where its body starts, whether it is a
    lookaround, which consumes nothing). Inline flags, conditionals and (?P=name) are _Unreadable."""
    if not p.startswith("?", i):
        return i, False
    if p.startswith(("?:", "?>"), i):
        return i + 2, False
    if p.startswith(("?=", "?!"), i):
        return i + 2, True
    if p.startswith(("?<=", "?<!"), i):
        return i + 3, True
    if p.startswith("?P<", i):
        return p.index(">", i) + 1, False
    raise _Unreadable


def first_chars(pattern: str) -> tuple[frozenset[str] | None, bool]:
    """(characters a match can start with, or None if unbounded; whether a match can be empty)."""
    reader = _Reader(pattern)
    try:
        chars, empty = reader.alternation()
        if reader.i != len(pattern):  # a stray ")"
            raise _Unreadable
    except (_Unreadable, IndexError, ValueError):
        return None, False
    return (None if chars is None else frozenset(chars)), empty


class Cursor:
    """A position in a pattern's text; the readers here and in :mod:`.regex_needs` move it."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""


class _Reader(Cursor):
    def alternation(self) -> tuple[set[str] | None, bool]:
        chars, empty = self.sequence()
        while self.peek() == "|":
            self.i += 1
            more, more_empty = self.sequence()
            chars = None if chars is None or more is None else chars | more
            empty = empty or more_empty
        return chars, empty

    def sequence(self) -> tuple[set[str] | None, bool]:
        """Items up to ``|`` or ``)``; the first characters come from the items until one that
        cannot be empty. Later items are still read, to find where the sequence ends."""
        chars: set[str] | None = set()
        open_prefix = True  # every item so far could match nothing
        while self.i < len(self.p) and self.peek() not in "|)":
            item, empty = self.atom()
            low = self.quantifier()
            empty = empty or low == 0
            if open_prefix:
                chars = None if chars is None or item is None else chars | item
                open_prefix = empty
        return chars, open_prefix

    def quantifier(self) -> int:
        """Read a quantifier after an atom; its minimum count (1 when there is none)."""
        low, _, self.i = read_quantifier(self.p, self.i)
        return low

    def atom(self) -> tuple[set[str] | None, bool]:
        c = self.p[self.i]
        self.i += 1
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class(), False
        if c == "\\":
            return self.escape()
        if c in "^$":
            return set(), True
        if c == ".":
            return None, False
        if c in "*+?":
            raise _Unreadable  # a quantifier with nothing to repeat
        return {c}, False

    def group(self) -> tuple[set[str] | None, bool]:
        self.i, zero_width = read_group_head(self.p, self.i)
        chars, empty = self.alternation()
        if self.peek() != ")":
            raise _Unreadable
        self.i += 1
        # A lookaround consumes nothing: the first character comes from what follows it.
        return (set(), True) if zero_width else (chars, empty)

    def escape(self) -> tuple[set[str] | None, bool]:
        c = self.p[self.i]
        self.i += 1
        if c in ZERO_WIDTH_ESCAPES:
            return set(), True
        if c in CATEGORY_ESCAPES or c.isdigit():  # classes, backreferences
            return None, False
        return {self.escaped_char(c)}, False

    def escaped_char(self, c: str) -> str:
        if c in CONTROL_ESCAPES:
            return CONTROL_ESCAPES[c]
        width = {"x": 2, "u": 4, "U": 8}.get(c)
        if width is not None:
            code = self.p[self.i : self.i + width]
            self.i += width
            return chr(int(code, 16))
        return c

    def char_class(self) -> set[str] | None:
        if self.peek() == "^":
            self.i += 1
            self.skip_class()
            return None
        out: set[str] | None = set()
        first = True
        while True:
            c = self.p[self.i]
            self.i += 1
            if c == "]" and not first:
                return out
            first = False
            if c == "\\":
                e = self.p[self.i]
                self.i += 1
                if e in CATEGORY_ESCAPES:
                    out = None
                    continue
                c = self.escaped_char(e)
            if self.peek() == "-" and self.p[self.i + 1 : self.i + 2] not in ("]", ""):
                self.i += 1
                hi = self.p[self.i]
                self.i += 1
                if hi == "\\":
                    hi = self.escaped_char(self.p[self.i])
                    self.i += 1
                if ord(hi) - ord(c) >= _MAX_RANGE:
                    out = None
                elif out is not None:
                    out.update(map(chr, range(ord(c), ord(hi) + 1)))
            elif out is not None:
                out.add(c)

    def skip_class(self) -> None:
        first = True
        while True:
            c = self.p[self.i]
            self.i += 1
            if c == "\\":
                self.i += 1
            elif c == "]" and not first:
                return
            first = False
