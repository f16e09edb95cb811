"""Caller text is data: strip what could drive a terminal before it is stored or shown."""

from __future__ import annotations

import re

# ESC-introduced sequences (CSI, OSC … up to BEL/ST), then lone C0 (but \t \n), DEL, C1,
# and bidi controls that reorder what the operator reads.
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[PX^_][^\x1b]*(\x1b\\)?|.)?", re.S)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(s: str) -> str:
    """`s` without terminal escape sequences, control characters and bidi overrides."""
    return _CONTROLS.sub("", _ESCAPES.sub("", s))
