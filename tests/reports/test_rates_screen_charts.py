"""The 三率考核 screen's terminal charts and period stepping (R35.1): pure functions, no app."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from operator_tui.domain.periods import parse_period
from operator_tui.ui.screens.rates import change_text, following
from operator_tui.ui.widgets.rate_chart import bars, column, hbar, trend


@pytest.mark.rule("R35.1")
def test_a_bar_is_drawn_to_an_eighth_of_a_cell():
    assert hbar(1.0, 10) == "█" * 10
    assert hbar(0.5, 10) == "█" * 5
    assert hbar(0.0, 10) == ""
    assert hbar(0.55, 10) == "█" * 5 + "▌"  # 44 eighths: five cells and a half
    assert hbar(1.7, 4) == "█" * 4  # clipped, never wider than the chart


@pytest.mark.rule("R35.1")
def test_a_weeks_column_fills_from_the_bottom():
    assert column(1.0, 4) == ["█"] * 4
    assert column(0.5, 4) == [" ", " ", "█", "█"]
    assert column(0.25 + 1 / 32, 4) == [" ", " ", "▁", "█"]


@pytest.mark.rule("R35.1")
def test_bars_keep_their_columns_with_chinese_names_and_markup_stays_literal():
    text = bars([("市住房和城乡建设局", 0.5), ("[bold]注入[/]", None), ("铁东区", 1.0)], width=40, name_width=12)
    lines = text.plain.splitlines()
    assert {cell_len(line) for line in lines} == {40}  # every line the same width on screen
    assert "[bold]注入" in lines[1] and "无统计" in lines[1] and lines[1].endswith("—")
    assert lines[0].startswith("市住房和城…") and lines[0].endswith("50.0%")


@pytest.mark.rule("R35.1")
def test_the_trend_marks_a_week_without_tickets_apart_from_zero():
    plain = trend([("2026-W44", None, 0), ("2026-W45", 0.0, 3), ("2026-W46", 1.0, 2)], height=4).plain
    assert "W44" in plain and "W46" in plain
    values = plain.splitlines()[5]
    assert values.split() == ["·", "0", "100"]


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize(
    "text, after",
    [
        ("2026-10", "2026-11"),
        ("2026-12", "2027-01"),
        ("2026-W52", "2026-W53"),
        ("2026-W53", "2027-W01"),
        ("2026-11-30", "2026-12-01"),
        ("2026", "2027"),
        ("2026-10-01..2026-10-10", "2026-10-11..2026-10-20"),
    ],
)
def test_the_next_period_is_of_the_same_kind(text, after):
    assert following(parse_period(text)).key == after
    assert following(parse_period(text)).previous() == parse_period(text)


@pytest.mark.rule("R35.1")
def test_change_reads_as_points_with_its_direction():
    assert change_text(-50.0).plain == "↓50.0点"
    assert change_text(3.44).plain == "↑3.4点"
    assert change_text(0.0).plain == "持平"
    assert change_text(None).plain == "—"
