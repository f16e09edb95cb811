"""The report as an .xlsx laid out the way an office forwards it (R31.1, R31.2, R35.1): a cover sheet
(title, period, recipient, when it was made), then one sheet per subject with Chinese headers, set
column widths, the header row frozen, and rates stored as numbers formatted as percentages (so the
receiving office can sort and sum them rather than retype them).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from operator_tui.domain.errors import BrokenInvariant

from .documents import Document

PERCENT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
NONE = "暂无"


def _sheet(
    wb: Workbook,
    title: str,
    headers: list[str],
    widths: list[int],
    rows: list[list[Any]],
    percent: AbstractSet[int] = frozenset(),
) -> Worksheet:
    ws: Worksheet = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"  # the header stays in view however long the list
    if not rows:
        ws.append([NONE])
    for r in rows:
        ws.append(r)
        for i in percent:
            ws.cell(row=ws.max_row, column=i + 1).number_format = PERCENT
    return ws


def _cover(wb: Workbook, doc: Document) -> None:
    ws = wb.active
    if not isinstance(ws, Worksheet):
        raise BrokenInvariant("xlsx: a new workbook's first sheet is a worksheet")
    ws.title = "封面"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 70
    ws["A1"] = doc.title
    ws["A1"].font = Font(bold=True, size=16)
    ws.merge_cells("A1:B1")
    rows: list[tuple[str, str]] = [("报告时段", doc.period.label)]
    if doc.topic:
        rows += [
            ("主送", "、".join(doc.topic.main_to) or "（本时段无相关单位）"),
            ("抄送", "、".join(doc.topic.copy_to)),
        ]
    else:
        rows.append(("报送", doc.recipient))
    rows += [
        ("生成时间", f"{doc.produced_at:%Y-%m-%d %H:%M}（北京时间）"),
        ("说明", "本表不含诉求人姓名、电话、住址等个人信息。"),
    ]
    for i, (k, v) in enumerate(rows, start=3):
        ws.cell(row=i, column=1, value=k).font = Font(bold=True)
        ws.cell(row=i, column=2, value=v).alignment = Alignment(wrap_text=True)


def _periodic(wb: Workbook, doc: Document) -> None:
    _sheet(
        wb,
        "三率",
        ["承办单位", "计入件数", "按时办结率", "解决率", "满意率"],
        [34, 10, 12, 10, 10],
        [[r.name, r.tickets, r.on_time, r.resolution, r.satisfaction] for r in doc.rates],
        {2, 3, 4},
    )
    _sheet(
        wb,
        "排名",
        ["名次", "承办单位", "综合得分", "上期名次", "名次变化", "得分变化"],
        [8, 34, 10, 10, 10, 10],
        [[k.rank, k.line.name, k.line.score, k.previous_rank, k.moved, k.score_change] for k in doc.ranking],
        {2, 5},
    )
    _sheet(
        wb,
        "热点",
        ["事项", "地点", "本期件数", "上期件数"],
        [28, 30, 10, 10],
        [[h.matter, h.place, h.count, h.previous] for h in doc.hot_spots],
    )
    _sheet(
        wb,
        "风险",
        ["类别", "对象", "说明", "涉及件数"],
        [14, 30, 50, 10],
        [[r.kind, r.subject, r.detail, r.tickets] for r in doc.risks or ()],
    )
    ws = _sheet(
        wb,
        "超期",
        ["受理编号", "承办单位", "事项", "办理时限", "超期天数"],
        [18, 34, 28, 18, 10],
        [[o.number, o.unit, o.matter, o.due.replace(tzinfo=None), o.days] for o in doc.overdue],
    )
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "yyyy-mm-dd hh:mm"


def _topic(wb: Workbook, doc: Document) -> None:
    t = doc.topic
    if t is None:  # called for topic documents only
        raise BrokenInvariant("xlsx: a topic sheet for a document without a topic")
    _sheet(wb, "时间分布", ["周（周一）", "件数"], [14, 10], [[c.label, c.count] for c in t.by_week])
    _sheet(wb, "地点分布", ["地点", "件数"], [34, 10], [[c.label, c.count] for c in t.places])
    _sheet(wb, "涉及单位", ["单位", "件数", "未归档", "超期未办"], [34, 10, 10, 10], [list(u) for u in t.units])
    _sheet(wb, "典型诉求", ["受理编号", "事项", "地点"], [18, 28, 34], [list(x) for x in t.typical])


def write(doc: Document, path: Path) -> Path:
    wb = Workbook()
    _cover(wb, doc)
    (_topic if doc.topic else _periodic)(wb, doc)
    wb.save(path)
    return path
