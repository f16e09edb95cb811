"""Tickets: find (R10.1), read, act (unit and supervisor actions), export — all masked per caller
(R26.1) and audited (R33.1)."""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import JSONResponse, Response
from ulid import ULID

from operator_tui.contract import (
    ActionIn,
    ActionPublic,
    ErrorPublic,
    EventIn,
    IdConflictPublic,
    TicketDetail,
    TicketPublic,
    TicketSearchIn,
)
from operator_tui.domain import permissions
from operator_tui.domain.errors import BrokenInvariant
from operator_tui.domain.model import Role
from operator_tui.domain.validation import normalise_phone
from operator_tui.domain.workflow import TABLE, TRANSITIONS

from .. import ingest
from ..auth import Principal
from ..deps import Anyone, Exporter, Now, RulesDep, StorageDep
from ..privacy import can_see, events_public, must_mask, record_reads, ticket_public
from ..storage import TicketRow
from .events import id_conflict

router = APIRouter(prefix="/v1", tags=["tickets"])

# Every event kind but `register` (which only a seat's push makes) can be asked for as an action;
# the transition table says which roles may ask.
# The members come from the table at import, which mypy cannot follow (it needs them literally).
ActionKind = StrEnum("ActionKind", {t.kind: t.kind for t in TABLE if t.sources is not None})  # type: ignore[misc]
Number = Annotated[str, Path(pattern=r"^[0-9]{1,20}$", description="受理编号")]
NOT_FOUND = "no such ticket"  # also for a ticket the caller may not see: its existence is not told


def _visible(p: Principal, row: TicketRow | None) -> TicketRow:
    if row is None or not can_see(p, row):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return row


@router.post("/tickets/search", response_model=list[TicketPublic])
def search(body: TicketSearchIn, p: Anyone, storage: StorageDep, rules: RulesDep, now: Now) -> list[TicketPublic]:
    """R10.1: find tickets by number or by the caller's phone, newest first."""
    if (body.number is None) == (body.phone is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give either 'number' or 'phone'")
    with storage.read() as tx:
        if body.number is not None:
            rows = [r for r in [tx.ticket_by_number(body.number)] if r is not None]
        else:
            phone = normalise_phone(body.phone or "")
            if phone is None:
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT,
                    "phone: not a PRC phone number (mobile 11 digits, or a landline such as 0412-1234567)",
                )
            rows = tx.tickets_by_phone(phone, body.limit)
            # R26.1: for a unit, a phone search must not reveal who complained about it.
            rows = [r for r in rows if not must_mask(p, r)]
    rows = [r for r in rows if can_see(p, r)]
    record_reads(storage, p, rows, purpose=body.purpose, endpoint="POST /v1/tickets/search", now=now)
    return [ticket_public(p, r, rules, now) for r in rows]


@router.get("/tickets/{number}", response_model=TicketDetail, responses={404: {"model": ErrorPublic}})
def read(
    number: Number,
    p: Anyone,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
    purpose: Annotated[str, Query(min_length=1, max_length=200)] = "查看办理单",
) -> TicketDetail:
    """One ticket with its whole history (R18.2), in plain words (R10.1)."""
    with storage.read() as tx:
        row = _visible(p, tx.ticket_by_number(number))
        events = tx.events_of([row.id])[row.id]
    record_reads(storage, p, [row], purpose=purpose, endpoint="GET /v1/tickets/{number}", now=now)
    return TicketDetail(ticket=ticket_public(p, row, rules, now), events=events_public(p, row, events))


@router.post(
    "/tickets/{number}/actions/{kind}",
    response_model=ActionPublic,
    responses={404: {"model": ErrorPublic}, 409: {"model": IdConflictPublic}, 422: {"model": ErrorPublic}},
)
def act(
    number: Number, kind: ActionKind, body: ActionIn, p: Anyone, storage: StorageDep, rules: RulesDep, now: Now
) -> ActionPublic | JSONResponse:
    """A unit's action (receive 签收, return_to_centre 退单, request_extension 申请延期, respond 反馈)
    or a supervisor's (accept, refuse, dispatch, approve/deny_extension, supervise, escalate …),
    applied through the same workflow as a seat's events. A refusal names the rule.

    Who may is the permissions table, read twice: here by role (403, naming the parties that may),
    and in the workflow by party (a co-unit doing a lead unit's act is a 422 naming R24.2), exactly as
    for a pushed event. Actor, seat and unit are the token's (ingest.authorize)."""
    transition = TRANSITIONS[kind.value]
    if p.role not in permissions.roles(kind.value):
        allowed = ", ".join(sorted(party.value for party in permissions.MAY[kind.value]))
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{kind.value} ({transition.title}) is for: {allowed}")
    with storage.read() as tx:
        row = _visible(p, tx.ticket_by_number(number))
    event = EventIn(
        id=body.id or str(ULID.from_datetime(now)),
        ticket_id=row.id,
        kind=kind.value,
        actor=p.actor,
        role=p.role,
        seat=ingest.seat_of(p),
        at=now,
        payload=dict(body.payload),
    )
    try:
        result = ingest.act(storage, rules, p, event, now)
    except ingest.IdReused as exc:
        return id_conflict(exc)
    if result.status == "rejected":
        body_ = ErrorPublic(detail=result.reason or "rejected", rule=result.rule).model_dump(mode="json")
        return JSONResponse(status_code=422, content=body_)
    with storage.read() as tx:
        after = tx.ticket(row.id)
    if after is None:  # tickets are never deleted, and this one was just read and acted on
        raise BrokenInvariant(f"ticket {number}: gone right after an action")
    record_reads(
        storage, p, [after], purpose=f"办理：{transition.title}", endpoint="POST /v1/tickets/{number}/actions", now=now
    )
    return ActionPublic(result=result, ticket=ticket_public(p, after, rules, now))


def _cell(value: str) -> str:
    """Caller text in a spreadsheet is data: a leading = + - @ would make it a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


EXPORT_COLUMNS = (
    "number",
    "status",
    "appeal_type",
    "matter",
    "place",
    "lead_unit",
    "registered_at",
    "appellant_name",
    "appellant_phone",
    "appellant_address",
    "description",
)


@router.get(
    "/export/tickets",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, masked per caller"}},
)
def export(
    p: Exporter, storage: StorageDep, rules: RulesDep, now: Now, limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000
) -> Response:
    """Tickets as CSV for the caller's scope; masked exactly as the API masks them (R26.1)."""
    with storage.read() as tx:
        rows = tx.all_tickets(unit=p.unit if p.role is Role.UNIT else None, limit=limit)
    rows = [r for r in rows if can_see(p, r)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        t = ticket_public(p, r, rules, now).ticket
        writer.writerow(
            [
                t.number,
                t.status.value,
                t.appeal_type,
                t.matter,
                t.place,
                t.lead_unit or "",
                t.registered_at.isoformat(),
                *map(_cell, (t.appellant.name, t.appellant.phone, t.appellant.address, t.description)),
            ]
        )
    record_reads(storage, p, rows, purpose="导出", endpoint="GET /v1/export/tickets", now=now)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
