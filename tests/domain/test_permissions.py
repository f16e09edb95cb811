"""Who may do what (domain/permissions.py): one table for the seat, the push API and the action API
(R24.2 lead and co-units, R26.1 a unit acts only on tickets it holds, R33.1 tokens)."""

from __future__ import annotations

import pytest

from operator_tui.domain import permissions
from operator_tui.domain.errors import RuleViolation
from operator_tui.domain.model import Role, Status
from operator_tui.domain.permissions import MAY, RECORDS_AS, Party
from operator_tui.domain.workflow import LEAD_ONLY, TABLE, TRANSITIONS, UNIT_SCOPED

LEAD, CO, OTHER = "heat_group", "city_housing", "water_group"


def test_every_kind_has_one_line_and_the_transition_roles_are_derived_from_it():
    assert set(MAY) == set(TRANSITIONS)
    for t in TABLE:
        assert t.roles == permissions.roles(t.kind), t.kind
        assert MAY[t.kind], t.kind


@pytest.mark.rule("R24.2")
def test_a_co_unit_only_adds_notes_and_its_staff_may_recuse():
    # R26.2: a recusal is a person's, whichever unit they work for; it speaks for no one else.
    assert {k for k, parties in MAY.items() if Party.CO_UNIT in parties} == {"add_note", "recusal_request"}


@pytest.mark.rule("R20.4")
def test_the_supervising_petition_department_only_adds_notes():
    assert {k for k, parties in MAY.items() if Party.SUPERVISING_UNIT in parties} == {"add_note"}


@pytest.mark.rule("R24.2")
def test_the_lead_units_acts_are_the_leads_alone():
    assert {
        "receive",
        "return_to_centre",
        "request_extension",
        "respond",
        "dispute_rating",
        "answer_explanation",
    } == LEAD_ONLY
    assert UNIT_SCOPED == LEAD_ONLY | {"add_note", "recusal_request"}


def test_the_sweep_only_supervises_and_archives():
    assert {k for k, parties in MAY.items() if Party.SYSTEM in parties} == {"supervise", "archive"}


@pytest.mark.rule("R33.1")
def test_a_token_records_events_never_above_its_role_nor_as_the_sweep():
    rank = {Role.OPERATOR: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}
    for token, may in RECORDS_AS.items():
        assert token in may
        if token is not Role.SYSTEM:
            assert Role.SYSTEM not in may
        if token in rank:
            assert all(r in rank and rank[r] <= rank[token] for r in may)
    assert RECORDS_AS[Role.UNIT] == {Role.UNIT}


@pytest.mark.rule("R26.1")
def test_a_unit_is_lead_co_or_no_party(ticket_in):
    t = ticket_in("dispatched").model_copy(update={"co_units": (CO,)})
    assert permissions.party(Role.UNIT, LEAD, t) is Party.LEAD_UNIT
    assert permissions.party(Role.UNIT, CO, t) is Party.CO_UNIT
    assert permissions.party(Role.UNIT, OTHER, t) is None
    assert permissions.party(Role.UNIT, None, t) is None
    assert permissions.party(Role.SUPERVISOR, None, t) is Party.SUPERVISOR


def _co_ticket(ticket_in, status: str):
    return ticket_in(status).model_copy(update={"co_units": (CO,)})


@pytest.mark.rule("R24.2")
@pytest.mark.parametrize(
    "status,kind,payload",
    [
        ("dispatched", "receive", {}),
        ("dispatched", "return_to_centre", {"reason": "不属于本单位职责"}),
        ("in_progress", "return_to_centre", {"reason": "不属于本单位职责"}),
        ("in_progress", "respond", {"result": "已处理", "told_appellant": True}),
        ("rated", "dispute_rating", {"reason": "评价不实"}),
    ],
)
def test_the_workflow_refuses_a_co_unit_the_leads_acts(rules, ticket_in, event, status, kind, payload):
    t = _co_ticket(ticket_in, status)
    at = t.updated_at
    with pytest.raises(RuleViolation) as info:
        rules.workflow.apply(t, event(kind, t.id, {**payload, "unit": CO}, Role.UNIT, at), at)
    assert info.value.rule == "R24.2" and "lead unit" in info.value.message
    after = rules.workflow.apply(t, event(kind, t.id, {**payload, "unit": LEAD}, Role.UNIT, at), at)
    assert after.version == t.version + 1


@pytest.mark.rule("R24.2")
def test_a_co_unit_may_not_ask_for_an_extension(rules, ticket_in, event, extension_request):
    t = _co_ticket(ticket_in, "in_progress")
    at = t.updated_at
    with pytest.raises(RuleViolation) as info:
        rules.workflow.apply(
            t, event("request_extension", t.id, {**extension_request(t, at), "unit": CO}, Role.UNIT, at), at
        )
    assert info.value.rule == "R24.2"


@pytest.mark.rule("R24.2")
@pytest.mark.rule("R26.1")
def test_a_co_unit_adds_a_note_and_an_outsider_does_not(rules, ticket_in, event):
    t = _co_ticket(ticket_in, "in_progress")
    at = t.updated_at
    noted = rules.workflow.apply(t, event("add_note", t.id, {"text": "协办意见", "unit": CO}, Role.UNIT, at), at)
    assert noted.notes[-1].text == "协办意见"
    with pytest.raises(RuleViolation) as info:
        rules.workflow.apply(t, event("add_note", t.id, {"text": "x", "unit": OTHER}, Role.UNIT, at), at)
    assert info.value.rule == "R26.1"


@pytest.mark.rule("R24.2")
def test_the_screens_offer_a_unit_only_what_its_party_may(rules, ticket_in):
    t = _co_ticket(ticket_in, "in_progress")
    wf = rules.workflow
    as_lead = {tr.kind for tr in wf.allowed(t, Role.UNIT, unit=LEAD)}
    as_co = {tr.kind for tr in wf.allowed(t, Role.UNIT, unit=CO)}
    assert {"return_to_centre", "request_extension", "respond", "add_note"} <= as_lead
    assert as_co == {"add_note", "recusal_request"}
    assert wf.allowed(t, Role.UNIT, unit=OTHER) == []
    assert {tr.kind for tr in wf.allowed(t, Role.UNIT)} == as_lead  # without a unit: what any unit party may
    assert t.status is Status.IN_PROGRESS
