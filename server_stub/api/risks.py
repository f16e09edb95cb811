"""Risk warnings (R31.1): the list supervisors watch, and their decision on each warning.

Supervisors and admins only: a warning names matters, places and units with their ticket numbers,
which is the centre's own assessment, not a unit's business. The decision's actor, role and time
come from the token and the server's clock, never from the body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from operator_tui.contract import ErrorPublic
from operator_tui.domain.risks import RiskPolicy
from operator_tui.risk_rules import load_risk_policy

from ..deps import Now, RulesDep, StorageDep, Supervisor
from ..reports import risks

router = APIRouter(prefix="/v1/reports/risks", tags=["reports"])
WarningId = Annotated[
    str, Path(pattern=r"^(surge|cue)-[0-9]{8}-[0-9a-f]{8}$", description="a warning's id as listed (kind-day-digest)")
]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(max_length=20, description="acknowledge (确认) or dismiss (排除)")
    reason: str = Field("", max_length=2000, description="why; required")


class RisksPublic(BaseModel):
    at: datetime
    day: str
    open: int = Field(description="current warnings nobody has decided yet")
    warnings: list[dict[str, Any]]


def _policy(request: Request) -> RiskPolicy:
    # Read once per app: the packaged policy or HOTLINE_POLICY, as every other policy key.
    policy = getattr(request.app.state, "risk_policy", None)
    if policy is None:  # a RiskPolicyError (Misconfigured) answers 503 by the one handler (server_stub/errors.py)
        policy = request.app.state.risk_policy = load_risk_policy()
    return policy


@router.get("", response_model=RisksPublic, responses={403: {"model": ErrorPublic}})
def list_risks(
    request: Request,
    _: Supervisor,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
    at: Annotated[datetime | None, Query(description="assess as at this instant (ISO 8601 with zone)")] = None,
) -> RisksPublic:
    """The current warnings (surges, then class cues) with their decisions, then the decided ones
    of the last days that are no longer current."""
    when = now if at is None else at
    if when.tzinfo is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "at: give a time zone, e.g. 2026-11-30T10:00:00+08:00"
        )
    if not 2000 <= when.year <= 2100:  # the baseline reaches weeks back: year 1 would overflow
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "at: give a time between the years 2000 and 2100")
    tz = rules.policy.tz
    listed = risks.listing(storage, _policy(request), when, tz)
    return RisksPublic(
        at=when,
        day=when.astimezone(tz).date().isoformat(),
        open=sum(1 for x in listed if x.current and x.decision is None),
        warnings=[x.to_json_dict() for x in listed],
    )


@router.post(
    "/{warning_id}/decision",
    responses={
        403: {"model": ErrorPublic},
        404: {"model": ErrorPublic},
        409: {"model": ErrorPublic},
        422: {"model": ErrorPublic},
    },
)
def decide(
    request: Request,
    warning_id: WarningId,
    body: DecisionIn,
    p: Supervisor,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
) -> dict[str, Any]:
    """Acknowledge (确认) or dismiss (排除) a current warning, with a reason; once per warning."""
    # A DecisionError answers with the status it carries, by the one handler (server_stub/errors.py).
    return risks.decide(
        storage,
        _policy(request),
        rules.policy.tz,
        warning_id=warning_id,
        decision=body.decision,
        reason=body.reason,
        actor=p.actor,
        role=p.role.value,
        principal_id=p.id,
        now=now,
    )
