"""Reporting periods (R35.1, R31.1): what the office writes, read back, and the period before."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from operator_tui.domain.periods import PeriodError, last_complete, parse_period, period_or_last_month

CST = ZoneInfo("Asia/Shanghai")


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize(
    "text,start,end,kind",
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "month"),
        ("2026-2", date(2026, 2, 1), date(2026, 2, 28), "month"),
        ("2026-W44", date(2026, 10, 26), date(2026, 11, 1), "week"),
        ("2026-11-29", date(2026, 11, 29), date(2026, 11, 29), "day"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
        ("2026-10-05..2026-10-11", date(2026, 10, 5), date(2026, 10, 11), "range"),
        ("2026-10-05至2026-10-11", date(2026, 10, 5), date(2026, 10, 11), "range"),
    ],
)
def test_parse_and_key_round_trip(text, start, end, kind):
    p = parse_period(text)
    assert (p.kind, p.start, p.end) == (kind, start, end)
    assert parse_period(p.key) == p


@pytest.mark.rule("R35.1")
def test_previous_is_the_same_kind_just_before():
    assert parse_period("2026-03").previous() == parse_period("2026-02")
    assert parse_period("2026-01").previous() == parse_period("2025-12")
    assert parse_period("2026-W01").previous().key == "2025-W52"
    assert parse_period("2026-10-05..2026-10-11").previous() == parse_period("2026-09-28..2026-10-04")


def test_bounds_are_the_city_days_not_utc():
    lo, hi = parse_period("2026-10").bounds()
    assert lo == datetime(2026, 10, 1, tzinfo=CST) and hi == datetime(2026, 11, 1, tzinfo=CST)
    # 2026-09-30 16:30 UTC is already 1 October in Anshan
    assert parse_period("2026-10").contains(datetime.fromisoformat("2026-09-30T16:30:00+00:00"))
    assert not parse_period("2026-10").contains(datetime.fromisoformat("2026-10-31T16:00:00+00:00"))


def test_last_complete_period_before_today():
    today = date(2026, 11, 30)  # a Monday
    assert last_complete("day", today).key == "2026-11-29"
    assert last_complete("week", today).key == "2026-W48"
    assert last_complete("month", today).key == "2026-10"
    assert last_complete("year", today).key == "2025"


@pytest.mark.parametrize(
    "text,hint",
    [
        ("2026-13", "日期不存在"),
        ("2026-W60", "日期不存在"),
        ("十月", "无法识别"),
        ("", "无法识别"),
        ("2026-10-11..2026-10-01", "结束日期早于"),
        ("2020-01-01..2026-01-01", "分段"),
    ],
)
def test_bad_periods_say_what_to_write(text, hint):
    with pytest.raises(PeriodError, match=hint):
        parse_period(text)


@pytest.mark.rule("R35.1")
def test_a_report_asked_without_a_period_covers_the_last_complete_month():
    today = date(2026, 11, 30)
    assert period_or_last_month(None, today) == parse_period("2026-10")
    assert period_or_last_month("2026-W44", today) == parse_period("2026-W44")
    with pytest.raises(PeriodError):
        period_or_last_month("十一月", today)
