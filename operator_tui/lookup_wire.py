"""Wire models of the centre-wide lookup, `POST /v1/lookup` (issue 11: the caller's history, F4 find
and 催办 across the whole centre; R13.1, R10.1).

Apart from `contract.py` so the lookup can change without touching the sync protocol. The request
travels in a POST body so that a phone number or a name never lands in an access log (R33.1).

A row is a *summary*: the columns the screen pop, F4 and F10 show, read from the server's query
columns without unpacking the whole ticket, so the pop stays fast on a million-ticket server.
`detail=true` adds the whole ticket, masked exactly as `GET /v1/tickets/{number}` masks it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .contract import Short, TicketPublic, When, Wire
from .domain.states import Status
from .domain.text import clean_text


def _fragment(value: str) -> str:
    """Caller-typed search text: control characters out, spaces trimmed; text that cannot be stored
    (a lone surrogate) is a clear 422, never a 500 further in."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid text (it holds an unpaired surrogate)") from None
    value = clean_text(value).strip()
    if not value:
        raise ValueError("must not be empty")
    return value


Fragment = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_fragment)]
Number = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,20}$")]
LOOKUP_MAX = 200


class LookupIn(Wire):
    """Criteria are combined (AND); at least one of number, phone, name, address is needed, and the
    date range (on the registration time, `registered_to` exclusive) narrows them. Newest first."""

    number: Number | None = None
    phone: Annotated[str, StringConstraints(min_length=3, max_length=30)] | None = None
    name: Fragment | None = None  # a fragment of the appellant's name
    address: Fragment | None = None  # a fragment of the appellant's address
    registered_from: When | None = None
    registered_to: When | None = None
    open_only: bool = False  # only tickets not yet closed (催办 candidates)
    detail: bool = False  # each row also carries the whole (masked) ticket
    purpose: Short = "来电查询"  # recorded in the read audit (R33.1)
    limit: int = Field(default=20, ge=1, le=LOOKUP_MAX)

    @model_validator(mode="after")
    def _criteria(self) -> LookupIn:
        if not any((self.number, self.phone, self.name, self.address)):
            raise ValueError(
                "give at least one of 'number', 'phone', 'name', 'address'; "
                "'registered_from'/'registered_to' only narrow them"
            )
        if self.registered_from and self.registered_to and self.registered_from >= self.registered_to:
            raise ValueError("'registered_from' must be before 'registered_to'")
        return self


class TicketSummary(Wire):
    """One ticket as a list shows it. `masked`: the appellant's data was withheld (R26.1)."""

    id: str
    number: str
    seat: str
    status: Status
    status_name: str
    appeal_type: str
    matter: str
    place: str
    lead_unit: str | None = None
    units: list[str] = Field(default_factory=list)
    closed: bool
    registered_at: datetime
    updated_at: datetime
    clock: str | None = None
    due_at: datetime | None = None
    name: str = ""
    address: str = ""
    vulnerable: list[str] = Field(default_factory=list)  # R9.1
    credit_marks: int = 0  # R23.4, never for a unit
    masked: bool = False
    ticket: TicketPublic | None = None  # with `detail`


class LookupPublic(Wire):
    tickets: list[TicketSummary]
    more: bool  # the limit was reached: there may be older matches
    # R23.4: the appellant's credit file is theirs across every ticket and seat, not only the rows
    # returned; counted by phone for the centre's staff (never for a unit), None otherwise.
    credit_marks: int | None = None
