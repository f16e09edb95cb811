"""The three rates (R35.1) as the periodic documents lay them out: one line per unit, and a ranking
with the change against the period before.

The figures themselves are `server_stub/reports/rates.py` `compute_rates` (the definitions are the
policy's [rates]); this module only flattens them into the documents' rows, so that the xlsx and
HTML layers never depend on how rates are computed, and ranks units on one composite score (the
mean of their three rates), as the monthly ranking an office forwards does.
"""

from __future__ import annotations

from dataclasses import dataclass

from operator_tui.config import Rules
from operator_tui.domain.periods import Period
from operator_tui.domain.rates import RateFigure

from ..storage import Storage
from .rates import compute_rates


@dataclass(frozen=True)
class RateLine:
    code: str
    name: str
    tickets: int  # tickets counted (the largest population of the unit's rates)
    on_time: float | None  # 按时办结率, 0..1; None when nothing counted
    resolution: float | None  # 解决率
    satisfaction: float | None  # 满意率

    @property
    def score(self) -> float | None:
        """The ranking's figure: the mean of the rates that exist (Beijing 12345 ranks by the three)."""
        known = [r for r in (self.on_time, self.resolution, self.satisfaction) if r is not None]
        return sum(known) / len(known) if known else None


@dataclass(frozen=True)
class RankLine:
    rank: int
    line: RateLine
    previous_rank: int | None
    score_change: float | None  # this period's score minus the previous one's

    @property
    def moved(self) -> int | None:
        """Places gained (positive) or lost since the previous period."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


def unit_rates(storage: Storage, rules: Rules, period: Period) -> list[RateLine]:
    """Every unit's rates over `period` (the RATES part's `compute_rates`), largest population first."""
    report = compute_rates(storage, rules, period, "unit")
    lines = [
        RateLine(ln.key, ln.name, ln.tickets, _value(ln.on_time), _value(ln.resolution), _value(ln.satisfaction))
        for ln in report.lines
    ]
    return sorted(lines, key=lambda r: (-r.tickets, r.code))


def _value(f: RateFigure | None) -> float | None:
    return None if f is None else f.value


def ranking(current: list[RateLine], previous: list[RateLine]) -> list[RankLine]:
    """Units with a score, best first (ties by name), with their rank in the previous period."""

    def ranked(lines: list[RateLine]) -> list[RateLine]:
        return sorted((r for r in lines if r.score is not None), key=lambda r: (-(r.score or 0), r.code))

    before = {r.code: (i + 1, r.score) for i, r in enumerate(ranked(previous))}
    out = []
    for i, line in enumerate(ranked(current)):
        prev = before.get(line.code)
        change = None if prev is None or prev[1] is None or line.score is None else line.score - prev[1]
        out.append(RankLine(i + 1, line, prev[0] if prev else None, change))
    return out
