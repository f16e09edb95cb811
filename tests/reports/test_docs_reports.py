"""Periodic reports and topic analyses (R31.1, R31.2, R35.1): the .xlsx an office forwards and the
printable HTML, built from tickets seeded through the server's real push and action API on both
engines, and checked for the figures they must hold and the personal data they must not."""

from __future__ import annotations

import pytest
from docs_seed import HEAT, HOUSING, NOVEMBER, NOW, SECRET, api, seeded  # noqa: F401  (fixtures)
from openpyxl import load_workbook

from server_stub.reports import documents, html
from server_stub.reports.schedule import ReportsPolicy, write_files


@pytest.mark.rule("R35.1")
@pytest.mark.rule("R31.1")
def test_the_monthly_workbook_holds_the_rates_ranking_hot_spots_and_overdue_list(seeded, rules, tmp_path):
    doc = documents.periodic(seeded.api.storage, rules, "monthly", NOVEMBER, NOW)
    book, page = write_files(doc, tmp_path)
    assert book.name == "8890-monthly-2026-11.xlsx" and page.name == "8890-monthly-2026-11.html"
    wb = load_workbook(book)
    assert wb.sheetnames == ["封面", "三率", "排名", "热点", "风险", "超期"]
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert cover["报告时段"] == "2026年11月" and "2026-12-01 01:00" in cover["生成时间"]

    rates = {r[0]: r for r in wb["三率"].iter_rows(min_row=2, values_only=True)}
    heat = rates[rules.taxonomy.units[HEAT].name]
    assert heat[1] == 4  # four heating tickets led in November
    assert heat[4] == pytest.approx(2 / 3)  # two of the three rated ones satisfied
    assert wb["三率"]["E2"].number_format == "0.0%" and wb["三率"].freeze_panes == "A2"
    assert wb["三率"]["A1"].value == "承办单位"

    ranks = list(wb["排名"].iter_rows(min_row=2, values_only=True))
    assert ranks[0][0] == 1 and ranks[0][1] == heat[0]

    hot = list(wb["热点"].iter_rows(min_row=2, values_only=True))
    assert hot[0][2] == 4 and hot[0][3] == 2  # 4 this month against 2 in October, same matter and place
    assert hot[0][0] == rules.taxonomy.matters["heating_temperature"].name

    overdue = list(wb["超期"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in overdue) == sorted(
        seeded.numbers["housing"] + seeded.numbers["oct"] + seeded.numbers["heat"][3:]
    )
    assert all(isinstance(r[4], int) and r[4] >= 1 for r in overdue)
    risks = list(wb["风险"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in risks] == [("类别线索", "社会稳定", 1)]
    assert seeded.numbers["cue"][0] in risks[0][2] and "待处置" in risks[0][2]


@pytest.mark.rule("R31.1")
def test_the_printable_page_has_charts_with_text_alternatives_and_no_personal_data(seeded, rules, tmp_path):
    doc = documents.periodic(seeded.api.storage, rules, "monthly", NOVEMBER, NOW)
    page = html.render(doc)
    assert page.count("<svg") == 2 and page.count("<title id=") == 2 and page.count("<desc id=") == 2
    assert "<script" not in page.lower() and "@media print" in page and "size: A4" in page
    assert "各承办单位三率" in page and "66.7%" in page
    for value in (*SECRET.values(), "情绪激动"):  # nor the caller's own words
        assert value not in page
    book, _ = write_files(doc, tmp_path)
    cells = " ".join(str(c) for ws in load_workbook(book) for row in ws.iter_rows(values_only=True) for c in row)
    for value in SECRET.values():
        assert value not in cells


@pytest.mark.rule("R35.1")
@pytest.mark.rule("R26.1")
def test_a_units_report_holds_no_other_units_line(seeded, rules, tmp_path):
    doc = documents.periodic(seeded.api.storage, rules, "monthly", NOVEMBER, NOW, unit=HOUSING)
    housing = rules.taxonomy.units[HOUSING].name
    heat = rules.taxonomy.units[HEAT].name
    assert [r.code for r in doc.rates] == [HOUSING]
    assert doc.risks == ()  # the cue's evidence is not this unit's to see
    assert {o.number for o in doc.overdue} == set(seeded.numbers["housing"])
    assert all(h.matter != rules.taxonomy.matters["heating_temperature"].name for h in doc.hot_spots)
    book, page = write_files(doc, tmp_path)
    assert book.name == "8890-monthly-2026-11-city_housing.xlsx"
    text = page.read_text(encoding="utf-8")
    cells = " ".join(str(c) for ws in load_workbook(book) for row in ws.iter_rows(values_only=True) for c in row)
    assert housing in text and heat not in text and heat not in cells
    for n in seeded.numbers["heat"] + seeded.numbers["oct"]:
        assert n not in text and n not in cells


@pytest.mark.rule("R31.2")
def test_the_topic_analysis_names_the_units_it_goes_back_to(seeded, rules, tmp_path):
    copy_to = ReportsPolicy().topic_copy_to
    doc = documents.topic(seeded.api.storage, rules, "heating_temperature", "tiedong", NOVEMBER, NOW, copy_to=copy_to)
    heat = rules.taxonomy.units[HEAT].name
    assert doc.topic.main_to == (heat,) and doc.topic.total == 4 and doc.topic.previous == 2
    assert sum(c.count for c in doc.topic.by_week) == 4
    assert doc.topic.units == ((heat, 4, 4, 1),)  # one never received: past its limit at the month's end
    assert {n for n, _, _ in doc.topic.typical} <= set(seeded.numbers["heat"])
    book, page = write_files(doc, tmp_path)
    text = page.read_text(encoding="utf-8")
    assert f"<b>主送：</b>{heat}" in text
    assert "鞍山市人民政府" in text and "鞍山市群众工作委员会" in text
    assert "<svg" in text and "<desc" in text
    for value in SECRET.values():
        assert value not in text
    wb = load_workbook(book)
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert cover["主送"] == heat and "鞍山市人民政府" in cover["抄送"]
    assert [r[0] for r in wb["典型诉求"].iter_rows(min_row=2, values_only=True)] == [n for n, _, _ in doc.topic.typical]


@pytest.mark.rule("R31.2")
def test_a_topic_in_a_place_without_tickets_says_so_rather_than_naming_nobody(seeded, rules):
    doc = documents.topic(
        seeded.api.storage, rules, "heating_temperature", "lishan", NOVEMBER, NOW, copy_to=("市政府",)
    )
    assert doc.topic.total == 0 and doc.topic.main_to == ()
    assert "本时段无相关单位" in html.render(doc)
