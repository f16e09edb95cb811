"""The ticket lifecycle as one explicit transition table (R18–R28).

`Workflow.apply(ticket, event, now)` returns the new ticket or raises `RuleViolation` naming the rule.
The table says, for every event kind, the rule behind it, the statuses it may happen in and the status
it leads to; who may cause it (operator, supervisor, admin, lead unit, co-unit, the sweep) is the one
table of `permissions`, from which each transition's `roles` is derived. The effect functions only
fill in fields.
The seat applies events optimistically, the server authoritatively: both run this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import permissions
from .deadlines import Clocks, add_months, limit_clock
from .effects import EFFECTS, need
from .errors import BrokenInvariant, RuleViolation
from .model import CLOSED_STATUSES, OPEN_STATUSES, Event, Role, Status, Ticket
from .parties import check_named_staff
from .taxonomy import Taxonomy

S = Status
HANDLING = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.EXTENSION_REQUESTED})
ANY = frozenset(Status)
OPEN = OPEN_STATUSES


@dataclass(frozen=True)
class Transition:
    kind: str
    rule: str
    sources: frozenset[Status] | None  # None: the event creates the ticket
    target: Status | None  # None: the status does not change
    roles: frozenset[Role]  # derived from permissions.MAY: the roles that may cause it somewhere
    title: str  # what the screens call it


def T(kind: str, rule: str, sources: Iterable[Status] | None, target: Status | None, title: str) -> Transition:
    return Transition(
        kind, rule, None if sources is None else frozenset(sources), target, permissions.roles(kind), title
    )


TABLE: tuple[Transition, ...] = (
    T("register", "R18.1", None, S.REGISTERED, "登记"),
    T("answer_on_spot", "R20.1", {S.REGISTERED}, S.ANSWERED, "当场答复办结"),
    T("accept", "R20.2", {S.REGISTERED}, S.ACCEPTED, "受理"),
    T("refuse", "R20.2", {S.REGISTERED}, S.REFUSED, "不予受理"),
    T("advise_channel", "R20.5", {S.REGISTERED}, S.ADVISED, "告知办理途径"),
    T("dispatch", "R20.2", {S.ACCEPTED, S.RETURNED}, S.DISPATCHED, "转办"),
    T("receive", "R22.1", {S.DISPATCHED}, S.IN_PROGRESS, "签收"),
    T("return_to_centre", "R28.1", {S.DISPATCHED, S.IN_PROGRESS}, S.RETURNED, "退单"),
    T("request_extension", "R22.2", {S.IN_PROGRESS}, S.EXTENSION_REQUESTED, "申请延期"),
    T("approve_extension", "R22.2", {S.EXTENSION_REQUESTED}, S.IN_PROGRESS, "批准延期"),
    T("deny_extension", "R22.2", {S.EXTENSION_REQUESTED}, S.IN_PROGRESS, "不批准延期"),
    T("respond", "R21.1", {S.IN_PROGRESS, S.EXTENSION_REQUESTED}, S.RESPONDED, "反馈办理结果"),
    T("review_pass", "R23.1", {S.RESPONDED}, S.AWAITING_CALLBACK, "审核通过"),
    T("review_return", "R23.1", {S.RESPONDED}, S.IN_PROGRESS, "退回重办"),
    T("callback", "R23.2", {S.AWAITING_CALLBACK}, S.RATED, "回访评价"),
    T("callback_failed", "R23.2", {S.AWAITING_CALLBACK}, None, "回访未接通"),
    T("dispute_rating", "R23.3", {S.RATED}, S.RATING_DISPUTED, "评价异议"),
    T("rerate", "R23.3", {S.RATING_DISPUTED}, S.RERATED, "复评"),
    T("confirm_rating", "R23.3", {S.RERATED}, S.RATED, "办公室审核确定评价"),
    T("archive", "R23.1", {S.RATED}, S.ARCHIVED, "办结归档"),
    T("set_units", "R24.2", HANDLING | {S.ACCEPTED, S.RETURNED}, None, "确定主办、协办单位"),
    T("escalate", "R24.1", OPEN - {S.REGISTERED}, None, "提级协调"),
    T("supervise", "R25.1", OPEN - {S.REGISTERED}, None, "督办"),
    T("recusal_request", "R27.1", OPEN, None, "申请回避"),
    T("recusal_decision", "R27.1", OPEN, None, "回避决定"),
    T("referral", "R20.3", ANY, None, "紧急转介"),
    T("link_call", "R13.1", OPEN, None, "催办（重复来电）"),
    T("call_record", "R11.1", ANY, None, "通话记录（录音）"),
    T("demand_explanation", "R10.2", ANY - {S.REGISTERED}, None, "要求说明"),
    T("answer_explanation", "R10.2", ANY, None, "单位说明"),
    T("credit_mark", "R23.4", ANY, None, "记入诚信档案"),
    T("add_note", "R18.2", ANY, None, "补充说明"),
    T("tell_extension", "R22.2", HANDLING | {S.RESPONDED}, None, "告知诉求人延期决定"),
    T("set_level", "R5.1", OPEN, None, "转区县工作站/街道"),
    T("add_reference", "R28.2", ANY, None, "记录转入编号"),
    T("set_respondents", "R26.2", OPEN, None, "记录被投诉（举报）对象"),
    T("mark_secret", "R33.2", ANY, None, "标记涉密"),
)
TRANSITIONS: dict[str, Transition] = {t.kind: t for t in TABLE}
# Checked at import, whatever the interpreter flags (-O drops asserts): an event kind without its
# effect or its permissions would otherwise fail only when a ticket first meets it.
if not set(TRANSITIONS) == set(EFFECTS) == set(permissions.MAY):
    raise BrokenInvariant(
        "the workflow table, EFFECTS and permissions.MAY name different event kinds: "
        f"{sorted(set(TRANSITIONS) ^ set(EFFECTS) ^ set(permissions.MAY))}"
    )

# Event kinds a unit may cause, each only for a ticket it holds (R26.1) and as the party the
# permissions table names (R24.2: lead-unit acts are the lead's alone).
UNIT_SCOPED = frozenset(t.kind for t in TABLE if Role.UNIT in t.roles)
LEAD_ONLY = frozenset(k for k in UNIT_SCOPED if permissions.Party.CO_UNIT not in permissions.MAY[k])


@dataclass(frozen=True)
class Workflow:
    """The rules bound to one taxonomy and one policy/calendar."""

    taxonomy: Taxonomy
    clocks: Clocks

    def apply(self, ticket: Ticket | None, event: Event, now: datetime) -> Ticket:
        """The ticket after `event`, or RuleViolation. `now` is the applier's clock (the server's
        receipt time, or the seat's); the event's own `at` dates what happened."""
        t = TRANSITIONS.get(event.kind)
        if t is None:
            raise RuleViolation("R18.2", f"unknown event kind '{event.kind}'")
        permissions.check_role(event.kind, event.role, t.rule, t.title)
        if t.sources is None:
            if ticket is not None:
                raise RuleViolation(t.rule, f"ticket {event.ticket_id} is already registered")
        else:
            if ticket is None:
                raise RuleViolation("R18.1", f"ticket {event.ticket_id} is not registered")
            if ticket.id != event.ticket_id:
                raise RuleViolation("R18.2", f"event for ticket {event.ticket_id} applied to {ticket.id}")
            if ticket.status not in t.sources:
                raise RuleViolation(t.rule, f"cannot {t.title}（{event.kind}）while the ticket is {ticket.status_name}")
            unit = need(event, "unit", t.rule) if event.role is Role.UNIT else None
            permissions.check_party(event.kind, event.role, unit, ticket, t.title)
            check_named_staff(ticket, event)  # R11.1
        new = EFFECTS[event.kind](ticket, event, self)
        updates: dict[str, Any] = {"version": (ticket.version + 1) if ticket else 1}
        if ticket is not None:
            updates["updated_at"] = max(ticket.updated_at, event.at)
        if t.target is not None:
            updates["status"] = t.target
            if t.target in CLOSED_STATUSES:
                updates["closed_at"] = event.at
        new = new.model_copy(update=updates)
        check_invariants(new, self.taxonomy)
        return new

    def replay(self, events: list[Event], now: datetime) -> Ticket:
        ticket: Ticket | None = None
        for e in events:
            ticket = self.apply(ticket, e, now)
        if ticket is None:
            raise BrokenInvariant("replay: no events")
        return ticket

    def allowed(self, ticket: Ticket | None, role: Role, unit: str | None = None) -> list[Transition]:
        """The transitions open to `role` on `ticket` now (what the screens offer). A unit's list is
        narrowed to what it may do as lead or co-unit of this ticket when `unit` is given."""
        if ticket is None:
            return [t for t in TABLE if t.sources is None and role in t.roles]
        open_ = [t for t in TABLE if t.sources and ticket.status in t.sources and role in t.roles]
        if role is Role.UNIT and unit is not None:
            open_ = [t for t in open_ if permissions.may(t.kind, role, unit, ticket)]
        return open_

    def extension_cap(self, ticket: Ticket, now: datetime) -> datetime:
        """R22.2: an extension reaches at most 2 months past the current resolution limit."""
        clock = limit_clock(ticket, now, self.clocks, self.taxonomy)
        if clock is None:
            raise RuleViolation("R22.2", "no resolution limit is running")
        cap = self.clocks.policy.limits["extension_cap"]
        if cap.unit != "months":
            return self.clocks.due(clock.due.at, cap).at
        return self.clocks.end_of(add_months(clock.due.date, cap.value))


def check_invariants(ticket: Ticket, taxonomy: Taxonomy) -> None:
    """What must hold after every event; a breach is a bug in the effects, not a user error."""
    if ticket.status in CLOSED_STATUSES:
        closed_with = {
            S.ANSWERED: ticket.answer,
            S.REFUSED: ticket.refusal_reason,
            S.ADVISED: ticket.answer,
            S.ARCHIVED: ticket.result,
        }[ticket.status]
        if not closed_with:
            raise BrokenInvariant(f"{ticket.number}: closed ({ticket.status}) without a result")
    if ticket.dispatched_at is not None and ticket.status not in (S.ACCEPTED, S.RETURNED):
        if not ticket.lead_unit:
            raise BrokenInvariant(f"{ticket.number}: dispatched without a unit")
    if ticket.lead_unit and taxonomy.is_petition(ticket.scope, ticket.matter):
        if ticket.supervising_unit != taxonomy.petition_unit:
            raise BrokenInvariant(f"{ticket.number}: 信访 ticket without the 信访 department")
    if ticket.status is S.ARCHIVED:
        if ticket.rating is None:
            raise BrokenInvariant(f"{ticket.number}: archived without a callback rating")
