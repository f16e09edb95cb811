"""The printable document (R31.1, R31.2): one self-contained HTML file, A4, Chinese fonts with
fallbacks, inline CSS with print rules, SVG charts, and no JavaScript (it is forwarded, archived and
printed, and must read the same everywhere). Everything from data is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from html import escape

from operator_tui.domain.errors import BrokenInvariant

from .charts import rate_bars, trend_line
from .documents import Document

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: 'Noto Serif CJK SC', 'Source Han Serif SC', 'SimSun', 'Songti SC', 'WenQuanYi Micro Hei', serif;
       font-size: 11pt; color: #000; max-width: 180mm; margin: 0 auto; line-height: 1.5; }
h1 { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'SimHei', 'WenQuanYi Micro Hei', sans-serif;
     text-align: center; font-size: 18pt; margin: 0.2em 0 0.6em; color: #a00; }
h2 { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'SimHei', 'WenQuanYi Micro Hei', sans-serif;
     font-size: 13pt; border-bottom: 1px solid #888; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0; font-size: 10pt; }
th, td { border: 1px solid #777; padding: 2px 6px; text-align: left; }
th { background: #e8eef5; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.meta { border: 1px solid #000; padding: 6px 10px; margin-bottom: 1em; }
.meta p { margin: 2px 0; }
.chart { width: 100%; height: auto; }
figure { margin: 0.6em 0; break-inside: avoid; }
figcaption { font-size: 9pt; color: #333; text-align: center; }
.none { color: #555; }
@media print {
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  th { background: #e8eef5 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _table(headers: list[str], rows: Sequence[Sequence[object]], numeric: AbstractSet[int] = frozenset()) -> str:
    if not rows:
        return '<p class="none">暂无</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i in numeric else ''}>{escape(str(c))}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _change(now: int, before: int) -> str:
    if before == 0:
        return "上期无" if now else "持平"
    return f"{(now - before) / before * 100:+.1f}%"


def _meta(doc: Document) -> str:
    lines = [("报告时段", doc.period.label), ("生成时间", f"{doc.produced_at:%Y年%m月%d日 %H:%M}")]
    if doc.topic:
        lines = [
            ("主送", "、".join(doc.topic.main_to) or "（本时段无相关单位）"),
            ("抄送", "、".join(doc.topic.copy_to)),
        ] + lines
    else:
        lines = [("报送", doc.recipient)] + lines
    return '<div class="meta">' + "".join(f"<p><b>{escape(k)}：</b>{escape(v)}</p>" for k, v in lines) + "</div>"


def _periodic(doc: Document) -> list[str]:
    rate_rows = [[r.name, r.tickets, _pct(r.on_time), _pct(r.resolution), _pct(r.satisfaction)] for r in doc.rates]
    parts = [
        f"<h2>一、总体情况</h2><p>本期受理诉求 {doc.registered} 件，上期 {doc.previous_registered} 件，"
        f"环比 {escape(_change(doc.registered, doc.previous_registered))}。</p>",
        "<h2>二、三率（按承办单位）</h2>",
        _table(["承办单位", "计入件数", "按时办结率", "解决率", "满意率"], rate_rows, {1, 2, 3, 4}),
    ]
    if doc.rates:
        parts.append(
            "<figure>"
            + rate_bars(
                [(r.name, r.on_time, r.resolution, r.satisfaction) for r in doc.rates[:15]], title="各承办单位三率"
            )
            + "<figcaption>图1 各承办单位三率</figcaption></figure>"
        )
    rank_rows = [
        [
            k.rank,
            k.line.name,
            _pct(k.line.score),
            "—" if k.previous_rank is None else k.previous_rank,
            "—" if k.moved is None else (f"{k.moved:+d}" if k.moved else "持平"),
            "—" if k.score_change is None else f"{k.score_change * 100:+.1f}个百分点",
        ]
        for k in doc.ranking
    ]
    parts += [
        f"<h2>三、排名（共 {doc.units_ranked} 个单位）</h2>",
        _table(["名次", "承办单位", "综合得分", "上期名次", "名次变化", "得分变化"], rank_rows, {0, 2, 3, 4}),
        "<h2>四、热点（事项 × 地点）</h2>",
        _table(
            ["事项", "地点", "本期件数", "上期件数"],
            [[h.matter, h.place, h.count, h.previous] for h in doc.hot_spots],
            {2, 3},
        ),
        "<h2>五、风险预警</h2>",
        _table(
            ["类别", "对象", "说明", "涉及件数"],
            [[r.kind, r.subject, r.detail, r.tickets] for r in doc.risks or ()],
            {3},
        ),
        f"<h2>六、超期未办结（{len(doc.overdue)} 件）</h2>",
        _table(
            ["受理编号", "承办单位", "事项", "办理时限", "超期天数"],
            [[o.number, o.unit, o.matter, f"{o.due:%Y-%m-%d %H:%M}", o.days] for o in doc.overdue],
            {4},
        ),
        "<h2>七、受理量周趋势</h2><figure>"
        + trend_line([(c.label, c.count) for c in doc.trend], title="近几周每周受理量")
        + "<figcaption>图2 每周受理量（周一日期）</figcaption></figure>",
    ]
    return parts


def _topic(doc: Document) -> list[str]:
    t = doc.topic
    if t is None:  # called for topic documents only
        raise BrokenInvariant("html: a topic section for a document without a topic")
    return [
        f"<h2>一、基本情况</h2><p>本期{escape(t.place or '全市')}“{escape(t.matter)}”类诉求 {t.total} 件，"
        f"上期 {t.previous} 件，环比 {escape(_change(t.total, t.previous))}。</p>",
        "<h2>二、时间分布</h2><figure>"
        + trend_line([(c.label, c.count) for c in t.by_week], title=f"“{t.matter}”每周诉求件数")
        + "<figcaption>图1 每周诉求件数（周一日期）</figcaption></figure>",
        "<h2>三、地点分布</h2>",
        _table(["地点", "件数"], [[c.label, c.count] for c in t.places], {1}),
        "<h2>四、涉及单位</h2>",
        _table(["单位", "件数", "未归档", "超期未办"], [list(u) for u in t.units], {1, 2, 3}),
        "<h2>五、典型诉求（已隐去个人信息）</h2>",
        _table(["受理编号", "事项", "地点"], [list(x) for x in t.typical]),
        "<h2>六、建议</h2><p>请主送单位针对上述共性、突出、源头问题研究解决措施，并将办理情况反馈市群众工作服务中心。</p>",
    ]


def render(doc: Document) -> str:
    body = _topic(doc) if doc.topic else _periodic(doc)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(doc.title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{escape(doc.title)}</h1>{_meta(doc)}"
        + "\n".join(body)
        + "</body></html>\n"
    )
