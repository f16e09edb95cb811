"""SVG charts for the printable reports: static markup, no script, each with a `<title>` and a `<desc>`
that say in words what the picture shows (a screen reader, or a forwarded copy printed in black and
white, loses nothing). Every text that goes in is escaped: unit and place names come from data files
a site edits.

Sizes are in user units on a viewBox, so the chart scales to the A4 column it is printed in.
"""

from __future__ import annotations

from html import escape
from itertools import count

# Three series that stay apart in greyscale print as well as in colour.
SERIES = (("按时办结率", "#1f4e79"), ("解决率", "#5b9bd5"), ("满意率", "#c55a11"))
FONT = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','SimHei','WenQuanYi Micro Hei',sans-serif\""
_ids = count(1)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def rate_bars(rows: list[tuple[str, float | None, float | None, float | None]], *, title: str) -> str:
    """Horizontal grouped bars: one group per unit (name, on-time, resolution, satisfaction), 0–100 %."""
    n = next(_ids)
    label_w, bar_w, bar_h, gap = 230, 430, 9, 10
    group_h = bar_h * 3 + gap
    height = 40 + max(1, len(rows)) * group_h + 30
    desc = (
        "；".join(f"{name}：" + "，".join(f"{s[0]}{_pct(v)}" for s, v in zip(SERIES, vals)) for name, *vals in rows)
        or "本时段无数据"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {label_w + bar_w + 60} {height}" '
        f'aria-labelledby="t{n} d{n}" class="chart" {FONT} font-size="11">',
        f'<title id="t{n}">{escape(title)}</title>',
        f'<desc id="d{n}">{escape(desc)}</desc>',
    ]
    for i, (name, colour) in enumerate(SERIES):  # legend
        x = label_w + i * 120
        out.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="17">{escape(name)}</text>'
        )
    for pct in (0, 50, 100):  # grid
        gx = label_w + bar_w * pct / 100
        out.append(
            f'<line x1="{gx:.1f}" y1="30" x2="{gx:.1f}" y2="{height - 25}" stroke="#bbb" stroke-width="0.5"/>'
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{pct}%</text>'
        )
    for g, (name, *vals) in enumerate(rows):
        y0 = 34 + g * group_h
        out.append(f'<text x="{label_w - 6}" y="{y0 + bar_h * 2}" text-anchor="end">{escape(name)}</text>')
        for i, v in enumerate(vals):
            w = 0 if v is None else bar_w * max(0.0, min(1.0, v))
            y = y0 + i * bar_h
            out.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 1}" fill="{SERIES[i][1]}"/>'
                f'<text x="{label_w + w + 3:.1f}" y="{y + bar_h - 1}" font-size="8">{_pct(v)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


def trend_line(points: list[tuple[str, int]], *, title: str, unit: str = "件") -> str:
    """A line of counts per week (label, count), with each point's value written beside it."""
    n = next(_ids)
    left, width, top, height = 40, 600, 20, 160
    top_value = max([c for _, c in points] + [1])
    step = width / max(1, len(points) - 1)
    desc = "，".join(f"{label}当周{c}{unit}" for label, c in points) or "本时段无数据"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {left + width + 30} {top + height + 40}" '
        f'aria-labelledby="t{n} d{n}" class="chart" {FONT} font-size="11">',
        f'<title id="t{n}">{escape(title)}</title>',
        f'<desc id="d{n}">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="#555"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{top_value}</text>',
        f'<text x="{left - 4}" y="{top + height}" text-anchor="end">0</text>',
    ]
    xy = [
        (left + i * step if len(points) > 1 else left + width / 2, top + height - height * c / top_value)
        for i, (_, c) in enumerate(points)
    ]
    if xy:
        out.append(
            '<polyline fill="none" stroke="#1f4e79" stroke-width="2" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            + '"/>'
        )
    for (label, c), (x, y) in zip(points, xy):
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f4e79"/>'
            f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle">{c}</text>'
            f'<text x="{x:.1f}" y="{top + height + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
