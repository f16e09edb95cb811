"""What the call itself adds to a ticket: emergency referrals (R20.3), later calls on the same
matter (R13.1 催办) and the phone system's record of a call (R11.1, issue 19). The rest of the
effects are in effects.py, which lists these in its table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .effect_args import need, parse_time
from .errors import RuleViolation
from .model import CallHold, CallLog, CallTransfer, Event, Referral, Ticket
from .text import clean_text
from .triage import OUTCOMES as _REFERRAL_OUTCOMES
from .triage import TARGETS as REFERRAL_TARGETS

if TYPE_CHECKING:
    from .workflow import Workflow

__all__ = [
    "CALL_TRANSFER_MODES",
    "REFERRAL_OUTCOMES",
    "REFERRAL_TARGETS",
    "TRANSFER_MODES",
    "TRANSFER_RESULTS",
    "call_record",
    "link_call",
    "referral",
]

# The referral targets and outcomes are triage's (one definition, issue 18).
REFERRAL_OUTCOMES = tuple(_REFERRAL_OUTCOMES)
TRANSFER_MODES = ("blind", "three_way")  # issue 19: the phone transfer made with a referral
TRANSFER_RESULTS = ("done", "failed", "offline")
CALL_TRANSFER_MODES = ("blind", "attended", "three_way")


def referral(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    target = need(e, "target", "R20.3")
    outcome = need(e, "outcome", "R20.3")
    if target not in REFERRAL_TARGETS:
        raise RuleViolation("R20.3", f"'target' must be one of {', '.join(REFERRAL_TARGETS)}")
    if outcome not in REFERRAL_OUTCOMES:
        raise RuleViolation("R20.3", f"'outcome' must be one of {', '.join(REFERRAL_OUTCOMES)}")
    reason = clean_text(str(e.payload.get("reason", ""))).strip()
    if outcome == "false_alarm" and not reason:
        raise RuleViolation("R20.3", "a false alarm needs its reason")
    mode, result = e.payload.get("transfer_mode"), e.payload.get("transfer_result")
    if mode is not None and mode not in TRANSFER_MODES:
        raise RuleViolation("R20.3", f"'transfer_mode' must be one of {', '.join(TRANSFER_MODES)}")
    if (mode is None) != (result is None):
        raise RuleViolation("R20.3", "'transfer_mode' and 'transfer_result' go together")
    if result is not None and result not in TRANSFER_RESULTS:
        raise RuleViolation("R20.3", f"'transfer_result' must be one of {', '.join(TRANSFER_RESULTS)}")
    r = Referral(
        event_id=e.id,
        target=target,
        outcome=outcome,
        reason=reason,
        at=e.at,
        actor=e.actor,
        transfer_mode=mode,
        transfer_result=result,
        call_id=e.payload.get("call_id"),
    )
    priority = t.priority if outcome == "false_alarm" else max(t.priority, 2)
    return t.model_copy(update={"referrals": (*t.referrals, r), "priority": priority})


def link_call(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    return t.model_copy(update={"linked_calls": (*t.linked_calls, str(need(e, "call_id", "R13.1")))})


def call_record(t: Ticket, e: Event, wf: Workflow) -> Ticket:
    """R11.1: the phone system's record of a call (issue 19). Recorded again for the same call (the
    seat learnt more after a link outage), it replaces the earlier one."""
    call_id = need(e, "call_id", "R11.1")
    p = e.payload

    def stamp(value: Any, key: str) -> datetime | None:
        return None if value is None else parse_time(value, key, "R11.1")

    def given(value: Any, key: str) -> datetime:
        at = stamp(value, key)
        if at is None:
            raise ValueError(key)  # reported below with the shape the lists need
        return at

    try:
        holds = tuple(
            CallHold(held_at=given(a, "holds"), resumed_at=stamp(b, "holds")) for a, b in p.get("holds") or ()
        )
        transfers = tuple(
            CallTransfer(at=given(x["at"], "transfers"), target=str(x["target"]), mode=x["mode"])
            for x in p.get("transfers") or ()
        )
    except (KeyError, TypeError, ValueError):
        raise RuleViolation(
            "R11.1", "'holds' are [held at, resumed at] pairs and 'transfers' {at, target, mode} objects"
        ) from None
    if any(x.mode not in CALL_TRANSFER_MODES for x in transfers):
        raise RuleViolation("R11.1", f"a transfer's 'mode' must be one of {', '.join(CALL_TRANSFER_MODES)}")
    log = CallLog(
        event_id=e.id,
        call_id=call_id,
        queue=p.get("queue"),
        agent=p.get("agent"),
        direction=p.get("direction") or "inbound",
        ring_at=stamp(p.get("ring_at"), "ring_at"),
        answer_at=stamp(p.get("answer_at"), "answer_at"),
        holds=holds,
        transfers=transfers,
        hangup_at=stamp(p.get("hangup_at"), "hangup_at"),
        hangup_cause=p.get("hangup_cause"),
        recordings=tuple(str(r) for r in p.get("recordings") or ()),
    )
    calls = tuple(c for c in t.calls if c.call_id != call_id)
    return t.model_copy(update={"calls": (*calls, log)})
