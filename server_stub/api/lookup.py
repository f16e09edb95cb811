"""The centre-wide lookup (issue 11): the caller's history for the screen pop (R13.1), F4 find by
number, phone, name or address fragment and date range (R10.1), the open tickets a 催办 can link to.

A ticket recorded at any seat is found at every seat. What each caller of the API gets is masked
exactly as the ticket search and read mask it (`privacy`): a unit finds only the tickets it holds,
never a complaint about itself by the complainant's phone, name or address (R26.1), and never the
credit file. Every answer that carries personal data is recorded in the read audit (R33.1); the
criteria travel in the body, never in a URL that an access log keeps.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status

from operator_tui.config import Rules
from operator_tui.contract import ErrorPublic
from operator_tui.domain.model import Role
from operator_tui.domain.states import STATUS_NAMES, Status
from operator_tui.domain.validation import normalise_phone
from operator_tui.lookup_wire import LookupIn, LookupPublic, TicketSummary

from ..auth import Principal
from ..deps import Anyone, Now, RulesDep, StorageDep
from ..privacy import WITHHELD, can_see, must_mask, record_reads, ticket_public
from ..storage import TicketRow, utc

router = APIRouter(prefix="/v1", tags=["tickets"])


def summary(p: Principal, row: TicketRow, rules: Rules, now: datetime, detail: bool) -> TicketSummary:
    """One row as `p` may see it; the same masking as `privacy.ticket_public`, from the columns."""
    masked = must_mask(p, row)
    return TicketSummary(
        id=row.id,
        number=row.number,
        seat=row.seat,
        status=Status(row.status),
        status_name=STATUS_NAMES[Status(row.status)],
        appeal_type=row.appeal_type,
        matter=row.matter,
        place=row.place,
        lead_unit=row.lead_unit,
        units=list(row.units),
        closed=row.closed,
        registered_at=datetime.fromisoformat(row.registered_at),
        updated_at=datetime.fromisoformat(row.updated_at),
        clock=row.clock,
        due_at=datetime.fromisoformat(row.due_at) if row.due_at else None,
        name=WITHHELD if masked else row.name,
        address=WITHHELD if masked else row.address,
        vulnerable=list(row.vulnerable),
        credit_marks=0 if p.role is Role.UNIT else row.credit_marks,  # R23.4
        masked=masked,
        ticket=ticket_public(p, row, rules, now) if detail else None,
    )


@router.post("/lookup", response_model=LookupPublic, responses={422: {"model": ErrorPublic}})
def lookup(body: LookupIn, p: Anyone, storage: StorageDep, rules: RulesDep, now: Now) -> LookupPublic:
    """Tickets across the centre by number, phone, name or address fragment, within a registration
    date range; newest first, at most `limit`. Name and address fragments match anywhere in the text."""
    phone = None
    if body.phone is not None:
        phone = normalise_phone(body.phone)
        if phone is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                "phone: not a PRC phone number (mobile 11 digits, or a landline such as 0412-1234567)",
            )
    is_unit = p.role is Role.UNIT
    rows: list[TicketRow] = []
    credit = None
    # One snapshot for the rows and the credit file (on PostgreSQL each read is three round trips).
    with storage.read() as tx:
        if not is_unit or p.unit:  # a unit token without a unit finds nothing
            # R26.1: for a unit, a search by who the appellant is must not reveal who complained about it.
            personal = bool(phone or body.name or body.address)
            rows = tx.lookup(
                number=body.number,
                phone=phone,
                name=body.name,
                address=body.address,
                registered_from=utc(body.registered_from) if body.registered_from else None,
                registered_to=utc(body.registered_to) if body.registered_to else None,
                open_only=body.open_only,
                unit=p.unit if is_unit else None,
                public_only=is_unit and personal,
                limit=body.limit + 1,
            )
        if phone is not None and not is_unit:  # R23.4: the centre's business, never a unit's
            credit = tx.credit_marks_of(phone)
    more = len(rows) > body.limit
    rows = [r for r in rows[: body.limit] if can_see(p, r)]
    record_reads(storage, p, rows, purpose=body.purpose, endpoint="POST /v1/lookup", now=now)
    return LookupPublic(tickets=[summary(p, r, rules, now, body.detail) for r in rows], more=more, credit_marks=credit)
