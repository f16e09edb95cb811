"""What each event kind does to a ticket's fields. The status change itself, the roles and the
allowed source statuses are in the transition table (workflow.py); these functions check the payload
and the conditions that depend on it, naming the rule when they refuse. The calls' own effects
(referrals, linked calls, the phone system's record) are in effects_calls.py; reading a payload's
fields in effect_args.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .deadlines import limit_clock, running_clock
from .effect_args import need, when
from .effects_calls import REFERRAL_OUTCOMES, REFERRAL_TARGETS, call_record, link_call, referral
from .errors import RuleViolation
from .model import (
    Appellant,
    Callback,
    CreditMark,
    Event,
    ExplanationDemand,
    Extension,
    Note,
    Pause,
    Rating,
    Role,
    Supervision,
    Ticket,
)
from .parties import (
    check_office_route,
    external_refs,
    level_fields,
    recusal_party,
    respondents,
    secrecy,
    submitted_at,
)
from .text import clean_text

if TYPE_CHECKING:
    from .workflow import Workflow

__all__ = ["ADVICE_CHANNELS", "CREDIT_KINDS", "EFFECTS", "REFERRAL_OUTCOMES", "REFERRAL_TARGETS", "need", "when"]

ADVICE_CHANNELS = {  # R20.5 and R20.6
    "review": "R20.5",
    "litigation": "R20.5",
    "arbitration": "R20.5",
    "discipline_12388": "R20.6",
    "out_of_scope": "R20.5",
}
CREDIT_KINDS = ("false_report", "harassment", "abuse", "threat", "line_occupation")
MAX_LEVEL = 3


def _units(event: Event, wf: Workflow, rule: str) -> dict[str, Any]:
    """R24.2 one lead unit and any co-units; R20.4 a 信访 ticket also goes to the 信访 department."""
    lead = need(event, "lead_unit", rule)
    co = event.payload.get("co_units") or []
    if not isinstance(co, list):
        raise RuleViolation("R24.2", "'co_units' must be a list of unit codes")
    unknown = [u for u in [lead, *co] if u not in wf.taxonomy.units]
    if unknown:
        raise RuleViolation(rule, f"unknown unit(s): {', '.join(map(str, unknown))}")
    return {"lead_unit": lead, "co_units": tuple(dict.fromkeys(u for u in co if u != lead))}


def _with_petition_unit(ticket: Ticket, fields: dict[str, Any], wf: Workflow) -> dict[str, Any]:
    """R20.4: a 信访 matter (by scope or by matter) goes to the city or a district government and
    the responsible unit, and at the same time to the 信访 department — for supervision, so it is
    the ticket's supervising unit, not one more co-handling unit."""
    check_office_route(ticket, fields["lead_unit"], wf)
    petition = wf.taxonomy.petition_unit
    if not wf.taxonomy.is_petition(ticket.scope, ticket.matter):
        return {**fields, "supervising_unit": None}
    units = (fields["lead_unit"], *fields["co_units"])
    if not any(wf.taxonomy.units[u].government for u in units):
        raise RuleViolation(
            "R20.4", "a 信访 matter goes to the city or a district government: name one among the units"
        )
    fields["co_units"] = tuple(u for u in fields["co_units"] if u != petition)
    if fields["lead_unit"] == petition:
        raise RuleViolation("R20.4", "the 信访 department supervises a 信访 ticket; it does not lead it")
    return {**fields, "supervising_unit": petition}


def _ratings(event: Event, rule: str) -> Rating:
    stars = need(event, "ratings", rule)
    try:
        values = {k: int(stars[k]) for k in ("timeliness", "result", "attitude", "overall")}
    except (KeyError, TypeError, ValueError):
        raise RuleViolation(rule, "'ratings' needs timeliness, result, attitude and overall, each 1–5") from None
    if not all(1 <= v <= 5 for v in values.values()):
        raise RuleViolation(rule, "each rating must be 1–5 stars")
    return Rating(**values, words=clean_text(str(event.payload.get("words", ""))).strip())


def register(ticket: Ticket | None, e: Event, wf: Workflow) -> Ticket:
    from .validation import validate_intake

    cleaned, errors = validate_intake(e.payload, wf.taxonomy)
    if errors:
        raise RuleViolation("R19.1", "; ".join(map(str, errors)))
    number = need(e, "number", "R18.1")
    if not (isinstance(number, str) and number.isascii() and number.isdigit()):
        raise RuleViolation("R18.1", "the ticket number must be a string of digits 0–9")
    appellant = Appellant(**cleaned["appellant"])
    return Ticket(
        id=e.ticket_id,
        number=str(number),
        appellant=appellant,
        appeal_type=cleaned["appeal_type"],
        scope=cleaned["scope"],
        matter=cleaned["matter"],
        place=cleaned["place"],
        description=cleaned["description"],
        channel=cleaned["channel"],
        seat=e.seat,
        operator=e.actor,
        registered_at=e.at,
        updated_at=e.at,
        call_id=cleaned.get("call_id"),
        priority=1 if appellant.vulnerable else 0,  # R9.1
        submitted_at=submitted_at(e, cleaned["channel"], wf),
        external_refs=external_refs(e.payload.get("external_refs"), wf),
        respondents=respondents(e.payload.get("respondents"), wf),
        secrecy=secrecy(e.payload.get("secrecy")),
        **level_fields(e.payload.get("level"), e.payload.get("workstation"), wf),
    )


def answer_on_spot(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update={"answer": need(e, "answer", "R20.1"), "kb_article": e.payload.get("kb_article")})


def accept(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update={"accepted_at": e.at})


def refuse(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update={"refusal_reason": need(e, "reason", "R20.2")})


def advise_channel(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    channel = need(e, "channel", "R20.5")
    if channel not in ADVICE_CHANNELS:
        raise RuleViolation("R20.5", f"'channel' must be one of {', '.join(ADVICE_CHANNELS)}")
    return t.model_copy(update={"advice_channel": channel, "answer": need(e, "text", ADVICE_CHANNELS[channel])})


def dispatch(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    fields = _with_petition_unit(t, _units(e, wf, "R20.2"), wf)
    # A new dispatch is a new unit's own limit (R22.1): the previous unit's extension and rework
    # go with it (R22.2: the unit that asked for the extension is the one it was granted to).
    return t.model_copy(
        update={**fields, "dispatched_at": e.at, "received_at": None, "rework_at": None, "extension": None}
    )


def receive(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update={"received_at": e.at})


def return_to_centre(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    reason = need(e, "reason", "R28.1")
    unit = e.payload.get("unit") or t.lead_unit
    return t.model_copy(
        update={
            "returned_at": e.at,
            "return_reasons": (*t.return_reasons, reason),
            "returned_by": tuple(dict.fromkeys((*t.returned_by, unit))) if unit else t.returned_by,
        }
    )


def request_extension(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    clock = limit_clock(t, e.at, wf.clocks, wf.taxonomy)
    if clock is None or clock.overdue:
        raise RuleViolation("R22.2", "an extension must be asked for within the resolution limit")
    if t.extension is not None and t.extension.approved:
        raise RuleViolation("R22.2", "the ticket has already been extended once")
    new_due = when(e, "new_due", "R22.2")
    cap = wf.extension_cap(t, e.at)
    if new_due <= clock.due.at:
        raise RuleViolation("R22.2", "the new limit must be later than the current one")
    if new_due > cap:
        raise RuleViolation("R22.2", f"an extension may reach at most {cap.date().isoformat()} (2 months)")
    ext = Extension(
        event_id=e.id,
        requested_at=e.at,
        unit=need(e, "unit", "R22.2"),
        reason=need(e, "reason", "R22.2"),
        progress=need(e, "progress", "R22.2"),
        measures=need(e, "measures", "R22.2"),
        requested_due=new_due,
    )
    return t.model_copy(update={"extension": ext})


def _requested(t: Ticket) -> Extension:
    # The workflow table lets these events in only while an extension is requested, so a ticket
    # without one is a broken invariant: say so as a rule, not as an AttributeError.
    if t.extension is None:
        raise RuleViolation("R22.2", "no extension has been requested on this ticket")
    return t.extension


def approve_extension(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    ext = _requested(t)
    due = when(e, "due", "R22.2") if e.payload.get("due") else ext.requested_due
    unextended = t.model_copy(update={"extension": None})
    current = limit_clock(unextended, ext.requested_at, wf.clocks, wf.taxonomy)
    if current is not None and due <= current.due.at:
        raise RuleViolation("R22.2", "the approved limit must be later than the current one")
    if due > wf.extension_cap(unextended, ext.requested_at):
        raise RuleViolation("R22.2", "an extension may not exceed 2 months")
    told = e.at if e.payload.get("told_appellant") is True else None
    return t.model_copy(
        update={
            "extension": ext.model_copy(
                update={"approved": True, "approved_due": due, "decided_at": e.at, "told_at": told}
            )
        }
    )


def deny_extension(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    need(e, "reason", "R22.2")
    told = e.at if e.payload.get("told_appellant") is True else None
    return t.model_copy(
        update={"extension": _requested(t).model_copy(update={"approved": False, "decided_at": e.at, "told_at": told})}
    )


def tell_extension(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    """R22.2: the appellant is told of the extension decision (approved or refused)."""
    ext = t.extension
    if ext is None or ext.decided_at is None:
        raise RuleViolation("R22.2", "there is no decided extension to tell the appellant about")
    if ext.told_at is not None:
        raise RuleViolation("R22.2", "the appellant has already been told of this extension")
    return t.model_copy(update={"extension": ext.model_copy(update={"told_at": e.at})})


def respond(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    # R24.2 (only the lead unit gives the result) is a line of the permissions table.
    if e.payload.get("told_appellant") is not True:
        raise RuleViolation("R21.1", "the result must also be fed back to the appellant (told_appellant: true)")
    return t.model_copy(update={"result": need(e, "result", "R21.1"), "responded_at": e.at})


def review_pass(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t


def review_return(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    need(e, "reason", "R23.1")
    return t.model_copy(update={"rework_at": e.at, "rework_count": t.rework_count + 1})


def callback(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    rating = _ratings(e, "R23.2")
    cb = Callback(event_id=e.id, at=e.at, reached=True, note=clean_text(str(e.payload.get("note", ""))))
    return t.model_copy(update={"rating": rating, "callbacks": (*t.callbacks, cb)})


def callback_failed(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    retry = when(e, "retry_at", "R23.2") if e.payload.get("retry_at") else None
    cb = Callback(
        event_id=e.id, at=e.at, reached=False, note=clean_text(str(e.payload.get("note", ""))), retry_at=retry
    )
    return t.model_copy(update={"callbacks": (*t.callbacks, cb)})


def dispute_rating(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    if t.rating_final:
        raise RuleViolation("R23.3", "the office has already confirmed the final rating")
    return t.model_copy(update={"rating_dispute": need(e, "reason", "R23.3")})


def rerate(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update={"rating": _ratings(e, "R23.3"), "rating_history": (*t.rating_history, t.rating)})


def confirm_rating(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update={"rating_final": True})


def archive(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t


def set_units(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update=_with_petition_unit(t, _units(e, wf, "R24.2"), wf))


def escalate(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    if t.coordination_level >= MAX_LEVEL:
        raise RuleViolation("R24.1", "already at the top of the coordination ladder (市政府常务会议/群众工作委员会)")
    need(e, "note", "R24.1")
    return t.model_copy(update={"coordination_level": t.coordination_level + 1})


def supervise(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    ground = need(e, "ground", "R25.1")
    if ground not in (1, 2, 3, 4, 5):
        raise RuleViolation("R25.1", "'ground' must be 1–5 (第二十五条 (一)–(五))")
    if e.role is Role.SYSTEM and ground not in (1, 2, 4):
        raise RuleViolation("R25.1", "grounds (3) and (5) are raised by a person, not by a sweep")
    # R25.1 逐级: each new supervision goes one level up, to at most the office.
    level = min(t.supervision_level + 1, MAX_LEVEL)
    s = Supervision(
        event_id=e.id,
        at=e.at,
        ground=ground,
        level=level,
        note=clean_text(str(e.payload.get("note", ""))),
        actor=e.actor,
    )
    return t.model_copy(update={"supervisions": (*t.supervisions, s)})


def recusal_request(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    if t.paused:
        raise RuleViolation("R27.1", "a recusal request is already awaiting its decision")
    reason = need(e, "reason", "R27.1")
    related = recusal_party(t, e)  # R26.2: grounds checked against the recorded parties
    pause = Pause(
        event_id=e.id,
        started_at=e.at,
        reason=reason,
        related_to=related,
        staff=clean_text(str(e.payload.get("staff") or "")).strip(),
        unit=e.payload.get("unit") or None,
    )
    return t.model_copy(update={"pauses": (*t.pauses, pause)})


def recusal_decision(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    if not t.paused:
        raise RuleViolation("R27.1", "there is no recusal request to decide")
    granted = need(e, "granted", "R27.1")
    if not isinstance(granted, bool):
        raise RuleViolation("R27.1", "'granted' must be true or false")
    need(e, "reply", "R27.1")  # R27.1: the answer is given in writing
    pauses = tuple(
        p.model_copy(update={"ended_at": e.at, "granted": granted}) if p.ended_at is None else p for p in t.pauses
    )
    return t.model_copy(update={"pauses": pauses})


def demand_explanation(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    reason = need(e, "reason", "R10.2")
    if reason not in ("overdue", "dispute"):
        raise RuleViolation("R10.2", "'reason' must be overdue or dispute")
    if reason == "overdue":
        clock = running_clock(t, e.at, wf.clocks, wf.taxonomy)
        if clock is None or not clock.overdue:
            raise RuleViolation("R10.2", "the ticket is not overdue; record the demand as a dispute instead")
    d = ExplanationDemand(event_id=e.id, at=e.at, reason=reason, text=clean_text(str(e.payload.get("text", ""))))
    return t.model_copy(update={"explanation_demands": (*t.explanation_demands, d)})


def answer_explanation(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    demand_id = need(e, "demand_id", "R10.2")
    answer = need(e, "answer", "R10.2")
    if not any(d.event_id == demand_id and not d.answer for d in t.explanation_demands):
        raise RuleViolation("R10.2", f"no open explanation demand {demand_id}")
    demands = tuple(
        d.model_copy(update={"answer": answer, "answered_at": e.at}) if d.event_id == demand_id else d
        for d in t.explanation_demands
    )
    return t.model_copy(update={"explanation_demands": demands})


def credit_mark(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    kind = need(e, "kind", "R23.4")
    if kind not in CREDIT_KINDS:
        raise RuleViolation("R23.4", f"'kind' must be one of {', '.join(CREDIT_KINDS)}")
    mark = CreditMark(event_id=e.id, at=e.at, kind=kind, evidence=need(e, "evidence", "R23.4"))
    return t.model_copy(update={"credit_marks": (*t.credit_marks, mark)})


def set_level(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    """R5.1: the city platform hands a ticket to a district workstation, which may hand it on to a
    street; or it comes back up."""
    return t.model_copy(update=level_fields(need(e, "level", "R5.1"), e.payload.get("workstation"), wf))


def add_reference(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    """R5.1, R28.2: a reference number from another platform or channel, recorded when it is known."""
    refs = external_refs([{"source": need(e, "source", "R28.2"), "number": need(e, "number", "R28.2")}], wf, "R28.2")
    return t.model_copy(update={"external_refs": tuple(dict.fromkeys((*t.external_refs, *refs)))})


def set_respondents(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    """R26.2: record (or correct) the parties complained about; R11.1 routing follows them."""
    return t.model_copy(update={"respondents": respondents(need(e, "respondents", "R26.2"), wf)})


def mark_secret(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    """R33.2: mark the ticket as holding commercial or state secrets (a mark is never removed)."""
    marks = secrecy(need(e, "secrecy", "R33.2"))
    need(e, "reason", "R33.2")
    return t.model_copy(update={"secrecy": tuple(sorted(set(t.secrecy) | set(marks)))})


def add_note(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(
        update={"notes": (*t.notes, Note(event_id=e.id, at=e.at, actor=e.actor, text=need(e, "text", "R18.2")))}
    )


EFFECTS: dict[str, Callable[..., Ticket]] = {
    "register": register,
    "answer_on_spot": answer_on_spot,
    "accept": accept,
    "refuse": refuse,
    "advise_channel": advise_channel,
    "dispatch": dispatch,
    "receive": receive,
    "return_to_centre": return_to_centre,
    "request_extension": request_extension,
    "approve_extension": approve_extension,
    "deny_extension": deny_extension,
    "respond": respond,
    "review_pass": review_pass,
    "review_return": review_return,
    "callback": callback,
    "callback_failed": callback_failed,
    "dispute_rating": dispute_rating,
    "rerate": rerate,
    "confirm_rating": confirm_rating,
    "archive": archive,
    "set_units": set_units,
    "escalate": escalate,
    "supervise": supervise,
    "recusal_request": recusal_request,
    "recusal_decision": recusal_decision,
    "referral": referral,
    "link_call": link_call,
    "call_record": call_record,
    "demand_explanation": demand_explanation,
    "answer_explanation": answer_explanation,
    "credit_mark": credit_mark,
    "add_note": add_note,
    "tell_extension": tell_extension,
    "set_level": set_level,
    "add_reference": add_reference,
    "set_respondents": set_respondents,
    "mark_secret": mark_secret,
}
