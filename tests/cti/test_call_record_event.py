"""The call record and the referral's phone transfer as ticket events (issue 19, R11.1, R20.3):
what the seat sends is accepted by the strict wire schema and folded onto the ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from operator_tui.cti.events import Answered, Held, HungUp, RecordingStarted, Ringing, ThreeWayStarted, Unheld
from operator_tui.cti.record import CallBook
from operator_tui.domain.errors import RuleViolation
from operator_tui.payloads import SCHEMAS

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def a_call_record() -> dict:
    book = CallBook(agent="1001@default")
    at = lambda s: T0 + timedelta(seconds=s)  # noqa: E731
    for ev in (
        Ringing(at(0), "c-1", caller="13912345678", queue="8890"),
        Answered(at(4), "c-1"),
        RecordingStarted(at(5), "c-1", reference="/var/lib/freeswitch/recordings/c-1.wav"),
        Held(at(30), "c-1"),
        Unheld(at(45), "c-1"),
        ThreeWayStarted(at(60), "c-1", target="110"),
        HungUp(at(90), "c-1", cause="NORMAL_CLEARING", q850=16),
    ):
        book.apply(ev)
    payload = book.records["c-1"].to_json()
    payload.pop("caller")  # the number is the appellant's, where the masking knows it (R26.1)
    return payload


@pytest.mark.rule("R11.1")
def test_the_call_record_lands_on_the_ticket_with_its_times_and_recording(registered, act):
    payload = a_call_record()
    SCHEMAS["call_record"].model_validate(payload)  # the server's edge takes it
    t = act(registered(), "call_record", payload, actor="op-7")
    (call,) = t.calls
    assert call.call_id == "c-1" and call.queue == "8890" and call.agent == "1001@default"
    assert call.answer_at - call.ring_at == timedelta(seconds=4)
    assert [(h.held_at - T0, h.resumed_at - T0) for h in call.holds] == [(timedelta(seconds=30), timedelta(seconds=45))]
    assert [(x.target, x.mode) for x in call.transfers] == [("110", "three_way")]
    assert call.hangup_cause == "NORMAL_CLEARING" and call.recordings == ("/var/lib/freeswitch/recordings/c-1.wav",)
    again = act(t, "call_record", {**payload, "recordings": ["/r/c-1.wav", "/r/c-1b.wav"]})
    assert len(again.calls) == 1 and again.calls[0].recordings == ("/r/c-1.wav", "/r/c-1b.wav")


@pytest.mark.rule("R11.1")
def test_the_schema_refuses_the_callers_number_and_a_bad_target():
    schema = SCHEMAS["call_record"]
    with pytest.raises(ValidationError):
        schema.model_validate({**a_call_record(), "caller": "13912345678"})
    with pytest.raises(ValidationError):
        schema.model_validate(
            {**a_call_record(), "transfers": [{"at": T0.isoformat(), "target": "110; rm", "mode": "blind"}]}
        )


@pytest.mark.rule("R11.1")
def test_a_call_record_with_a_bad_time_names_the_rule(registered, act):
    with pytest.raises(RuleViolation, match="R11.1"):
        act(registered(), "call_record", {**a_call_record(), "hangup_at": "yesterday"})
    with pytest.raises(RuleViolation, match="R11.1"):
        act(
            registered(),
            "call_record",
            {**a_call_record(), "transfers": [{"at": T0.isoformat(), "target": "110", "mode": "teleport"}]},
        )


@pytest.mark.rule("R20.3")
def test_a_referral_carries_its_phone_transfer_and_outcome(registered, act):
    payload = {
        "target": "110",
        "outcome": "transferred",
        "transfer_mode": "three_way",
        "transfer_result": "done",
        "call_id": "c-1",
    }
    SCHEMAS["referral"].model_validate(payload)
    (r,) = act(registered(), "referral", payload).referrals
    assert (r.transfer_mode, r.transfer_result, r.call_id) == ("three_way", "done", "c-1")
    with pytest.raises(RuleViolation, match="R20.3"):
        act(registered(), "referral", {**payload, "transfer_result": None})
    with pytest.raises(RuleViolation, match="R20.3"):
        act(registered(), "referral", {**payload, "transfer_mode": "conference"})
