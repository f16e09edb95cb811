"""A regular expression rewritten so that Python's engine skips ahead fast (triage, issue 5 and 13).

Python's regex engine skips to the next possible start with a character-set scan only when every
alternative of a pattern starts with a plain character; with a lookbehind, a class or a group in
front of one alternative it tries every alternative at every position (the triage rules: 4 ms per
500 characters). So the set F of characters a match can start with is read from the pattern text
(:mod:`.regex_first`) and put in front: ``[F](?<=(?=(ALTS)).)`` consumes one character of F and
looks ahead from it for the real match, in group 1.

That scanner finds a match at *every* position where the pattern matches, overlapping or not;
the caller keeps those a plain ``finditer`` finds: each that starts at or after the previous
kept one's end. At a position the lookahead takes the first alternative that matches, as the plain pattern
does, and sees the same string (lookbehinds, ``$``), so the spans are the same. Two cases are left
plain, where that argument does not hold: a pattern that can match empty text (a plain
``finditer`` then also yields empty matches), and one that refers back to a group (its numbers
would shift). ``tests/domain/test_triage.py`` and ``test_triage_speed.py`` check the equality on
every labelled call.

Pure: no I/O.
"""

from __future__ import annotations

import re

from .regex_first import first_chars

__all__ = ["scanner", "uncaptured"]

_BACK_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def scanner(alternatives: str) -> tuple[re.Pattern[str], int]:
    """``alternatives`` compiled for speed, and the group holding the match (0 if left plain)."""
    if _BACK_REFERENCE.search(alternatives):  # group numbers would shift: leave it plain
        return re.compile(alternatives), 0
    alternatives = uncaptured(alternatives)  # only the whole match is used; groups cost time
    first, nullable = first_chars(alternatives)
    if first is None or nullable or re.compile(alternatives).flags & re.IGNORECASE:  # F is per case
        return re.compile(alternatives), 0
    charset = "".join(re.escape(c) for c in sorted(first))
    return re.compile(f"[{charset}](?<=(?=({alternatives})).)"), 1


def uncaptured(pattern: str) -> str:
    """``pattern`` with every ``(`` that opens a capturing group turned into ``(?:``."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]" or out[-1] in ("[", "[^")
        elif c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
        elif c == "(" and not pattern.startswith("(?", i):
            c = "(?:"
        out.append(c)
        i += 1
    return "".join(out)
