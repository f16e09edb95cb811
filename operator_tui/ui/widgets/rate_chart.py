"""Terminal charts for the 三率考核 screen (R35.1), drawn with Unicode block characters.

Why not textual-plotext: a plot widget brings its own axes, colours and a dependency that must
follow the pinned Textual; a rate is a number from 0 to 100 %, and eighth-blocks draw it exactly
enough (1/8 of a cell) in any terminal font that has the box-drawing range, with the figure
written beside it so nobody reads a length. Both charts are `rich.text.Text`: line names are data
(a unit's or an operator's name), never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text

from ..safe import clean_text

# 0/8 … 8/8 of a cell, left to right and bottom to top.
_HORIZONTAL = " ▏▎▍▌▋▊▉█"
_VERTICAL = " ▁▂▃▄▅▆▇█"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _fit(name: str, width: int) -> str:
    """`name` cut or padded to `width` terminal cells (Chinese characters are two)."""
    out, used = "", 0
    for ch in clean_text(name):
        w = cell_len(ch)
        if used + w > width - (1 if used + w < cell_len(name) else 0):
            out += "…"
            used += 1
            break
        out += ch
        used += w
    return out + " " * max(0, width - used)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - cell_len(s))


def _center(s: str, width: int) -> str:
    room = max(0, width - cell_len(s))
    return " " * (room // 2) + s + " " * (room - room // 2)


def hbar(value: float, width: int) -> str:
    """A bar `width` cells long at 100 %, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_HORIZONTAL[part] if part else "")


def bars(
    rows: Sequence[tuple[str, float | None]],
    *,
    width: int = 40,
    title: str = "",
    highlight: int | None = None,
    name_width: int = 14,
) -> Text:
    """One bar per line: its name, the bar (full width = 100 %) and the figure. `highlight` is the
    index of the line the table's cursor is on."""
    text = Text(end="")
    if title:
        text.append(title + "\n", style="bold")
    bar_width = max(4, width - name_width - 8)
    for i, (name, value) in enumerate(rows):
        style = "bold reverse" if i == highlight else ""
        text.append(_fit(name, name_width), style=style)
        text.append(" ")
        if value is None:
            text.append(_pad("无统计", bar_width), style="dim")
        else:
            colour = "green" if value >= 0.9 else "yellow" if value >= 0.7 else "red"
            text.append(hbar(value, bar_width).ljust(bar_width), style=colour)
        text.append(f" {percent(value):>6}\n", style=style)
    if not rows:
        text.append("本时段无统计数据\n", style="dim")
    return text


def column(value: float, height: int) -> list[str]:
    """One week's column, top cell first: `height` cells tall at 100 %, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, value)) * height * 8)
    cells = []
    for row in range(height - 1, -1, -1):  # top row first
        filled = eighths - row * 8
        cells.append("█" if filled >= 8 else _VERTICAL[filled] if filled > 0 else " ")
    return cells


def trend(
    points: Sequence[tuple[str, float | None, int]], *, height: int = 6, title: str = "", col_width: int = 5
) -> Text:
    """Week by week: a column per week (its height the rate), the value above the axis, the week
    below and how many tickets were counted; a week that counted nothing shows a dot, not zero."""
    text = Text(end="")
    if title:
        text.append(title + "\n", style="bold")
    columns = [column(v, height) if v is not None else [" "] * height for _, v, _ in points]
    for row in range(height):
        axis = "100%" if row == 0 else " 50%" if row == height // 2 else "    "
        text.append(f"{axis}┤", style="dim")
        for (_, value, _), cells in zip(points, columns):
            colour = "cyan" if value is not None else "dim"
            text.append(
                " " * col_width if cells[row] == " " else " " + cells[row] * (col_width - 2) + " ", style=colour
            )
        text.append("\n")
    text.append("  0%└" + "─" * (col_width * len(points)) + "\n", style="dim")
    text.append("     ")
    for _, value, _ in points:
        text.append(
            _center("·" if value is None else f"{value * 100:.0f}", col_width),
            style="bold" if value is not None else "dim",
        )
    text.append("\n     ")
    for week, _, _ in points:
        text.append(_center(week.split("-")[-1], col_width), style="dim")
    text.append("\n     ")
    for _, _, n in points:
        text.append(_center(str(n), col_width), style="dim")
    text.append("\n" + " " * 5 + "上行：该周比率(%)  中行：周次  下行：计入件数\n", style="dim")
    return text
