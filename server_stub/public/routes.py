"""`GET /public` (no token: R17.1, R37.1) and the typical-case review API under `/v1/public/cases`
(supervisors and admins; the actor comes from the token).

The page is cached per period and rebuilt only when something it shows may have changed: the key
is the event sequence (every ticket change takes a number from it) and the case counter that every
proposal and decision bumps. Both are read in one query of the meta table, so a cached answer
costs that query and no more, whichever process of a PostgreSQL deployment changed the data.
A decided case shows at once; new events show once the cached copy is `[public] refresh_seconds`
old (by the server's clock), which bounds the rebuilds of a busy centre to one per period per
that many seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from operator_tui.config import Rules
from operator_tui.contract import ErrorPublic
from operator_tui.domain.periods import (
    CST,
    Period,
    PeriodError,
    last_complete,
    parse_period,
)

from ..auth import Principal
from ..deps import Now, RulesDep, StorageDep, Supervisor
from ..storage import Storage, utc
from . import cases as case_flow
from .figures import figures_for, place_name
from .page import render
from .policy import PublicPolicy, load_public

router = APIRouter(tags=["public"])
log = logging.getLogger("hotline.server.public")
CENTRE = "鞍山市8890群众诉求服务中心"
_CACHE_SIZE = 64
T = TypeVar("T")


def _policy(request: Request) -> PublicPolicy:
    policy = getattr(request.app.state, "public_policy", None)
    if policy is None:
        policy = request.app.state.public_policy = load_public()
    return policy


def _version(storage: Storage) -> tuple[str, str]:
    with storage.read_one() as tx:
        values = dict(tx._all("SELECT key, value FROM meta WHERE key IN ('seq', 'public_cases')"))
    return values.get("seq", "0"), values.get("public_cases", "0")


def _period(text: str | None, policy: PublicPolicy, now: datetime) -> Period:
    today = now.astimezone(CST).date()
    if not text:
        return last_complete(policy.period, today)
    try:
        period = parse_period(text.strip())
    except PeriodError as exc:
        # Not the handler's 422: the public page answers a bad query parameter 400 naming it, like
        # its other two refusals below (R17.1; tests/reports/test_public_cases.py).
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"period: {exc}") from None
    if period.start > today:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"period: {period.label}尚未开始，请选择已开始的期间（如 2026-10）"
        )
    if policy.earliest and period.start < parse_period(policy.earliest).start:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"period: 公开数据从{parse_period(policy.earliest).label}起，请选择之后的期间"
        )
    return period


def _links(now_period: Period) -> list[tuple[str, str]]:
    out, p = [], now_period
    for _ in range(6):
        out.append((p.key, p.label))
        p = p.previous()
    return out


def page_html(storage: Storage, rules: Rules, policy: PublicPolicy, period: Period, default: Period) -> str:
    start, end = (utc(b) for b in period.bounds())
    fig = figures_for(storage, rules, period, policy)
    with storage.read() as tx:
        shown = case_flow.published(tx, start, end, policy.cases)
    return render(fig, shown, _links(default), centre=CENTRE, place_name=lambda c: place_name(rules, c))


@router.get(
    "/public",
    response_class=HTMLResponse,
    responses={400: {"model": ErrorPublic}},
    summary="公开页：受理渠道与范围、受理办理情况、三率、热点问题、典型案例（无需令牌）",
)
def public_page(
    request: Request,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
    period: Annotated[str | None, Query(max_length=40, description="2026-10, 2026-W44, 2026 …")] = None,
) -> HTMLResponse:
    policy = _policy(request)
    chosen = _period(period, policy, now)
    default = _period(None, policy, now)
    cache = getattr(request.app.state, "public_cache", None)
    if cache is None:
        cache = request.app.state.public_cache = {}
    version = _version(storage)
    hit = cache.get(chosen.key)
    if hit is None or _stale(hit, version, now, policy):
        html = page_html(storage, rules, policy, chosen, default)
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        # stored under the version read BEFORE rendering: a change meanwhile makes a later request render again
        cache[chosen.key] = hit = (version, now, html.encode("utf-8"))
    return HTMLResponse(hit[2], headers={"Cache-Control": "public, max-age=60"})


def _stale(
    hit: tuple[tuple[str, str], datetime, bytes], version: tuple[str, str], now: datetime, policy: PublicPolicy
) -> bool:
    """A case decided shows at once; new events show once the copy is `refresh_seconds` old, so
    that a centre busy with events every second does not rebuild the page on every request."""
    (seq, cases), made = hit[0], hit[1]
    if cases != version[1]:
        return True
    return bool(seq != version[0] and (now - made).total_seconds() >= policy.refresh_seconds)


# --- the review API -----------------------------------------------------------------------------


class CaseCreate(BaseModel):
    number: str = Field(min_length=1, max_length=40, description="the ticket's number")


class CaseApprove(BaseModel):
    text: str | None = Field(
        default=None,
        max_length=case_flow.MAX_TEXT,
        description="the reviewer's edit of the redacted text (default: as redacted)",
    )


class CaseReject(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class CasePublic(BaseModel):
    id: str
    title: str
    matter: str
    place: str
    status: Literal["proposed", "approved", "rejected"]
    redacted: str
    text: str
    proposed_by: str
    proposed_at: str
    decided_by: str | None
    decided_at: str | None
    reason: str
    edited: bool


def _public(c: case_flow.Case) -> CasePublic:
    return CasePublic(**{k: getattr(c, k) for k in CasePublic.model_fields})


def _run(storage: Storage, work: Callable[[Any], T], *, write: bool) -> T:
    # A CaseError answers with the status it carries, by the one handler (server_stub/errors.py).
    with storage.write() if write else storage.read() as tx:
        return work(tx)


def _audit(storage: Storage, p: Principal, case: case_flow.Case, purpose: str, now: datetime) -> None:
    """Who acted on which ticket's case, and how: ids only, never the words (R33.1)."""
    storage.audit.append(
        [
            {
                "at": utc(now),
                "principal_id": p.id,
                "role": p.role.value,
                "ticket_id": case.ticket_id,
                "number": "",
                "purpose": purpose,
                "endpoint": f"/v1/public/cases/{case.id}",
            }
        ]
    )
    log.info("public case %s %s by principal %s", case.id, purpose, p.id)


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic},
    409: {"model": ErrorPublic},
    422: {"model": ErrorPublic},
}
CaseId = Annotated[str, Path(max_length=40)]


@router.post("/v1/public/cases", response_model=CasePublic, status_code=201, responses=_ERRORS)
def propose_case(body: CaseCreate, p: Supervisor, storage: StorageDep, rules: RulesDep, now: Now) -> CasePublic:
    """R37.1: propose a ticket as a typical case; the answer is its redacted text, for review."""
    case = _run(storage, lambda tx: case_flow.propose(tx, rules, body.number.strip(), p.actor, now), write=True)
    _audit(storage, p, case, "public_case_proposed", now)
    return _public(case)


@router.get("/v1/public/cases", response_model=list[CasePublic])
def list_cases(
    _: Supervisor,
    storage: StorageDep,
    state: Annotated[Literal["proposed", "approved", "rejected"] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CasePublic]:
    """The cases, newest first, each with its redacted text (what the page would show)."""
    return [_public(c) for c in _run(storage, lambda tx: case_flow.listed(tx, state, limit), write=False)]


@router.post("/v1/public/cases/{case_id}/approve", response_model=CasePublic, responses=_ERRORS)
def approve_case(
    case_id: CaseId, p: Supervisor, storage: StorageDep, now: Now, body: CaseApprove | None = None
) -> CasePublic:
    """Publish the case: as redacted, or the reviewer's edit of it (checked again for the
    appellant's own name, phone and address)."""
    text = body.text if body else None
    case = _run(storage, lambda tx: case_flow.approve(tx, case_id, p.actor, now, text), write=True)
    _audit(storage, p, case, "public_case_approved", now)
    return _public(case)


@router.post("/v1/public/cases/{case_id}/reject", response_model=CasePublic, responses=_ERRORS)
def reject_case(case_id: CaseId, body: CaseReject, p: Supervisor, storage: StorageDep, now: Now) -> CasePublic:
    case = _run(storage, lambda tx: case_flow.reject(tx, case_id, p.actor, now, body.reason), write=True)
    _audit(storage, p, case, "public_case_rejected", now)
    return _public(case)
