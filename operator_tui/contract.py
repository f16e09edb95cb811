"""Wire models shared by the seat's sync client and the server (`/v1`).

Requests are `…In` / `…Create`, responses `…Public` (the full-stack-fastapi-template habit): the
wire shape can change apart from the domain models, and every field that crosses the network has a
bound, so a malformed or hostile body is a clear 422, never a crash further in.

The ticket itself travels as the domain `Ticket` (it already is the agreed JSON form of R18.1);
what a unit may not see is masked out of it on the server before it is sent (R26.1).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from .domain.model import Event, Role, Ticket
from .payloads import PayloadInvalid
from .payloads import check as check_payload

API_PREFIX = "/v1"
MAX_BATCH = 1000  # events in one push
MAX_PAGE = 1000  # tickets or articles in one page of a change feed
DEFAULT_PAGE = 200
MAX_BODY_BYTES = 5 * 1024 * 1024

# ULIDs in Crockford base32, as python-ulid writes them: the seat makes them, so they never collide.
Ulid = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
SeatCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
Cursor = Annotated[str, StringConstraints(max_length=80)]
HumanRole = Literal["operator", "supervisor", "unit", "admin"]
PAYLOAD_INVALID = "payload_invalid"  # the pydantic error type of a payload that does not fit its kind


def _plausible(at: datetime) -> datetime:
    """A time a seat can have recorded: years 2000–2099. Anything else is a broken clock or a broken
    client, refused at the door rather than overflowing a deadline computation further in."""
    if not 2000 <= at.year <= 2099:
        raise ValueError("must be a time between the years 2000 and 2099")
    return at


When = Annotated[AwareDatetime, AfterValidator(_plausible)]


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- events -----------------------------------------------------------------------------------


class EventIn(Wire):
    """One event as the seat recorded it (R18.2). Its ULID is the idempotency key of the push."""

    id: Ulid
    ticket_id: Ulid
    kind: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    actor: Short
    role: Role
    seat: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    at: When
    payload: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _payload_fits_kind(self) -> EventIn:
        """Strict payloads per kind (operator_tui/payloads.py): an unknown key, a wrong type or an
        oversized value is refused here, before anything is stored or served."""
        try:
            check_payload(self.kind, self.payload)
        except PayloadInvalid as exc:
            raise PydanticCustomError(
                PAYLOAD_INVALID, "event {id}: {problem}", {"id": self.id, "problem": str(exc)}
            ) from None
        return self

    def to_domain(self, at: datetime | None = None) -> Event:
        return Event(
            id=self.id,
            ticket_id=self.ticket_id,
            kind=self.kind,
            actor=self.actor,
            role=self.role,
            seat=self.seat,
            at=at or self.at,
            payload=self.payload,
        )


class PushIn(Wire):
    """A batch of events in the seat's order. `sent_at` is the seat's clock when sending: the server
    uses it to correct the times of a seat whose clock is off (ARCHITECTURE: Sync protocol, 7)."""

    sent_at: When | None = None
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


class EventResult(Wire):
    """The server's answer for one event; a replayed duplicate gets the stored answer again."""

    id: str
    status: Literal["applied", "rejected"]
    rule: str | None = None  # the rule that refused it (REQUIREMENTS.md), when rejected
    reason: str | None = None
    seq: int | None = None  # server sequence number, when applied
    received_at: datetime
    ticket_status: str | None = None  # the ticket's state on the server after this answer
    replayed: bool = False


class PushPublic(Wire):
    results: list[EventResult]
    server_time: datetime


class IdReuse(Wire):
    id: str
    reason: str


class IdConflictPublic(Wire):
    """409: an event id the server already holds with a different payload. Nothing was applied."""

    detail: str
    conflicts: list[IdReuse]


class EventPublic(Wire):
    id: str
    ticket_id: str
    kind: str
    actor: str
    role: Role
    seat: str
    at: datetime  # the recorder's clock, as recorded
    applied_at: datetime  # the time the server applied it at (corrected for seat skew)
    received_at: datetime  # the server's clock on receipt
    seq: int
    payload: dict[str, Any]

    def to_domain(self) -> Event:
        return Event(
            id=self.id,
            ticket_id=self.ticket_id,
            kind=self.kind,
            actor=self.actor,
            role=self.role,
            seat=self.seat,
            at=self.at,
            payload=self.payload,
        )


# --- tickets ----------------------------------------------------------------------------------


class ClockPublic(Wire):
    name: str
    rule: str
    due_at: datetime
    provisional: bool
    overdue: bool
    paused: bool


class TicketPublic(Wire):
    """A ticket as one caller of the API may see it; `masked` says personal data was withheld."""

    ticket: Ticket
    status_name: str  # R10.1: the status in plain words
    masked: bool = False
    clock: ClockPublic | None = None


class TicketDetail(Wire):
    ticket: TicketPublic
    events: list[EventPublic]


class TicketSearchIn(Wire):
    """R10.1: find by number or by the caller's phone. Sent in a body so that a phone number never
    lands in an access log (R33.1)."""

    number: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,20}$")] | None = None
    phone: Annotated[str, StringConstraints(min_length=3, max_length=30)] | None = None
    purpose: Short = "来电查询"
    limit: int = Field(default=20, ge=1, le=200)


class Change(Wire):
    seq: int
    ticket: TicketPublic
    events: list[EventPublic]


class ChangesPublic(Wire):
    changes: list[Change]
    next: str
    more: bool


class ActionIn(Wire):
    """A unit's or supervisor's action on one ticket; `id` (optional) makes a retry idempotent."""

    id: Ulid | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class ActionPublic(Wire):
    result: EventResult
    ticket: TicketPublic | None = None


# --- people and seats -------------------------------------------------------------------------


class SeatCreate(Wire):
    code: SeatCode
    name: Short


StaffNo = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}$")]


class PrincipalCreate(Wire):
    name: Short
    role: HumanRole
    unit: Code | None = None  # required for role unit
    seat: SeatCode | None = None
    staff_no: StaffNo | None = None  # 工号 of a person


class PrincipalPublic(Wire):
    id: str
    name: str
    role: HumanRole
    unit: str | None = None
    seat: str | None = None
    staff_no: str | None = None


class PrincipalListed(PrincipalPublic):
    """A token as the office lists it: who holds it, since when, whether revoked; never its hash."""

    created_at: datetime
    revoked_at: datetime | None = None


class TokenIssued(Wire):
    """A bearer token, shown once: the server keeps only its hash."""

    principal: PrincipalPublic
    token: str


class AuditPublic(Wire):
    """R33.1: who read which ticket's personal data, when and why — never the data itself."""

    id: int
    at: datetime
    principal_id: str
    role: str
    ticket_id: str
    number: str
    purpose: str
    endpoint: str


# --- knowledge base ---------------------------------------------------------------------------


class KbArticleIn(Wire):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    body: Annotated[str, StringConstraints(max_length=100_000)] = ""
    owner_unit: Code | None = None  # default: the writer's unit
    tags: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list, max_length=50)
    review_at: date | None = None  # R34.1: review date
    valid_until: date | None = None  # R34.1: validity
    version: int | None = Field(default=None, ge=0)  # the version edited; a stale one gets 409


class KbArticlePublic(Wire):
    id: str
    owner_unit: str
    title: str
    body: str
    tags: list[str]
    review_at: date | None
    valid_until: date | None
    version: int
    seq: int
    updated_at: datetime
    updated_by: str


class KbChangesPublic(Wire):
    articles: list[KbArticlePublic]
    next: str
    more: bool


# --- operations -------------------------------------------------------------------------------


class SweepPublic(Wire):
    """What one deadline/supervision sweep did (R25.1 (1), (2), (4))."""

    at: datetime
    overdue: int
    supervised: dict[str, int]
    skipped: int


class Health(Wire):
    ok: bool
    server_time: datetime
    version: str


class ErrorPublic(Wire):
    detail: str
    rule: str | None = None
