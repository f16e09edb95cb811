"""Seats, people and tokens; the read audit; a sweep on demand. The office (admin) only, except
`/v1/me` (anyone: who am I) and `/v1/sweeps` (supervisors too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from operator_tui.contract import (
    AuditPublic, ErrorPublic, PrincipalCreate, PrincipalPublic, SeatCreate, SweepPublic, TokenIssued,
)
from operator_tui.domain.model import Role

from .. import auth
from ..auth import Principal
from ..deps import Admin, Anyone, Now, RulesDep, SettingsDep, StorageDep, Supervisor
from ..jobs import sweep

router = APIRouter(prefix="/v1", tags=["admin"])


def principal_public(p: Principal) -> PrincipalPublic:
    return PrincipalPublic(id=p.id, name=p.name, role=p.role.value, unit=p.unit, seat=p.seat, staff_no=p.staff_no)


@router.post("/seats", response_model=TokenIssued, status_code=201, responses={409: {"model": ErrorPublic}})
def enrol_seat(body: SeatCreate, _: Admin, storage: StorageDep, now: Now) -> TokenIssued:
    """Enrol a seat: its 3-digit code (part of every ticket number it allocates) and its token,
    shown only in this answer."""
    try:
        with storage.write() as tx:
            principal, token = auth.enrol_seat(tx, body.code, body.name, now)
    except auth.EnrolError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return TokenIssued(principal=principal_public(principal), token=token)


@router.post("/principals", response_model=TokenIssued, status_code=201, responses={422: {"model": ErrorPublic}})
def add_principal(body: PrincipalCreate, _: Admin, storage: StorageDep, rules: RulesDep, now: Now) -> TokenIssued:
    """A token for a person or a unit (operator, supervisor, unit, admin), shown only in this answer."""
    if body.seat is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "seat tokens are made by POST /v1/seats")
    try:
        with storage.write() as tx:
            principal, token = auth.issue(tx, name=body.name, role=Role(body.role), now=now, unit=body.unit,
                                          known_units=frozenset(rules.taxonomy.units))
    except auth.EnrolError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return TokenIssued(principal=principal_public(principal), token=token)


@router.get("/me", response_model=PrincipalPublic)
def me(p: Anyone) -> PrincipalPublic:
    return principal_public(p)


@router.get("/audit", response_model=list[AuditPublic])
def audit(_: Admin, storage: StorageDep,
          ticket_id: Annotated[str | None, Query(max_length=40)] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditPublic]:
    """R33.1: who read which ticket's personal data, when and why (newest first)."""
    return [AuditPublic(**row) for row in storage.audit.rows(ticket_id, limit)]


@router.post("/sweeps", response_model=SweepPublic)
def run_sweep(_: Supervisor, storage: StorageDep, rules: RulesDep, settings: SettingsDep, now: Now) -> SweepPublic:
    """Run the deadline and supervision sweep now (it also runs periodically)."""
    return sweep(storage, rules, settings.sweep, now)
