"""The rates (R35.1) over a period: GET /v1/reports/rates?period=2026-10&by=unit.

Supervisors and admins read every line; a unit reads its own line only (its rank among the units
included: the ranking is what the centre publishes, R17.1), and only by unit. Operators have no
access: the figures assess units and staff, operators among them. The period is named as
everywhere (`parse_period`); without one, the last complete month at the server's clock.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from operator_tui.contract import ErrorPublic
from operator_tui.domain.model import Role
from operator_tui.domain.periods import period_or_last_month
from operator_tui.domain.rates import GROUPINGS, RATE_NAMES, RateFigure, RateLine, RateReport
from operator_tui.rate_rules import load_rate_rules

from ..deps import Exporter, Now, RulesDep, StorageDep
from ..reports.rates import check_by, check_period, compute_rates, only_line

router = APIRouter(prefix="/v1/reports/rates", tags=["reports"])


class RateFigurePublic(BaseModel):
    numerator: int = Field(description="tickets that met the rate")
    denominator: int = Field(description="tickets counted")
    value: float | None = Field(description="numerator / denominator, 0–1; null when nothing was counted")
    rank: int | None = Field(description="rank among the lines, 1 = best, ties share a rank")
    change: float | None = Field(description="change from the previous period, percentage points")
    previous: float | None = Field(description="the previous period's value, 0–1")


class RateLinePublic(BaseModel):
    key: str
    name: str
    rates: dict[str, RateFigurePublic]


class RatesPublic(BaseModel):
    period: str
    label: str
    start: str
    end: str
    previous: str
    by: str
    by_name: str
    rates: list[str]
    rate_names: dict[str, str]
    lines: list[RateLinePublic]
    total: RateLinePublic


def _figure(f: RateFigure) -> RateFigurePublic:
    return RateFigurePublic(
        numerator=f.numerator,
        denominator=f.denominator,
        value=f.value,
        rank=f.rank,
        change=f.change,
        previous=f.previous,
    )


def _line(line: RateLine) -> RateLinePublic:
    return RateLinePublic(key=line.key, name=line.name, rates={r: _figure(f) for r, f in line.figures.items()})


def rates_public(report: RateReport) -> RatesPublic:
    p = report.period
    return RatesPublic(
        period=p.key,
        label=p.label,
        start=p.start.isoformat(),
        end=p.end.isoformat(),
        previous=p.previous().key,
        by=report.by,
        by_name=GROUPINGS[report.by],
        rates=list(report.rates),
        rate_names={r: RATE_NAMES[r] for r in report.rates},
        lines=[_line(ln) for ln in report.lines],
        total=_line(report.total),
    )


@router.get("", response_model=RatesPublic, responses={403: {"model": ErrorPublic}, 422: {"model": ErrorPublic}})
def get_rates(
    p: Exporter,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
    period: Annotated[
        str | None,
        Query(
            max_length=40,
            description="2026-10, 2026-W44, 2026-11-29, 2026 or "
            "2026-10-01..2026-10-31; default: the last complete month",
        ),
    ] = None,
    by: Annotated[str, Query(max_length=20, description="unit | district | matter | operator | all")] = "unit",
) -> RatesPublic:
    """按时办结率, 解决率, 满意率 and 响应率 per line of `by`, ranked, with the change from the previous period."""
    # A PeriodError or RatesError (BadInput) answers 422 and a PolicyError (Misconfigured) 503 by
    # the one handler (server_stub/errors.py).
    chosen = check_period(period_or_last_month(period, now.astimezone(rules.policy.tz).date()))
    check_by(by)
    if p.role is Role.UNIT and (by != "unit" or not p.unit):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "承办单位只能查看本单位的指标（by=unit）")
    report = compute_rates(storage, rules, chosen, by, rate_rules=load_rate_rules())
    if p.role is Role.UNIT:
        code = p.unit or ""  # a unit's token always names its unit (auth.issue); none: no line shown
        unit = rules.taxonomy.units.get(code)
        report = only_line(report, code, unit.name if unit else None)
    return rates_public(report)
