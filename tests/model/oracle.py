"""A second, deliberately simple implementation of every time limit (issue 12): the test oracle.

It reads the *events* of a ticket (not the product's Ticket) and walks the calendar one day at a time.
Nothing here is clever on purpose: when the product and this file disagree, one of them is wrong,
and this one is short enough to check by reading it against REQUIREMENTS.md ("How time limits are
counted", R20.2, R20.7, R22.1, R22.2, R23.1, R27.1, R28.1).

The counting rules it states:
- A working-day limit of N starts the day after its event; it ends at the end of the Nth counted day.
- A day is a working day if the holiday data says so, else if the `chinesecalendar` package says so,
  else Mon–Fri (and then the answer is provisional).
- A recusal request at date a decided at date b (still open: today) makes the days a+1 … b not count,
  for every limit (R27.1): working days for working-day limits and extensions, calendar days for
  limits in days or months, the exact time for limits in hours.
- The resolution limit (R22.1) runs from the dispatch to the unit: signing late does not move it.
  A new dispatch starts a new limit and forgets the previous unit's extension (R22.2).
- An approved extension replaces the limit with its date; a rework (R23.1) gets a fresh limit.
- Written channels count the acceptance limit from the submission time (R20.7).
- While a recusal request is open, its own 3-working-day decision limit runs too; the clock shown
  is the one that ends first.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

TZ = ZoneInfo("Asia/Shanghai")
END = time(23, 59, 59)
WRITTEN = {"minxin", "mayor_mailbox", "web_app", "provincial_8890", "linkage_110"}


@dataclass
class Days:
    """Which days are working days: {year: (holidays, workdays)} from the holiday file."""

    years: dict[int, tuple[set[date], set[date]]] = field(default_factory=dict)

    def workday(self, d: date) -> tuple[bool, bool]:
        if d.year in self.years:
            holidays, workdays = self.years[d.year]
            if d in holidays:
                return False, False
            if d in workdays:
                return True, False
        try:
            return chinese_calendar.is_workday(d), False
        except NotImplementedError:
            return d.weekday() < 5, d.year not in self.years


def end_of(d: date) -> datetime:
    return datetime.combine(d, END, TZ)


def plus_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, _cal.monthrange(y, m)[1]))


@dataclass
class Answer:
    name: str
    due: datetime
    provisional: bool
    paused: bool

    def overdue(self, now: datetime) -> bool:
        return now > self.due


@dataclass
class Oracle:
    limits: dict[str, tuple[str, int]]  # name -> (unit, value), from the policy file
    days: Days
    resolution: tuple[str, int] | None = None  # the matter's own limit, if any
    status: str = "none"
    clock_start: datetime | None = None  # start of the limit running now
    clock_limit: str = ""
    ext_due: datetime | None = None  # approved extension of this dispatch
    ext_asked: datetime | None = None
    extended: bool = False  # this dispatch already had one approved
    pauses: list[list] = field(default_factory=list)  # [started_at, ended_at | None]
    # Measurement only (issue 12 asks how many old defects the model finds): each name makes the
    # oracle repeat one old behaviour, so a run can look past the defects already found.
    legacy: frozenset[str] = frozenset()

    # --- the calendar, one day at a time ------------------------------------------------------
    def paused_on(self, d: date, now: datetime) -> bool:
        for a, b in self.pauses:
            last = (b or now).astimezone(TZ).date()
            if a.astimezone(TZ).date() < d <= last:
                return True
        return False

    def walk_workdays(self, start: datetime, n: int, now: datetime, pauses: bool = True) -> tuple[date, bool]:
        d, counted, prov = start.astimezone(TZ).date(), 0, False
        while counted < n:
            d += timedelta(days=1)
            if pauses and self.paused_on(d, now):
                continue
            ok, p = self.days.workday(d)
            prov |= p
            counted += ok
        return d, prov

    def walk_days(self, start: datetime, n: int, now: datetime) -> date:
        d, counted = start.astimezone(TZ).date(), 0
        while counted < n:
            d += timedelta(days=1)
            if not self.paused_on(d, now):
                counted += 1
        return d

    def walk_hours(self, start: datetime, n: int, now: datetime) -> datetime:
        t, left = start, timedelta(hours=n)
        step = timedelta(minutes=1)
        while left > timedelta(0):
            if not any(a <= t < (b or now) for a, b in self.pauses):
                left -= step
            t += step
        return t

    def due_of(self, start: datetime, limit: tuple[str, int], now: datetime) -> tuple[datetime, bool]:
        unit, n = limit
        if unit == "workdays" and "old_pause_shift" in self.legacy:
            paused, prov = 0, False  # the old way: add the paused working days of later pauses
            for a, b in self.pauses:
                d = a.astimezone(TZ).date()
                while a >= start and d < (b or now).astimezone(TZ).date():
                    d += timedelta(days=1)
                    ok, p = self.days.workday(d)
                    paused, prov = paused + ok, prov | p
            d, p = self.walk_workdays(start, n + paused, now, pauses=False)
            return end_of(d), prov | p
        if unit == "workdays":
            d, prov = self.walk_workdays(start, n, now)
            return end_of(d), prov
        if unit != "workdays" and "workday_pauses_only" in self.legacy and self.pauses:
            return self.due_of_unpaused(start, limit)
        if unit == "days":
            return end_of(self.walk_days(start, n, now)), False
        if unit == "months":
            s = start.astimezone(TZ).date()
            return end_of(self.walk_days(start, (plus_months(s, n) - s).days, now)), False
        return self.walk_hours(start, n, now), False

    def due_of_unpaused(self, start: datetime, limit: tuple[str, int]) -> tuple[datetime, bool]:
        saved, self.pauses = self.pauses, []
        try:
            due, _ = self.due_of(start, limit, start)
        finally:
            self.pauses = saved
        prov = False  # the old code still asked the calendar about the paused days
        for a, b in self.pauses:
            d = a.astimezone(TZ).date()
            while a >= start and d < (b or self.now).astimezone(TZ).date():
                d += timedelta(days=1)
                prov |= self.days.workday(d)[1]
        return due, prov

    def extension_due(self, now: datetime) -> tuple[datetime, bool]:
        """The approved date, moved one working day on for each paused working day before it."""
        target, prov, moved = self.ext_due.astimezone(TZ).date(), False, False
        d = self.ext_asked.astimezone(TZ).date()
        while d < target:
            d += timedelta(days=1)
            old = "old_pause_shift" in self.legacy
            if self.paused_on(d, now) and not (old and all(a < self.ext_decided for a, _ in self.pauses)):
                ok, p = self.days.workday(d)
                prov |= p
                if ok:
                    target, p2 = self.walk_workdays(end_of(target), 1, now, pauses=False)
                    prov, moved = prov | p2, True
        # The date as approved, to the second; moved by a pause, to the end of the day it reaches.
        return (end_of(target) if moved else self.ext_due), prov

    # --- the limit running ------------------------------------------------------------------------
    def limit_clock(self, now: datetime) -> Answer | None:
        self.now = now
        if self.clock_start is None:
            return None
        paused = any(b is None for _, b in self.pauses)
        if self.clock_limit == "extension":
            due, prov = self.extension_due(now)
            return Answer("extension", due, prov, paused)
        limit = (
            self.resolution if (self.clock_limit == "resolution" and self.resolution) else self.limits[self.clock_limit]
        )
        due, prov = self.due_of(self.clock_start, limit, now)
        name = "resolution" if self.clock_limit in ("resolution", "rework") else self.clock_limit
        return Answer(name, due, prov, paused)

    def clock(self, now: datetime) -> Answer | None:
        main = self.limit_clock(now)
        open_ = [a for a, b in self.pauses if b is None]
        if not open_ or "no_recusal_clock" in self.legacy:
            return main
        d, prov = self.walk_workdays(open_[-1], self.limits["recusal_decision"][1], now, pauses=False)
        recusal = Answer("recusal_decision", end_of(d), prov, False)
        return recusal if main is None or recusal.due < main.due else main

    # --- events -----------------------------------------------------------------------------------
    def _run(self, name: str, start: datetime | None) -> None:
        self.clock_limit, self.clock_start = name, start

    def apply(self, kind: str, at: datetime, payload: dict) -> bool:
        """Whether the event is accepted; the state after it."""
        s = self.status
        if kind == "register":
            written = payload.get("channel") in WRITTEN and payload.get("submitted_at")
            self.status = "registered"
            self._run("acceptance", datetime.fromisoformat(payload["submitted_at"]) if written else at)
        elif kind == "accept" and s == "registered":
            self.status = "accepted"
            self._run("dispatch", at)
        elif kind == "dispatch" and s in ("accepted", "returned"):
            self.status = "dispatched"
            if "keep_extension" not in self.legacy or not self.extended:
                self.ext_due = self.ext_asked = None
                self.extended = False
                self._run("resolution", at)
            else:
                self._run("extension", self.ext_asked)
            return True
            self._run("resolution", at)
        elif kind == "receive" and s == "dispatched":
            self.status = "in_progress"
            if "receipt_start" in self.legacy and self.clock_limit == "resolution":
                self._run("resolution", at)
        elif kind == "return_to_centre" and s in ("dispatched", "in_progress"):
            self.status = "returned"
            self._run("dispatch", at)
        elif kind == "request_extension" and s == "in_progress":
            current = self.limit_clock(at)
            if self.extended or current.overdue(at):
                return False
            new_due = datetime.fromisoformat(payload["new_due"])
            cap = end_of(plus_months(current.due.astimezone(TZ).date(), self.limits["extension_cap"][1]))
            if not (current.due < new_due <= cap):
                return False
            self.status = "extension_requested"
            self.pending = (at, new_due)
        elif kind == "approve_extension" and s == "extension_requested":
            self.status = "in_progress"
            self.ext_asked, self.ext_due = self.pending
            self.ext_decided = at
            self.extended = True
            self._run("extension", self.ext_asked)
        elif kind == "deny_extension" and s == "extension_requested":
            self.status = "in_progress"
        elif kind == "respond" and s in ("in_progress", "extension_requested"):
            self.status = "responded"
            self._run("", None)
        elif kind == "review_return" and s == "responded":
            self.status = "in_progress"
            self.ext_due = self.ext_asked = None  # an extension before the rework gives way to it
            self._run("rework", at)
        elif kind == "recusal_request" and s not in ("none",) and not any(b is None for _, b in self.pauses):
            self.pauses.append([at, None])
        elif kind == "recusal_decision" and any(b is None for _, b in self.pauses):
            self.pauses[-1][1] = at
        else:
            return False
        return True
