"""The three rates (R35.1) as the periodic documents lay them out: one line per unit, and a ranking
with the change against the period before.

The figures themselves are the RATES part's (`server_stub/reports/rates.py`, `compute_rates`); this
module only adapts them to the documents' rows, so that the xlsx and HTML layers never depend on
how rates are computed. While `rates.py` is absent (it was written in parallel), a small stand-in
computes rough rates from the projection so that the layout can be built and tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from operator_tui.config import Rules
from operator_tui.domain.periods import Period

from ..projection import ticket_of
from ..storage import Storage, _TICKET_COLS, _ticket_row, utc


@dataclass(frozen=True)
class RateLine:
    code: str
    name: str
    tickets: int                 # tickets the unit led in the period (the rates' population)
    on_time: float | None        # 按时办结率, 0..1; None when nothing counted
    resolution: float | None     # 解决率
    satisfaction: float | None   # 满意率

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
    score_change: float | None   # this period's score minus the previous one's

    @property
    def moved(self) -> int | None:
        """Places gained (positive) or lost since the previous period."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


def unit_rates(storage: Storage, rules: Rules, period: Period) -> list[RateLine]:
    """Every unit's rates over `period`, largest population first."""
    try:
        from .rates import compute_rates  # the RATES part's engine, when it is there
    except ImportError:
        lines = _stand_in(storage, rules, period)
    else:
        lines = [_adapt(r, rules) for r in compute_rates(storage, rules, period, "unit")]
    return sorted(lines, key=lambda r: (-r.tickets, r.code))


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


def _adapt(r: Any, rules: Rules) -> RateLine:
    """One of compute_rates' frozen rows as a RateLine (read by attribute name, tolerant of the
    names the RATES part chose: key/code/unit, total/tickets/count, on_time/on_time_rate …)."""
    def pick(*names: str) -> Any:
        for n in names:
            if hasattr(r, n):
                value = getattr(r, n)
                return value() if callable(value) else value
        return None

    def rate(*names: str) -> float | None:
        value = pick(*names)
        if value is not None and hasattr(value, "value"):  # a Rate object with .value
            value = value.value
        return None if value is None else float(value)

    code = str(pick("key", "code", "unit", "group") or "")
    unit = rules.taxonomy.units.get(code)
    return RateLine(code, str(pick("name", "label") or (unit.name if unit else code)),
                    int(pick("tickets", "total", "count", "population") or 0),
                    rate("on_time", "on_time_rate"), rate("resolution", "resolution_rate", "resolved"),
                    rate("satisfaction", "satisfaction_rate", "satisfied"))


def _stand_in(storage: Storage, rules: Rules, period: Period) -> list[RateLine]:
    """Rough rates from the projection (used only until rates.py exists): on time = responded and
    never marked overdue, of those responded; resolved = rated 3 or more on result, satisfied =
    rated 4 or more overall, of those rated."""
    lo, hi = period.bounds()
    with storage.read() as tx:
        rows = [_ticket_row(r) for r in tx._all(
            f"SELECT {_TICKET_COLS} FROM tickets WHERE registered_at >= ? AND registered_at < ? "
            "AND lead_unit IS NOT NULL", (utc(lo), utc(hi)))]
    tally: dict[str, list[int]] = {}
    for row in rows:
        t = ticket_of(row)
        n = tally.setdefault(row.lead_unit or "", [0, 0, 0, 0, 0, 0])
        n[0] += 1
        if t.responded_at is not None:
            n[1] += 1
            n[2] += 0 if row.overdue else 1
        if t.rating is not None:
            n[3] += 1
            n[4] += t.rating.result >= 3
            n[5] += t.rating.overall >= 4
    out = []
    for code, (total, responded, on_time, rated, resolved, satisfied) in tally.items():
        unit = rules.taxonomy.units.get(code)
        out.append(RateLine(code, unit.name if unit else code, total,
                            on_time / responded if responded else None,
                            resolved / rated if rated else None, satisfied / rated if rated else None))
    return out
