"""Reporting periods (R35.1 assessment, R31.1 periodic reports, R17.1 published figures).

A period is a run of whole calendar days in Asia/Shanghai, where the centre and its units work: a
"month" is the city's month, not UTC's. People name periods the way the office does ("2026-10",
"2026-W44", a day, a year, or a range "2026-10-01..2026-10-31"); every report compares a period with
the one before it of the same kind (period over period: the previous month, the previous week, or
as many days just before a range).

Pure: `today` is passed in, never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .errors import BadInput

CST = ZoneInfo("Asia/Shanghai")

Kind = Literal["day", "week", "month", "year", "range"]

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|至|~)\s*(\d{4}-\d{1,2}-\d{1,2})$")

# A range longer than this is a typo (a year written as 20260) rather than a report anyone wants.
MAX_DAYS = 3 * 366


class PeriodError(BadInput, ValueError):
    """A period that cannot be read; the message (Chinese) says what to write instead."""


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """How the office writes the period on a report."""
        if self.kind == "day":
            return f"{self.start.year}年{self.start.month}月{self.start.day}日"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周（{self.start:%m月%d日}至{self.end:%m月%d日}）"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    @property
    def key(self) -> str:
        """The period as `parse_period` reads it back (file names, cache keys, URLs)."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "year":
            return f"{self.start.year}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def bounds(self) -> tuple[datetime, datetime]:
        """[first day 00:00, the day after the last 00:00) in Asia/Shanghai, as aware datetimes."""
        return (datetime.combine(self.start, time(), CST), datetime.combine(self.end + timedelta(days=1), time(), CST))

    def contains(self, moment: datetime) -> bool:
        lo, hi = self.bounds()
        return lo <= moment < hi

    def previous(self) -> Period:
        """The period just before, of the same kind (period-over-period change)."""
        if self.kind == "day":
            return day(self.start - timedelta(days=1))
        if self.kind == "week":
            return week_of(self.start - timedelta(days=7))
        if self.kind == "month":
            return month_of(self.start - timedelta(days=1))
        if self.kind == "year":
            return Period("year", date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31))
        return Period("range", self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def day(d: date) -> Period:
    return Period("day", d, d)


def week_of(d: date) -> Period:
    """The ISO week (Monday to Sunday) holding `d`."""
    start = d - timedelta(days=d.weekday())
    return Period("week", start, start + timedelta(days=6))


def month_of(d: date) -> Period:
    start = d.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period("month", start, following - timedelta(days=1))


def last_complete(kind: Literal["day", "week", "month", "year"], today: date) -> Period:
    """The latest period of `kind` that ended before `today` (what a scheduled report covers)."""
    if kind == "day":
        return day(today - timedelta(days=1))
    if kind == "week":
        return week_of(today).previous()
    if kind == "month":
        return month_of(today).previous()
    return Period("year", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))


def period_or_last_month(text: str | None, today: date) -> Period:
    """The period ``text`` names, or the last complete month before ``today`` when none is given
    (what every report takes when asked without a period)."""
    return parse_period(text) if text is not None else last_complete("month", today)


def parse_period(text: str) -> Period:
    """Read a period: "2026-10" (month), "2026-W44" (ISO week), "2026-11-29" (day), "2026" (year),
    or "2026-10-01..2026-10-31" (a range, both days included)."""
    s = (text or "").strip()
    try:
        if m := _RANGE.match(s):
            start, end = date.fromisoformat(_pad(m.group(1))), date.fromisoformat(_pad(m.group(2)))
            if end < start:
                raise PeriodError(f"时段 {s!r}：结束日期早于开始日期，请写成 开始..结束")
            if (end - start).days + 1 > MAX_DAYS:
                raise PeriodError(f"时段 {s!r}：超过 {MAX_DAYS} 天，请分段统计")
            return Period("range", start, end)
        if m := _DAY.match(s):
            return day(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        if m := _WEEK.match(s):
            return week_of(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
        if m := _MONTH.match(s):
            return month_of(date(int(m.group(1)), int(m.group(2)), 1))
        if m := _YEAR.match(s):
            year = int(m.group(1))
            return Period("year", date(year, 1, 1), date(year, 12, 31))
    except PeriodError:
        raise
    except ValueError:
        raise PeriodError(f"时段 {s!r}：日期不存在，请检查年月日或周数") from None
    raise PeriodError(
        f"时段 {s!r} 无法识别；请写 2026-10（月）、2026-W44（周）、2026-11-29（日）、"
        "2026（年）或 2026-10-01..2026-10-31（区间）"
    )


def _pad(s: str) -> str:
    y, m, d = s.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
