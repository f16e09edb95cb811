"""Seats, people and tokens; the read audit; a sweep on demand. The office (admin) only, except
`/v1/me` (anyone: who am I) and `/v1/sweeps` (supervisors too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from operator_tui.contract import (
    AuditPublic,
    ErrorPublic,
    PrincipalCreate,
    PrincipalListed,
    PrincipalPublic,
    SeatCreate,
    SweepPublic,
    TokenIssued,
)
from operator_tui.domain.model import Role

from .. import auth
from ..auth import Principal
from ..deps import Admin, Anyone, Now, RulesDep, SettingsDep, StorageDep, Supervisor
from ..jobs import sweep

router = APIRouter(prefix="/v1", tags=["admin"])


def principal_public(p: Principal) -> PrincipalPublic:
    # Only the four human roles get here (deps.Anyone; auth.issue makes no other); the model checks it.
    return PrincipalPublic.model_validate(
        dict(id=p.id, name=p.name, role=p.role.value, unit=p.unit, seat=p.seat, staff_no=p.staff_no)
    )


@router.post("/seats", response_model=TokenIssued, status_code=201, responses={409: {"model": ErrorPublic}})
def enrol_seat(body: SeatCreate, _: Admin, storage: StorageDep, now: Now) -> TokenIssued:
    """Enrol a seat: its 3-digit code (part of every ticket number it allocates) and its token,
    shown only in this answer."""
    with storage.write() as tx:  # an EnrolError (Refused) answers 409 by the one handler (server_stub/errors.py)
        principal, token = auth.enrol_seat(tx, body.code, body.name, now)
    return TokenIssued(principal=principal_public(principal), token=token)


@router.post("/principals", response_model=TokenIssued, status_code=201, responses={422: {"model": ErrorPublic}})
def add_principal(body: PrincipalCreate, _: Admin, storage: StorageDep, rules: RulesDep, now: Now) -> TokenIssued:
    """A token for a person or a unit (operator, supervisor, unit, admin), shown only in this answer.
    An operator's token may name an enrolled seat (`seat`) and the person's staff number (工号);
    a new seat is enrolled by POST /v1/seats."""
    try:
        with storage.write() as tx:
            principal, token = auth.issue(
                tx,
                name=body.name,
                role=Role(body.role),
                now=now,
                unit=body.unit,
                seat=body.seat,
                staff_no=body.staff_no,
                known_units=frozenset(rules.taxonomy.units),
            )
    except auth.EnrolError as exc:
        # Not the handler's 409: here it is a field of the body that is wrong (a seat or unit nobody
        # enrolled), and this route has answered 422 for it since wave 1 (tests/server).
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return TokenIssued(principal=principal_public(principal), token=token)


@router.get("/principals", response_model=list[PrincipalListed])
def list_principals(
    _: Admin,
    storage: StorageDep,
    include_revoked: Annotated[bool, Query(description="list revoked tokens too")] = True,
) -> list[PrincipalListed]:
    """Every token: who holds it (role, name, staff number, seat, unit), when it was made and
    whether it is revoked. Never the token or its hash."""
    with storage.read() as tx:
        return [PrincipalListed(**row) for row in tx.principals(include_revoked)]


PrincipalId = Annotated[str, Path(max_length=40, description="the id from GET /v1/principals")]


@router.post(
    "/principals/{principal_id}/revoke",
    response_model=PrincipalListed,
    responses={404: {"model": ErrorPublic}, 409: {"model": ErrorPublic}},
)
def revoke_principal(principal_id: PrincipalId, _: Admin, storage: StorageDep, now: Now) -> PrincipalListed:
    """Revoke a token: from this moment every request with it gets 401."""
    # TokenNotFound answers 404 and EnrolError 409 by the one handler (server_stub/errors.py).
    with storage.write() as tx:
        row = auth.revoke(tx, principal_id, now)
    return PrincipalListed(**row)


@router.get("/me", response_model=PrincipalPublic)
def me(p: Anyone) -> PrincipalPublic:
    return principal_public(p)


@router.get("/audit", response_model=list[AuditPublic])
def audit(
    _: Admin,
    storage: StorageDep,
    ticket_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditPublic]:
    """R33.1: who read which ticket's personal data, when and why (newest first)."""
    return [AuditPublic(**row) for row in storage.audit.rows(ticket_id, limit)]


@router.post("/sweeps", response_model=SweepPublic)
def run_sweep(_: Supervisor, storage: StorageDep, rules: RulesDep, settings: SettingsDep, now: Now) -> SweepPublic:
    """Run the deadline and supervision sweep now (it also runs periodically)."""
    return sweep(storage, rules, settings.sweep, now)
