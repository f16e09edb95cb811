"""The ticket (办理单) and everything it holds, as immutable values.

R18.1 lists what a ticket holds; R18.2 makes its history an append-only list of events. The ticket
here is the *projection*: the fold of its events through `workflow.Workflow.apply`. It is a frozen
pydantic model so the seat, the server and the wire share one shape and one JSON form.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Role(StrEnum):
    OPERATOR = "operator"      # 接线员 at a seat
    SUPERVISOR = "supervisor"  # 值班长 / the centre's reviewers
    UNIT = "unit"              # a handling unit (承办单位)
    ADMIN = "admin"            # the office (群众工作委员会办公室) and system administrators
    SYSTEM = "system"          # periodic sweeps (R25.1 (1), (2), (4))


class Status(StrEnum):
    REGISTERED = "registered"                    # 已登记，待受理 (R20.2: 3 working days)
    ACCEPTED = "accepted"                        # 已受理，待转办 (R20.2: 2 working days)
    DISPATCHED = "dispatched"                    # 已转办，待签收
    IN_PROGRESS = "in_progress"                  # 办理中 (R22.1)
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请中 (R22.2)
    RETURNED = "returned"                        # 单位退单，待改派 (R28.1)
    RESPONDED = "responded"                      # 已反馈，待审核 (R23.1)
    AWAITING_CALLBACK = "awaiting_callback"      # 待回访 (R23.2)
    RATED = "rated"                              # 已回访评价
    RATING_DISPUTED = "rating_disputed"          # 评价异议中 (R23.3)
    RERATED = "rerated"                          # 已复评，待办公室审核 (R23.3)
    ANSWERED = "answered"                        # 当场答复办结 (R20.1)
    REFUSED = "refused"                          # 不予受理 (R20.2)
    ADVISED = "advised"                          # 已告知办理途径 (R20.5, R20.6)
    ARCHIVED = "archived"                        # 办结归档

    @property
    def closed(self) -> bool:
        return self in CLOSED_STATUSES


CLOSED_STATUSES = frozenset({Status.ANSWERED, Status.REFUSED, Status.ADVISED, Status.ARCHIVED})
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)

STATUS_NAMES: dict[Status, str] = {
    Status.REGISTERED: "已登记，待受理",
    Status.ACCEPTED: "已受理，待转办",
    Status.DISPATCHED: "已转办，待单位签收",
    Status.IN_PROGRESS: "承办单位办理中",
    Status.EXTENSION_REQUESTED: "单位申请延期，待审批",
    Status.RETURNED: "单位退单，待改派",
    Status.RESPONDED: "单位已反馈，待审核",
    Status.AWAITING_CALLBACK: "审核通过，待回访",
    Status.RATED: "已回访评价",
    Status.RATING_DISPUTED: "单位对评价有异议",
    Status.RERATED: "已复评，待办公室审核",
    Status.ANSWERED: "已当场答复办结",
    Status.REFUSED: "不予受理",
    Status.ADVISED: "已告知办理途径",
    Status.ARCHIVED: "已办结归档",
}


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
    target: str          # "110" | "119" | "120" | "122" | "应急"
    outcome: str         # transferred | told_to_dial | false_alarm
    reason: str = ""
    at: datetime
    actor: str


class Pause(Frozen):
    """R27.1: from a recusal request to its decision the clocks stand still."""

    event_id: str
    started_at: datetime
    ended_at: datetime | None = None
    reason: str = ""
    granted: bool | None = None


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
    reason: str          # overdue | dispute
    text: str = ""
    answer: str = ""
    answered_at: datetime | None = None


class CreditMark(Frozen):
    """R23.4: an entry in the appellant credit file (诚信档案), with evidence."""

    event_id: str
    at: datetime
    kind: str
    evidence: str


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
    version: int = 1                     # events applied so far
    call_id: str | None = None
    priority: int = 0                    # R9.1: raised for vulnerable groups and emergencies
    accepted_at: datetime | None = None
    dispatched_at: datetime | None = None
    received_at: datetime | None = None
    returned_at: datetime | None = None
    rework_at: datetime | None = None
    responded_at: datetime | None = None
    closed_at: datetime | None = None
    lead_unit: str | None = None
    co_units: tuple[str, ...] = ()
    answer: str = ""                     # R20.1 on-the-spot answer, R20.5/6 what the caller was told
    kb_article: str | None = None
    advice_channel: str | None = None    # R20.5/R20.6: review | litigation | arbitration | 12388 | out_of_scope
    refusal_reason: str = ""
    result: str = ""                     # R21.1 the unit's result
    return_reasons: tuple[str, ...] = ()  # R28.1
    returned_by: tuple[str, ...] = ()    # R28.1: units that returned it as not theirs
    rework_count: int = 0
    extension: Extension | None = None
    pauses: tuple[Pause, ...] = ()
    supervisions: tuple[Supervision, ...] = ()
    coordination_level: int = 0          # R24.1: 0 units, 1 superior body, 2 office, 3 city
    referrals: tuple[Referral, ...] = ()
    linked_calls: tuple[str, ...] = ()   # R13.1 催办: later calls on the same matter
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
