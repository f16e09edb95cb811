"""Property tests: random event sequences through the transition table keep the regulation's invariants.

Each example registers a ticket, then draws up to 30 events: mostly kinds that move the ticket along
its usual path, often any kind the table allows in its current status, sometimes any kind at all;
mostly a role the table allows, sometimes any role; payloads plausible but sometimes incomplete or
wrong (empty texts, unknown units, a unit that does not hold the ticket, out-of-range stars). Events the workflow refuses (RuleViolation)
are skipped. After every accepted event the invariants below are checked by this test's own code
(not by `workflow.check_invariants`), and at the end the accepted events replay to the same ticket.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ulid import ULID

from operator_tui.domain.deadlines import running_clock
from operator_tui.domain.effects import ADVICE_CHANNELS, CREDIT_KINDS, REFERRAL_OUTCOMES, REFERRAL_TARGETS
from operator_tui.domain.errors import RuleViolation
from operator_tui.domain.model import CLOSED_STATUSES, Event, Role, Status, Ticket
from operator_tui.domain.workflow import LEAD_ONLY, TABLE, TRANSITIONS, UNIT_SCOPED

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Status
KINDS = sorted(t.kind for t in TABLE if t.sources is not None)
ROLES = list(Role)
UNITS = ["heat_group", "city_housing", "gov_tiedong", "city_market", "water_group", "city_petition", "ghost_unit"]
STARTS = [
    datetime(2026, 9, 28, 9, tzinfo=SHANGHAI),
    datetime(2026, 11, 2, 9, tzinfo=SHANGHAI),
    datetime(2026, 12, 21, 15, tzinfo=SHANGHAI),
]
HANDLED = {
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.EXTENSION_REQUESTED,
    S.RESPONDED,
    S.AWAITING_CALLBACK,
    S.RATED,
    S.RATING_DISPUTED,
    S.RERATED,
}
CLOCKED = {S.REGISTERED, S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS, S.EXTENSION_REQUESTED}
# Kinds that move a ticket along its usual path; drawn more often so examples reach callbacks,
# rating disputes and archiving instead of mostly closing at intake.
FORWARD = {
    "accept",
    "dispatch",
    "receive",
    "respond",
    "review_pass",
    "review_return",
    "callback",
    "archive",
    "request_extension",
    "approve_extension",
    "deny_extension",
    "dispute_rating",
    "rerate",
    "confirm_rating",
}
KINDS_ON_CLOSED = {t.kind for t in TABLE if t.sources and t.sources & CLOSED_STATUSES}
HISTORIES = (
    "referrals",
    "notes",
    "supervisions",
    "callbacks",
    "credit_marks",
    "linked_calls",
    "return_reasons",
    "rating_history",
)


def reachable_statuses() -> set[Status]:
    seen, todo = {S.REGISTERED}, deque([S.REGISTERED])
    while todo:
        s = todo.popleft()
        for t in TABLE:
            if t.sources and s in t.sources and t.target and t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return seen


REACHABLE = reachable_statuses()

text = st.sampled_from(["", "   "] + ["已处理", "诉求人表示理解", "需协调多个部门", "x" * 30] * 3)
some_text = st.sampled_from(["已处理", "诉求人表示理解", "需协调多个部门", "现场核查"])
stars = st.integers(0, 6)


def ratings():
    return st.one_of(
        st.fixed_dictionaries({k: st.integers(1, 5) for k in ("timeliness", "result", "attitude", "overall")}),
        st.fixed_dictionaries({k: stars for k in ("timeliness", "result", "attitude", "overall")}),
        st.just({"timeliness": 5}),
    )


def draw_payload(data, rules, kind: str, ticket: Ticket, role: Role, at: datetime) -> dict:
    d = data.draw
    units = st.sampled_from(list(ticket.units) + UNITS)
    held = st.sampled_from(list(ticket.units)) if ticket.units else units
    p: dict = {}
    if kind == "answer_on_spot":
        p = {"answer": d(text)}
    elif kind in ("refuse", "return_to_centre", "review_return", "deny_extension", "dispute_rating", "recusal_request"):
        p = {"reason": d(text)}
    elif kind == "advise_channel":
        p = {"channel": d(st.sampled_from([*ADVICE_CHANNELS, "newspaper"])), "text": d(text)}
    elif kind in ("dispatch", "set_units"):
        p = {"lead_unit": d(st.one_of(st.none(), units)), "co_units": d(st.lists(units, max_size=3))}
    elif kind == "request_extension":
        clock = running_clock(ticket, at, rules.clocks, rules.taxonomy)
        base = clock.due.at if clock else at
        p = {
            "reason": d(text),
            "progress": d(some_text),
            "measures": d(some_text),
            "new_due": (
                base + timedelta(days=d(st.integers(-5, 70)), seconds=d(st.sampled_from([0, 1, -1])))
            ).isoformat(),
        }
    elif kind == "approve_extension":
        if d(st.booleans()) and ticket.extension is not None:
            p = {"due": (ticket.extension.requested_due + timedelta(days=d(st.integers(-20, 40)))).isoformat()}
    elif kind == "respond":
        p = {"result": d(text), "told_appellant": d(st.sampled_from([True, True, True, False, "yes"]))}
    elif kind in ("callback", "rerate"):
        p = {"ratings": d(ratings()), "words": d(text)}
    elif kind == "callback_failed":
        p = {"note": d(text)}
    elif kind == "escalate":
        p = {"note": d(text)}
    elif kind == "supervise":
        p = {"ground": d(st.integers(0, 6)), "note": d(text)}
    elif kind == "recusal_decision":
        p = {"granted": d(st.sampled_from([True, False, "yes"])), "reply": d(text)}
    elif kind == "referral":
        p = {
            "target": d(st.sampled_from([*REFERRAL_TARGETS, "911"])),
            "outcome": d(st.sampled_from([*REFERRAL_OUTCOMES, "lost"])),
            "reason": d(text),
        }
    elif kind == "link_call":
        p = {"call_id": d(st.sampled_from(["call-1", "call-2", ""]))}
    elif kind == "demand_explanation":
        p = {"reason": d(st.sampled_from(["overdue", "dispute", "bored"])), "text": d(text)}
    elif kind == "answer_explanation":
        ids = [x.event_id for x in ticket.explanation_demands] + ["01NOSUCHDEMAND"]
        p = {"demand_id": d(st.sampled_from(ids)), "answer": d(text)}
    elif kind == "credit_mark":
        p = {"kind": d(st.sampled_from([*CREDIT_KINDS, "rude"])), "evidence": d(text)}
    elif kind == "add_note":
        p = {"text": d(text)}
    if role is Role.UNIT:
        p["unit"] = d(st.sampled_from([ticket.lead_unit] * 6 if ticket.lead_unit else UNITS) | held | units)
    return p


def check_step(rules, before: Ticket, event: Event, after: Ticket) -> None:
    t = TRANSITIONS[event.kind]
    tax = rules.taxonomy
    # the table was obeyed
    assert before.status in t.sources and event.role in t.roles
    assert after.status == (t.target or before.status)
    assert after.status in REACHABLE
    if before.closed:
        assert event.kind in KINDS_ON_CLOSED and after.status == before.status
    if event.role is Role.UNIT and event.kind in UNIT_SCOPED:
        # R26.1: a unit acts only on a ticket it holds; R20.4: the 信访 department supervising a
        # 信访 ticket also writes its supervision notes on it (permissions.MAY["add_note"])
        holders = before.readers if event.kind == "add_note" else before.units
        assert event.payload["unit"] in holders
    if event.role is Role.UNIT and event.kind in LEAD_ONLY:
        assert event.payload["unit"] == before.lead_unit  # R24.2
    # R18.2: one event, one version; identity and history never rewritten
    assert after.version == before.version + 1
    assert (after.id, after.number, after.registered_at, after.seat) == (
        before.id,
        before.number,
        before.registered_at,
        before.seat,
    )
    assert after.updated_at == max(before.updated_at, event.at)
    for field in HISTORIES:
        old, new = getattr(before, field), getattr(after, field)
        assert new[: len(old)] == old, field
    assert after.priority >= before.priority
    # never closed without a result, an answer or a reason
    if after.closed:
        assert after.closed_at is not None
        kept = {
            S.ANSWERED: after.answer,
            S.ADVISED: after.answer,
            S.REFUSED: after.refusal_reason,
            S.ARCHIVED: after.result,
        }[after.status]
        assert kept.strip()
    # never dispatched without a lead unit, every unit known
    if after.status in HANDLED or (after.dispatched_at and after.status not in (S.ACCEPTED, S.RETURNED)):
        assert after.lead_unit in tax.units
    assert all(u in tax.units for u in after.units)
    assert len(set(after.units)) == len(after.units)
    # R20.4: a 信访 ticket that holds units is led by or with a government and supervised by the
    # 信访 department, which is not one of its handling units
    if tax.is_petition(after.scope, after.matter) and after.units:
        assert after.supervising_unit == tax.petition_unit and tax.petition_unit not in after.units
        assert any(tax.units[u].government for u in after.units)
    # R23.2 / R23.1: ratings are 1–5; archived only with a rating (and a unit's result)
    if after.rating is not None:
        r = after.rating
        assert all(1 <= v <= 5 for v in (r.timeliness, r.result, r.attitude, r.overall))
    if after.status is S.ARCHIVED:
        assert after.rating is not None
    # R24.1 / R25.1: ladders stop at level 3 and climb one step at a time
    assert 0 <= after.coordination_level <= 3
    assert after.coordination_level - before.coordination_level in (0, 1)
    assert after.supervision_level - before.supervision_level in (0, 1) and after.supervision_level <= 3
    # R27.1: at most one open recusal pause
    assert sum(p.ended_at is None for p in after.pauses) <= 1
    # which clock runs is answerable at any time
    clock = running_clock(after, event.at, rules.clocks, rules.taxonomy)
    # (an open recusal request has its own decision limit, R27.1, whatever the status)
    assert (clock is not None) == (after.status in CLOCKED or after.paused)


@pytest.mark.rule("R18.2")
@pytest.mark.rule("R20.4")
@pytest.mark.rule("R24.2")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_event_sequences_keep_the_invariants(rules, data):
    wf = rules.workflow
    at = data.draw(st.sampled_from(STARTS), label="start")
    scope = data.draw(st.sampled_from([None, 4]), label="scope")
    matter = data.draw(st.sampled_from(["heating_temperature", "petition", "gov_information", "wage_arrears"]))
    form = {
        "appellant": {
            "name": "李女士",
            "phone": "13800000000",
            "address": "立山区友好街道",
            "vulnerable": data.draw(st.sampled_from([[], ["elderly"]])),
        },
        "appeal_type": "complaint",
        "matter": matter,
        "place": "lishan.友好街道",
        "description": "反映情况",
        "channel": "hotline_8890",
        "number": "2611020010001",
    }
    if scope:
        form["scope"] = scope
    tid = str(ULID.from_datetime(at))
    register = Event(
        id=str(ULID.from_datetime(at)),
        ticket_id=tid,
        kind="register",
        actor="op",
        role=Role.OPERATOR,
        seat="001",
        at=at,
        payload=form,
    )
    ticket = wf.apply(None, register, at)
    accepted = [register]
    for _ in range(data.draw(st.integers(1, 30), label="steps")):
        allowed = [t.kind for t in TABLE if t.sources and ticket.status in t.sources]
        forward = [k for k in allowed if k in FORWARD]
        pick = data.draw(st.integers(0, 9))
        pool = forward if pick < 5 and forward else allowed if pick < 8 else KINDS
        kind = data.draw(st.sampled_from(pool))
        roles = sorted(TRANSITIONS[kind].roles)
        role = data.draw(st.sampled_from(roles) if data.draw(st.integers(0, 9)) < 9 else st.sampled_from(ROLES))
        at = at + timedelta(minutes=data.draw(st.integers(0, 4 * 24 * 60)))
        payload = draw_payload(data, rules, kind, ticket, role, at)
        e = Event(
            id=str(ULID.from_datetime(at)),
            ticket_id=tid,
            kind=kind,
            actor=f"{role.value}-x",
            role=role,
            seat="001",
            at=at,
            payload=payload,
        )
        try:
            after = wf.apply(ticket, e, at)
        except RuleViolation as exc:
            assert exc.rule and exc.rule.startswith("R")
            continue
        check_step(rules, ticket, e, after)
        event(f"reached {after.status.value}")
        ticket = after
        accepted.append(e)
    assert ticket.version == len(accepted)
    # determinism: the accepted events replay to the same ticket, whatever the applier's clock
    assert wf.replay(accepted, at + timedelta(days=365)) == ticket


@pytest.mark.rule("R18.2")
def test_every_status_is_reachable_and_closed_ones_are_final():
    assert REACHABLE == set(Status)
    for t in TABLE:
        if t.sources and t.target is not None:
            assert not (t.sources & CLOSED_STATUSES), f"{t.kind} leaves a closed status"
