"""Caller text is data (Known traps: markup injection, terminal escapes).

Everything a caller said, or that came from another system, reaches the screen through these
helpers: cleaned of control characters and escapes, wrapped in `rich.text.Text` so that `[/]` or
`[@click=app.quit]` stay literal characters.
"""

from __future__ import annotations

import re

from rich.text import Text

from ..domain.text import clean_text as _clean_text

# Code points that join or restyle an emoji: the terminal draws the sequence as one glyph two
# columns wide, Rich counts every part, and the difference is left as debris at the box's border
# (issue 14). Dropped, each emoji stands alone and both agree on its width; the words stay.
_JOINERS = re.compile("[\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff]")


def clean_text(value: str) -> str:
    """`domain.text.clean_text` (escapes, controls, bidi overrides) and the emoji joiners."""
    return _JOINERS.sub("", _clean_text(value))


def caller_text(value: object, style: str = "") -> Text:
    """Literal, cleaned text for a widget or a table cell."""
    return Text(clean_text("" if value is None else str(value)), style=style, end="")


def joined(*parts: tuple[object, str] | object) -> Text:
    """Concatenate literal parts; a part may be (value, style)."""
    out = Text(end="")
    for part in parts:
        value, style = part if isinstance(part, tuple) else (part, "")
        out.append(clean_text("" if value is None else str(value)), style=style)
    return out
