"""The ticket (办理单) and everything it holds, as immutable values.

R18.1 lists what a ticket holds; R18.2 makes its history an append-only list of events. The ticket
here is the *projection*: the fold of its events through `workflow.Workflow.apply`. It is a frozen
pydantic model so the seat, the server and the wire share one shape and one JSON form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Re-exported: the states are their own module so that code which only names a status (the seat's
# first frame, the deadline rules) does not pay for pydantic.
# Re-exported: callers name these through the model (the `as` form says so to mypy).
from .states import CLOSED_STATUSES as CLOSED_STATUSES  # noqa: F401
from .states import OPEN_STATUSES as OPEN_STATUSES
from .states import STATUS_NAMES as STATUS_NAMES  # noqa: F401
from .states import Role as Role
from .states import Status as Status


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Appellant(Frozen):
    """诉求人: R18.1 (name, current address, contact), R2.2 (kind), R9.1 (vulnerable groups)."""

    name: str
    phone: str
    address: str
    kind: str = "person"
    vulnerable: tuple[str, ...] = ()


class Event(Frozen):
    """One change to one ticket (R18.2): who, when, what. Append-only; the ULID is its identity
    everywhere (the idempotency key of sync)."""

    id: str
    ticket_id: str
    kind: str
    actor: str
    role: Role
    seat: str
    at: datetime
    payload: dict[str, Any] = Field(default_factory=dict)


class Referral(Frozen):
    """R20.3: an emergency referral, kept on the ticket as its own event."""

    event_id: str
    target: str  # "110" | "119" | "120" | "122" | "应急"
    outcome: str  # transferred | told_to_dial | false_alarm
    reason: str = ""
    at: datetime
    actor: str
    # Issue 19: the phone transfer made with it (blind, or three-way first) and how it went.
    transfer_mode: str | None = None  # blind | three_way
    transfer_result: str | None = None  # done | failed | offline
    call_id: str | None = None


class CallHold(Frozen):
    held_at: datetime
    resumed_at: datetime | None = None


class CallTransfer(Frozen):
    at: datetime
    target: str
    mode: str  # blind | attended | three_way


class CallLog(Frozen):
    """R11.1: the phone system's record of a call on this ticket, so a supervisor can find the
    recording behind a complaint about an operator. The caller's number is not in it: it is on the
    appellant, where the masking knows it (R26.1)."""

    event_id: str
    call_id: str
    queue: str | None = None
    agent: str | None = None
    direction: str = "inbound"
    ring_at: datetime | None = None
    answer_at: datetime | None = None
    holds: tuple[CallHold, ...] = ()
    transfers: tuple[CallTransfer, ...] = ()
    hangup_at: datetime | None = None
    hangup_cause: str | None = None
    recordings: tuple[str, ...] = ()


class Pause(Frozen):
    """R27.1: from a recusal request to its decision the clocks stand still."""

    event_id: str
    started_at: datetime
    ended_at: datetime | None = None
    reason: str = ""
    granted: bool | None = None
    related_to: str = ""  # R26.2: the recorded party the person recusing is related to
    staff: str = ""  # who recuses (a unit's or the centre's staff member)
    unit: str | None = None  # set when a unit's staff recuses


class Extension(Frozen):
    """R22.2: reason, progress, measures and the new limit asked for."""

    event_id: str
    requested_at: datetime
    unit: str
    reason: str
    progress: str
    measures: str
    requested_due: datetime
    approved: bool | None = None
    approved_due: datetime | None = None
    decided_at: datetime | None = None
    told_at: datetime | None = None  # R22.2: when the appellant was told of the decision


class Rating(Frozen):
    """R23.2: star ratings 1–5 on the quantified indicators, with the appellant's own words."""

    timeliness: int
    result: int
    attitude: int
    overall: int
    words: str = ""


class Callback(Frozen):
    event_id: str
    at: datetime
    reached: bool
    note: str = ""
    retry_at: datetime | None = None


class Supervision(Frozen):
    """R25.1: 督办, with the ground (1)–(5) of 第二十五条 and the level reached."""

    event_id: str
    at: datetime
    ground: int
    level: int
    note: str = ""
    actor: str = ""


class ExplanationDemand(Frozen):
    """R10.2: the appellant demands an explanation; the unit must answer."""

    event_id: str
    at: datetime
    reason: str  # overdue | dispute
    text: str = ""
    answer: str = ""
    answered_at: datetime | None = None


class CreditMark(Frozen):
    """R23.4: an entry in the appellant credit file (诚信档案), with evidence."""

    event_id: str
    at: datetime
    kind: str
    evidence: str


class Respondent(Frozen):
    """R26.2: a party complained about or reported (被投诉、被举报的单位或个人). `kind` says who:
    a handling unit (`unit` is its code), the centre itself or one of its staff (R11.1: `staff` is
    the person's account), or someone else (an enterprise, a person: `name`)."""

    kind: str  # unit | centre | staff | other
    unit: str | None = None
    staff: str | None = None
    name: str = ""


class ExternalRef(Frozen):
    """R5.1, R28.2: a reference number the ticket carries from another platform or channel."""

    source: str  # provincial_8890 | minxin | linkage_110 | industry_hotline | utility_hotline | …
    number: str


class Note(Frozen):
    event_id: str
    at: datetime
    actor: str
    text: str


class Ticket(Frozen):
    """办理单 (R18.1). Fields after `channel` are the history the workflow fills in."""

    id: str
    number: str
    appellant: Appellant
    appeal_type: str
    scope: int
    matter: str
    place: str
    description: str
    channel: str
    status: Status = Status.REGISTERED
    seat: str
    operator: str
    registered_at: datetime
    updated_at: datetime
    version: int = 1  # events applied so far
    call_id: str | None = None
    priority: int = 0  # R9.1: raised for vulnerable groups and emergencies
    submitted_at: datetime | None = None  # R20.7: when a written appeal was submitted
    level: str = "city"  # R5.1: city | district | street — who holds it now
    workstation: str | None = None  # R5.1: the district workstation (a place code) at district/street level
    external_refs: tuple[ExternalRef, ...] = ()  # R5.1, R28.2
    respondents: tuple[Respondent, ...] = ()  # R26.2
    secrecy: tuple[str, ...] = ()  # R33.2: commercial | state — secrets the ticket holds
    supervising_unit: str | None = None  # R20.4: the 信访 department supervising a 信访 ticket
    accepted_at: datetime | None = None
    dispatched_at: datetime | None = None
    received_at: datetime | None = None
    returned_at: datetime | None = None
    rework_at: datetime | None = None
    responded_at: datetime | None = None
    closed_at: datetime | None = None
    lead_unit: str | None = None
    co_units: tuple[str, ...] = ()
    answer: str = ""  # R20.1 on-the-spot answer, R20.5/6 what the caller was told
    kb_article: str | None = None
    advice_channel: str | None = None  # R20.5/R20.6: review | litigation | arbitration | 12388 | out_of_scope
    refusal_reason: str = ""
    result: str = ""  # R21.1 the unit's result
    return_reasons: tuple[str, ...] = ()  # R28.1
    returned_by: tuple[str, ...] = ()  # R28.1: units that returned it as not theirs
    rework_count: int = 0
    extension: Extension | None = None
    pauses: tuple[Pause, ...] = ()
    supervisions: tuple[Supervision, ...] = ()
    coordination_level: int = 0  # R24.1: 0 units, 1 superior body, 2 office, 3 city
    referrals: tuple[Referral, ...] = ()
    linked_calls: tuple[str, ...] = ()  # R13.1 催办: later calls on the same matter
    calls: tuple[CallLog, ...] = ()  # R11.1: the phone system's record of its calls (issue 19)
    callbacks: tuple[Callback, ...] = ()
    rating: Rating | None = None
    rating_history: tuple[Rating, ...] = ()
    rating_dispute: str = ""
    rating_final: bool = False
    explanation_demands: tuple[ExplanationDemand, ...] = ()
    credit_marks: tuple[CreditMark, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit holding the ticket, lead first (R24.2)."""
        return ((self.lead_unit,) if self.lead_unit else ()) + self.co_units

    @property
    def readers(self) -> tuple[str, ...]:
        """Every unit that may read the ticket: those holding it and the 信访 department
        supervising it (R20.4)."""
        return self.units + (
            (self.supervising_unit,) if self.supervising_unit and self.supervising_unit not in self.units else ()
        )

    @property
    def respondent_units(self) -> tuple[str, ...]:
        """R26.2: the units complained about or reported."""
        return tuple(r.unit for r in self.respondents if r.kind == "unit" and r.unit)

    @property
    def about_centre(self) -> bool:
        """R11.1: a complaint about the centre itself or one of its staff."""
        return any(r.kind in ("centre", "staff") for r in self.respondents)

    @property
    def named_staff(self) -> tuple[str, ...]:
        """R11.1: the centre's staff a complaint names; they never see it in full."""
        return tuple(r.staff for r in self.respondents if r.kind == "staff" and r.staff)

    @property
    def closed(self) -> bool:
        return self.status.closed

    @property
    def paused(self) -> bool:
        return any(p.ended_at is None for p in self.pauses)

    @property
    def supervision_level(self) -> int:
        return max((s.level for s in self.supervisions), default=0)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]
