"""Caller text made safe to show on a terminal.

A caller's words reach the seat by typing, paste, import and sync, and any of them may carry bytes
that a terminal obeys rather than shows: OSC 52 writes the operator's clipboard, OSC 0 retitles the
window, ``CSI 2J`` clears the screen, C1 controls (``\\x9b`` is an 8-bit CSI) do the same without an
ESC, and bidi overrides make text read differently from how it is stored. Rich and Textual strip
only some of these (see "Known traps" in REQUIREMENTS.md), so text is cleaned where it enters and
again where it is shown. Markup is a separate matter: cleaned text must still be rendered as
``Text``/``Content``, never parsed as markup.
"""

from __future__ import annotations

import re

__all__ = ["clean_text"]

# Whole escape sequences go, parameters included: dropping only the ESC would leave "]52;c;aGk="
# on screen, harmless but confusing. String sequences (OSC, DCS, SOS, PM, APC) run to BEL or ST,
# or to the end of the text when the caller's text was cut off before the terminator.
_ESCAPE_SEQUENCES = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?              # CSI ... final byte
    | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC/DCS/SOS/PM/APC ... BEL or ST
    | \x1b[ -/]*[0-~]?                      # other ESC sequences (charset selection, RIS, ...)
    | \x9b[0-?]*[ -/]*[@-~]?                # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?  # 8-bit DCS/SOS/OSC/PM/APC
    """,
    re.VERBOSE,
)

# C0 except TAB and LF; DEL; C1; bidi embeddings/overrides/isolates and the invisible direction
# marks (LRM, RLM, ALM), which can also reorder what the operator reads.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clean_text(s: str) -> str:
    """``s`` without terminal escape sequences, control characters and bidi controls.

    Newlines and tabs are kept (a description has paragraphs); ``\\r\\n`` becomes ``\\n``. Printable
    text, markup-looking brackets included, is left exactly as it was: escaping markup is the
    renderer's job, and doing it here would corrupt stored words.
    """
    if s.isprintable():  # the common case: nothing to strip, no regex work
        return s
    return _CONTROL_CHARS.sub("", _ESCAPE_SEQUENCES.sub("", s))
