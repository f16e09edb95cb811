"""Official PRC working days (工作日): Mon–Fri, minus statutory holidays, plus make-up days (调休上班).

Three sources, most specific first:
1. the editable holiday file (`holidays.toml`): dates it lists win, for any year — corrections and
   years the package lacks;
2. the `chinesecalendar` package for the years it covers (2004–2026 in 1.11);
3. a year in neither: Mon–Fri, and every answer built on it is *provisional* so the screens can say
   so and the limit is recomputed once the State Council's schedule is in the file.

A year that has a section in the holiday file counts as known (not provisional) even where the
package does not cover it.

Trap avoided: `chinese_calendar.get_workdays(..., include_weekends=False)` drops make-up Saturdays;
we ask `is_workday` day by day instead.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from .errors import Misconfigured


class HolidayFileError(Misconfigured, ValueError):
    """The holiday file is malformed; the message names the file, the year and the entry."""


@dataclass(frozen=True)
class YearOverrides:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


def parse_holidays(text: str, source: str) -> dict[int, YearOverrides]:
    """Parse a holiday file: one table per year, with `holidays` and `workdays` date lists."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HolidayFileError(f"{source}: not valid TOML: {exc}") from None
    years: dict[int, YearOverrides] = {}
    for key, table in doc.items():
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4) or not isinstance(table, dict):
            raise HolidayFileError(f"{source}: '{key}': top-level entries must be year tables like [2027]")
        year = int(key)
        lists: dict[str, frozenset[date]] = {}
        for name in ("holidays", "workdays"):
            values = table.get(name, [])
            parsed = set()
            for v in values if isinstance(values, list) else [values]:
                d = v if isinstance(v, date) else _parse_date(v)
                if d is None:
                    raise HolidayFileError(f"{source}: [{year}] {name}: '{v}' is not a date (write YYYY-MM-DD)")
                if d.year != year:
                    raise HolidayFileError(f"{source}: [{year}] {name}: {d.isoformat()} is not in {year}")
                parsed.add(d)
            lists[name] = frozenset(parsed)
        both = lists["holidays"] & lists["workdays"]
        if both:
            raise HolidayFileError(
                f"{source}: [{year}]: {min(both).isoformat()} is listed as both a holiday and a workday"
            )
        extra = set(table) - {"holidays", "workdays"}
        if extra:
            raise HolidayFileError(f"{source}: [{year}]: unknown key(s) {sorted(extra)}; use 'holidays' and 'workdays'")
        years[year] = YearOverrides(lists["holidays"], lists["workdays"])
    return years


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@lru_cache(maxsize=16384)
def _package_workday(d: date) -> bool | None:
    """`chinese_calendar.is_workday`, memoised; None for a year the package does not cover.
    The package checks every date against min/max of its whole table (~50 µs a call), and each
    deadline asks about a dozen days: uncached, this dominated the server's ingest time."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class WorkCalendar:
    overrides: Mapping[int, YearOverrides] = field(default_factory=dict)

    def is_workday(self, d: date) -> tuple[bool, bool]:
        """(is it a working day, is that answer provisional)."""
        year = self.overrides.get(d.year)
        if year is not None:
            if d in year.holidays:
                return False, False
            if d in year.workdays:
                return True, False
        official = _package_workday(d)
        if official is None:
            # chinesecalendar raises for years it has no schedule for (2027 in 1.11).
            return d.weekday() < 5, year is None
        return official, False

    def add_workdays(self, start: date, n: int, skip: Collection[date] = ()) -> tuple[date, bool]:
        """The Nth working day after `start` (the day of `start` not counted), and provisional.
        Days in `skip` (a recusal pause, R27.1) do not count and are not asked about."""
        if n < 0:
            raise ValueError("n must not be negative")
        d, provisional, left = start, False, n
        while left:
            d += timedelta(days=1)
            if d in skip:
                continue
            ok, prov = self.is_workday(d)
            provisional |= prov
            left -= ok
        return d, provisional

    def workdays_between(self, start: date, end: date) -> tuple[int, bool]:
        """How many working days lie in (start, end], and whether any answer was provisional."""
        count, provisional, d = 0, False, start
        while d < end:
            d += timedelta(days=1)
            ok, prov = self.is_workday(d)
            count += ok
            provisional |= prov
        return count, provisional
