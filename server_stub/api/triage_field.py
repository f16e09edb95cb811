"""Triage in the field (R20.3): GET /v1/reports/triage?period=2026-11.

How the emergency banner does on the centre's own tickets: per referral target the tickets it
confirmed (确认), missed (漏报), those declared false alarms (误报) and those left unanswered (未处置),
with the field recall (现场召回率), and what the second opinion's veto costs: the tickets now showing
the grey hint, and the referrals the veto withdrew that the operator made anyway (否决后转介, counted
among 漏报 too). Supervisors and admins only: it assesses the seat's tool and,
through it, the operators. The answer holds counts and ticket numbers, never a description, name,
phone or address (R26.1, R33.1); the words are exported only by `hotline report triage --export`
on the server itself, for a person to review.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from operator_tui.contract import ErrorPublic
from operator_tui.domain.periods import Period, PeriodError, period_or_last_month
from operator_tui.domain.triage import TARGET_NAMES
from operator_tui.domain.triage_field import CATEGORIES, FieldReport, TargetFigures
from operator_tui.triage_rules import load_triage_rules

from ..deps import Now, RulesDep, StorageDep, Supervisor
from ..reports.triage_field import field_report

router = APIRouter(prefix="/v1/reports/triage", tags=["reports"])


class TargetFieldPublic(BaseModel):
    target: str
    name: str
    confirmed: int = Field(description="确认: the banner called for it and the operator referred it")
    missed: int = Field(description="漏报: the operator referred it, the banner did not call for it")
    false_alarm: int = Field(description="误报: the operator recorded it as a false alarm")
    unanswered: int = Field(description="未处置: the banner called for it, nothing was recorded")
    recall: float | None = Field(description="现场召回率 = confirmed / (confirmed + missed); null when none referred")
    numbers: dict[str, list[str]] = Field(description="ticket numbers per category")
    overruled_referred: int = Field(
        description="否决后转介: of missed, those the rules called for and the second opinion overruled "
        "(the seat showed a grey hint), referred by the operator anyway"
    )
    overruled_referred_numbers: list[str] = Field(description="ticket numbers of overruled_referred")


class TriageFieldPublic(BaseModel):
    period: str
    label: str
    start: str
    end: str
    rules: str = Field(description="the rules the banner was run with")
    categories: dict[str, str] = Field(description="category key → its Chinese name")
    tickets: int = Field(description="tickets registered in the period")
    banner_tickets: int = Field(description="tickets the banner raises on")
    referred_tickets: int = Field(description="tickets with at least one referral made")
    doubtful_tickets: int = Field(description="of banner_tickets, those with a false alarm or an unanswered target")
    doubtful_share: float | None = Field(description="doubtful_tickets / banner_tickets")
    hinted_tickets: int = Field(
        description="灰色提示: tickets where the second opinion overruled the rules and the banner shows "
        "their words as a grey hint instead of an alarm"
    )
    targets: list[TargetFieldPublic]
    total: TargetFieldPublic


def _line(target: str, name: str, f: TargetFigures) -> TargetFieldPublic:
    return TargetFieldPublic(
        target=target,
        name=name,
        confirmed=f.count("confirmed"),
        missed=f.count("missed"),
        false_alarm=f.count("false_alarm"),
        unanswered=f.count("unanswered"),
        recall=f.recall,
        numbers={c: list(v) for c, v in f.numbers.items()},
        overruled_referred=len(f.overruled_referred),
        overruled_referred_numbers=list(f.overruled_referred),
    )


def triage_field_public(period: Period, report: FieldReport, rules_source: str) -> TriageFieldPublic:
    return TriageFieldPublic(
        period=period.key,
        label=period.label,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        rules=rules_source,
        categories=dict(CATEGORIES),
        tickets=report.tickets,
        banner_tickets=report.banner_tickets,
        referred_tickets=report.referred_tickets,
        doubtful_tickets=report.doubtful_tickets,
        doubtful_share=report.doubtful_share,
        hinted_tickets=report.hinted_tickets,
        targets=[_line(t, TARGET_NAMES[t], f) for t, f in report.targets.items()],
        total=_line("all", "合计", report.total),
    )


MAX_DAYS = 92  # a quarter at most over HTTP


@router.get("", response_model=TriageFieldPublic, responses={403: {"model": ErrorPublic}, 422: {"model": ErrorPublic}})
def get_triage_field(
    _: Supervisor,
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
) -> TriageFieldPublic:
    """The banner's field figures over the tickets registered in `period`."""
    # A PeriodError (BadInput) answers 422 with the fix by the one handler (server_stub/errors.py).
    chosen = period_or_last_month(period, now.astimezone(rules.policy.tz).date())
    if chosen.days > MAX_DAYS:
        # Every ticket's description is judged again (~0.3 ms each): a city's year would hold this
        # request, and a server worker, for minutes. The CLI on the server has no such limit.
        raise PeriodError(
            f"时段 {chosen.key} 共 {chosen.days} 天，超过接口上限 {MAX_DAYS} 天；"
            "请分季度查询，或在服务器上用 hotline report triage --period 统计"
        )
    triage_rules = load_triage_rules()  # the packaged rules, parsed once per process
    report, _withheld = field_report(storage, chosen, triage_rules)  # nothing is exported here
    return triage_field_public(chosen, report, triage_rules.source)
