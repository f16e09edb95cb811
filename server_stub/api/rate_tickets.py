"""The rates' drill-down and weekly trend (R35.1), for the seat's 三率考核 screen:

    GET /v1/reports/rates/tickets?period=2026-11&by=unit&key=city_housing
        the tickets one line of the rates counted in the period, each with the rates it counted in
        and whether it met them (按时/超期, 响应, 解决/未解决, 满意/不满意)
    GET /v1/reports/rates/trend?period=2026-11&by=unit&key=city_housing&weeks=12
        the line's rates week by week, the last `weeks` ISO weeks up to the period's end (or today)

Same access as GET /v1/reports/rates: supervisors and admins any line, a unit its own unit's line
only, operators none. The rows carry numbers, codes, statuses and the rate facts: no appellant,
no words of the call (R26.1) — a supervisor who needs the ticket opens it, and that read is audited.

Both read the projection's rate columns (schema _004), the facts `domain/rates.rate_facts` decided
per ticket, so the drill-down adds up to exactly the figures of the rates report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from operator_tui.config import Rules
from operator_tui.contract import ErrorPublic
from operator_tui.domain.model import STATUS_NAMES, Role, Status
from operator_tui.domain.periods import Period, period_or_last_month, week_of
from operator_tui.domain.rates import RATE_NAMES
from operator_tui.rate_rules import load_rate_rules

from ..auth import Principal
from ..deps import Exporter, Now, RulesDep, StorageDep
from ..reports.rates import GROUP_COLUMNS, check_by, check_period

router = APIRouter(prefix="/v1/reports/rates", tags=["reports"])

# The columns of each rate: the day it counts on, and the flags it is met by.
_RATE_COLUMNS: dict[str, tuple[str, str]] = {
    "on_time": ("ontime_on", "ontime_met"),
    "response": ("response_on", "response_met"),
    "resolution": ("rated_on", "resolved"),
    "satisfaction": ("rated_on", "satisfied"),
}


class RateFact(BaseModel):
    day: str = Field(description="the local day the ticket counts on in this rate")
    met: bool


class RateTicketPublic(BaseModel):
    number: str
    matter: str
    matter_name: str
    place: str
    place_name: str
    status: str
    status_name: str
    lead_unit: str | None
    lead_unit_name: str | None
    rates: dict[str, RateFact] = Field(description="the rates this ticket counts in within the period")


class RateTicketsPublic(BaseModel):
    period: str
    label: str
    by: str
    key: str
    rates: list[str]
    rate_names: dict[str, str]
    missed: str | None = Field(description="the rate whose misses alone are listed, if asked")
    total: int = Field(description="how many tickets the line counted (or missed) in all")
    tickets: list[RateTicketPublic]
    more: bool = Field(description="more tickets than `limit`; the list is cut")


class WeekFigure(BaseModel):
    numerator: int
    denominator: int
    value: float | None


class TrendWeek(BaseModel):
    week: str
    start: str
    end: str
    rates: dict[str, WeekFigure]


class RateTrendPublic(BaseModel):
    by: str
    key: str
    rates: list[str]
    weeks: list[TrendWeek]


PeriodQ = Annotated[
    str | None, Query(max_length=40, description="as GET /v1/reports/rates; default: the last complete month")
]
ByQ = Annotated[str, Query(max_length=20, description="unit | district | matter | operator | all")]
KeyQ = Annotated[
    str | None,
    Query(
        max_length=80,
        description="the line: a unit, district or matter code, an "
        "operator's staff number, or 'all'; a unit token: its own unit",
    ),
]


_KEY_NAMES = {"unit": "单位", "district": "区县", "matter": "事项", "operator": "话务员工号"}


def _status_name(value: str) -> str:
    try:
        return STATUS_NAMES[Status(value)]
    except (ValueError, KeyError):
        return value


def _unprocessable(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def _line(p: Principal, rules: Rules, by: str, key: str | None) -> str:
    """The line asked for, checked against who asks (a unit: its own) and the taxonomy."""
    check_by(by)  # a RatesError (BadInput) answers 422 by the one handler (server_stub/errors.py)
    if p.role is Role.UNIT:
        if by != "unit" or not p.unit or key not in (None, p.unit):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, "承办单位只能查看本单位的工单明细（by=unit，key=本单位代码）"
            )
        return p.unit
    if by == "all":
        return "all"
    if not key:
        raise _unprocessable(f"请给出 key：要查看的{_KEY_NAMES[by]}代码")
    tables = {"unit": rules.taxonomy.units, "district": rules.taxonomy.places, "matter": rules.taxonomy.matters}
    if by in tables and key not in tables[by]:
        raise _unprocessable(f"key {key!r}：不是已知的{_KEY_NAMES[by]}代码")
    return key


def _period(text: str | None, rules: Rules, now: datetime) -> Period:
    # A PeriodError or RatesError (BadInput) answers 422 by the one handler (server_stub/errors.py).
    return check_period(period_or_last_month(text, now.astimezone(rules.policy.tz).date()))


def _rates_defined() -> tuple[str, ...]:
    return load_rate_rules().rates  # a PolicyError (Misconfigured) answers 503 by the one handler


def _where(by: str) -> str:
    column = GROUP_COLUMNS[by]
    return f" AND {column} = ?" if column else ""


def _place_name(rules: Rules, code: str) -> str:
    tax = rules.taxonomy
    p = tax.places.get(code)
    if p is None:
        return code
    parent = tax.places.get(p.parent) if p.parent else None
    return f"{parent.name}{p.name}" if parent is not None else p.name


@router.get(
    "/tickets", response_model=RateTicketsPublic, responses={403: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
)
def rate_tickets(
    p: Exporter,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
    period: PeriodQ = None,
    by: ByQ = "unit",
    key: KeyQ = None,
    missed: Annotated[
        str | None,
        Query(
            max_length=20,
            description="only the tickets that counted in this rate and missed it (on_time, resolution, …)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many tickets")] = 300,
) -> RateTicketsPublic:
    """The tickets one line of the rates counted in the period (the drill-down from a line), in
    number order, with how many there are in all; `missed` keeps those that missed one rate."""
    line = _line(p, rules, by, key)
    chosen = _period(period, rules, now)
    rates = _rates_defined()
    if missed is not None and missed not in rates:
        raise _unprocessable(
            f"missed {missed!r}：请写 {' / '.join(rates)}（{'、'.join(RATE_NAMES[r] for r in rates)}）"
        )
    lo, hi = chosen.start.isoformat(), chosen.end.isoformat()
    where = _where(by)
    # One indexed range per rate (each rate has its own partial index), then the rows themselves.
    ranges = (
        [(_RATE_COLUMNS[missed][0], f" AND {_RATE_COLUMNS[missed][1]} = 0")]
        if missed
        else [(day_column, "") for day_column in sorted({_RATE_COLUMNS[r][0] for r in rates})]
    )
    parts, args = [], []
    for day_column, unmet in ranges:
        parts.append(f"SELECT id FROM tickets WHERE {day_column} >= ? AND {day_column} <= ?{unmet}{where}")
        args += [lo, hi] + ([line] if where else [])
    ids = " UNION ".join(parts)
    sql = (
        "SELECT number, matter, place, status, lead_unit, ontime_on, ontime_met, response_on, response_met, "
        f"rated_on, resolved, satisfied FROM tickets WHERE id IN ({ids}) ORDER BY number LIMIT ?"
    )
    with storage.read() as tx:
        rows = list(tx._all(sql, (*args, limit + 1)))
        overflow = None if len(rows) <= limit else tx._one(f"SELECT count(*) FROM ({ids}) AS counted", args)
        total = len(rows) if overflow is None else int(overflow[0])
    tax = rules.taxonomy
    out = []
    for (
        number,
        matter,
        place,
        state,
        lead,
        ontime_on,
        ontime_met,
        response_on,
        response_met,
        rated_on,
        resolved,
        satisfied,
    ) in rows[:limit]:
        facts = {
            "on_time": (ontime_on, ontime_met),
            "response": (response_on, response_met),
            "resolution": (rated_on, resolved),
            "satisfaction": (rated_on, satisfied),
        }
        counted = {
            r: RateFact(day=str(facts[r][0]), met=bool(facts[r][1]))
            for r in rates
            if facts[r][0] is not None and lo <= str(facts[r][0]) <= hi
        }
        m, u = tax.matters.get(matter), tax.units.get(lead) if lead else None
        out.append(
            RateTicketPublic(
                number=number,
                matter=matter,
                matter_name=m.name if m else matter,
                place=place,
                place_name=_place_name(rules, place),
                status=state,
                status_name=_status_name(state),
                lead_unit=lead,
                lead_unit_name=u.name if u else None,
                rates=counted,
            )
        )
    return RateTicketsPublic(
        period=chosen.key,
        label=chosen.label,
        by=by,
        key=line,
        rates=list(rates),
        rate_names={r: RATE_NAMES[r] for r in rates},
        missed=missed,
        total=total,
        tickets=out,
        more=len(rows) > limit,
    )


@router.get(
    "/trend", response_model=RateTrendPublic, responses={403: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
)
def rate_trend(
    p: Exporter,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
    period: PeriodQ = None,
    by: ByQ = "all",
    key: KeyQ = None,
    weeks: Annotated[int, Query(ge=2, le=26, description="how many ISO weeks")] = 12,
) -> RateTrendPublic:
    """A line's rates (or the city's, by=all) week by week: the last `weeks` ISO weeks up to the
    week holding the period's last day, or today's week while the period is still running."""
    line = _line(p, rules, by, key)
    chosen = _period(period, rules, now)
    rates = _rates_defined()
    today = now.astimezone(rules.policy.tz).date()
    last = week_of(min(chosen.end, today))
    first_day = last.start - timedelta(days=7 * (weeks - 1))
    lo, hi = first_day.isoformat(), last.end.isoformat()
    where = _where(by)
    per_week: dict[date, dict[str, list[int]]] = {}
    with storage.read() as tx:
        for r in rates:
            day_column, met_column = _RATE_COLUMNS[r]
            rows = tx._all(
                f"SELECT {day_column}, sum({met_column}), count(*) FROM tickets "
                f"WHERE {day_column} >= ? AND {day_column} <= ?{where} GROUP BY {day_column}",
                (lo, hi, *([line] if where else [])),
            )
            for day_text, met, n in rows:
                start = week_of(date.fromisoformat(str(day_text))).start
                pair = per_week.setdefault(start, {}).setdefault(r, [0, 0])
                pair[0] += int(met or 0)
                pair[1] += int(n)
    out = []
    for i in range(weeks):
        w = week_of(first_day + timedelta(days=7 * i))
        figures = {}
        for r in rates:
            met, n = per_week.get(w.start, {}).get(r, [0, 0])
            figures[r] = WeekFigure(numerator=met, denominator=n, value=met / n if n else None)
        out.append(TrendWeek(week=w.key, start=w.start.isoformat(), end=w.end.isoformat(), rates=figures))
    return RateTrendPublic(by=by, key=line, rates=list(rates), weeks=out)
