"""The public page as HTML (R17.1, R37.1): plain HTML and CSS, no JavaScript, readable on a phone.

Every chart is an inline SVG with role="img", a <title> and a <desc> that says its figures in
words, and the same figures are in a table beside it, so a screen reader or a text browser loses
nothing. Everything that comes from data is escaped here, once (`_e`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

from .cases import Case
from .figures import Figures, Rate

_CSS = """
*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;color:#1a1a1a;background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}header{border-bottom:3px solid #b71c1c}
h1{font-size:1.5rem;margin:1rem 0 .25rem}h2{font-size:1.2rem;margin:1.75rem 0 .5rem;border-left:4px solid #b71c1c;padding-left:.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}#rates-table td:first-child{white-space:nowrap}@media (max-width:30rem){th,td{padding:.3rem .2rem;font-size:.9rem}#rates-table th,#rates-table td{font-size:.8rem}}
svg{display:block;width:100%;height:auto;max-width:32rem}nav a{margin-right:1rem}
article{border:1px solid #ddd;border-radius:4px;padding:.5rem 1rem;margin:.75rem 0}article p{white-space:pre-wrap;overflow-wrap:anywhere}
.note{color:#555;font-size:.9rem}footer{margin-top:2rem;border-top:1px solid #ddd;color:#555;font-size:.9rem}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _bars(chart_id: str, title: str, rows: list[tuple[str, float, str]], scale: float, *, stacked: bool = False) -> str:
    """A horizontal bar chart: (label, value, value as text) per row; `scale` is the full bar. Drawn
    400 units wide, so that on a phone (about 360 px) its text stays near its 15 px size. `stacked`:
    each label on a line of its own above its bar (long labels: a matter and a place)."""
    height, top = (48, 4) if stacked else (30, 6)
    x0, full = (0, 320) if stacked else (150, 170)
    total_h = top * 2 + height * max(len(rows), 1)
    desc = "；".join(f"{label}：{shown}" for label, _, shown in rows) or "本期无数据"
    parts = [
        (
            f'<svg viewBox="0 0 400 {total_h}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{_e(title)}</title>'
            f'<desc id="{chart_id}-d">{_e(desc)}</desc>'
        )
    ]
    for i, (label, value, shown) in enumerate(rows):
        y = top + i * height
        bar_y = y + (24 if stacked else 6)
        w = 0 if scale <= 0 else max(0.0, min(1.0, value / scale)) * full
        parts.append(
            f'<text x="0" y="{y + 20}" font-size="15">{_e(label)}</text>'
            f'<rect x="{x0}" y="{bar_y}" width="{w:.1f}" height="18" fill="#b71c1c"/>'
            f'<text x="{x0 + 5 + w:.1f}" y="{bar_y + 14}" font-size="15">{_e(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(caption: str, head: Iterable[str], rows: Iterable[Iterable[object]], numeric: set[int]) -> str:
    th = "".join(f'<th scope="col"{" class=n" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{_e(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return (
        f"<table><caption class=note>{_e(caption)}</caption><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    )


def _change(r: Rate) -> str:
    return "—" if r.change is None else f"{r.change:+.1f}个百分点"


def _rates(rates: tuple[Rate, ...]) -> str:
    rows = [(r.name, r.value or 0.0, _pct(r.value)) for r in rates]
    chart = _bars("rates-chart", "三率（按时办结率、解决率、满意率）", rows, 1.0)
    table = _table(
        "三率明细",
        ("指标", "达标件数", "考核件数", "比率", "较上期"),
        [(r.name, r.numerator, r.denominator, _pct(r.value), _change(r)) for r in rates],
        {1, 2, 3, 4},
    )
    return f'<section id="rates"><h2>三率</h2>{chart}<div id="rates-table">{table}</div></section>'


def render(
    fig: Figures, cases: list[Case], periods: list[tuple[str, str]], *, centre: str, place_name: Callable[[str], str]
) -> str:
    """The page. `periods`: (key, label) of the periods to link to; `place_name(code)` → a name."""
    handling = list(fig.handling)
    top = max((n for _, n in handling), default=0)
    handling_chart = _bars("handling-chart", "受理与办理情况", [(k, n, f"{n}件") for k, n in handling], top)
    hot_rows = [(f"{m}（{p}）", n) for m, p, n in fig.hot]
    hot_top = max((n for _, n in hot_rows), default=0)
    hot_chart = (
        _bars("hot-chart", "热点问题", [(k, n, f"{n}件") for k, n in hot_rows], hot_top, stacked=True)
        if hot_rows
        else ""
    )
    case_html = (
        "".join(
            f'<article class="case"><h3>{_e(c.title)}（{_e(place_name(c.place))}）</h3><p>{_e(c.text)}</p></article>'
            for c in cases
        )
        or '<p class="note">本期暂无公开的典型案例。</p>'
    )
    nav = "".join(f'<a href="/public?period={_e(k)}">{_e(label)}</a>' for k, label in periods)
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in fig.notes)
    title = f"{centre}{fig.period.label}诉求办理情况公开"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{_CSS}</style></head>
<body><header><h1>{_e(title)}</h1><p class="note">统计期间：{_e(fig.period.label)}。本页依《条例》第十七条、第三十七条公开，不含任何个人信息。</p>
<nav aria-label="其他期间">{nav}</nav></header>
<main>
<section id="scope"><h2>受理渠道与受理范围</h2>
{_table("各受理渠道本期受理件数", ("受理渠道", "件数"), fig.channels, {1})}
{_table("受理范围（第六条）及本期件数", ("受理范围", "件数"), fig.scopes, {1})}</section>
<section id="handling"><h2>受理与办理情况</h2>{handling_chart}
{_table("受理与办理件数", ("项目", "件数"), handling, {1})}</section>
{_rates(fig.rates)}{notes}
<section id="hot"><h2>热点问题</h2>{hot_chart}
{_table("同一地区同一事项诉求较多的问题", ("事项", "地区", "件数"), fig.hot, {2}) if fig.hot else '<p class="note">本期无集中反映的问题。</p>'}</section>
<section id="cases"><h2>典型案例</h2>{case_html}</section>
</main><footer><p>数据来源：{_e(centre)}。案例经脱敏并人工审核后公开。</p></footer></body></html>"""
