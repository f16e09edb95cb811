"""Caller text is data (Known traps: markup injection, terminal escapes).

Everything a caller said, or that came from another system, reaches the screen through these
helpers: cleaned of control characters and escapes, wrapped in `rich.text.Text` so that `[/]` or
`[@click=app.quit]` stay literal characters.
"""

from __future__ import annotations

from rich.text import Text

from ..domain.text import clean_text


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
