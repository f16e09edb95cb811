"""Unit and supervisor actions through the API, applied by the same workflow as a seat's events."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest


def _status(api, number: str) -> str:
    return api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()["ticket"]["ticket"][
        "status"
    ]


@pytest.mark.rule("R22.1")
def test_a_unit_receives_and_responds(api):
    ticket_id, number = api.ticket(lead="city_housing")
    r = api.act("unit", number, "receive")
    assert r.status_code == 200 and r.json()["ticket"]["ticket"]["status"] == "in_progress"
    assert r.json()["ticket"]["clock"]["name"] == "resolution"
    r = api.act("unit", number, "respond", {"result": "已维修", "told_appellant": True})
    assert r.status_code == 200 and _status(api, number) == "responded"
    events = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()["events"]
    assert events[-1]["role"] == "unit" and events[-1]["payload"]["unit"] == "city_housing"


@pytest.mark.rule("R28.1")
def test_a_unit_returns_a_ticket_that_is_not_its_duty(api):
    ticket_id, number = api.ticket(lead="city_housing")
    r = api.act("unit", number, "return_to_centre", {"reason": "不属于本单位职责"})
    assert r.status_code == 200 and _status(api, number) == "returned"
    r = api.act("supervisor", number, "dispatch", {"lead_unit": "heat_group"})
    assert r.status_code == 200 and _status(api, number) == "dispatched"
    assert api.client.get(f"/v1/tickets/{number}", headers=api.headers("unit")).status_code == 404


@pytest.mark.rule("R22.2")
def test_an_extension_is_asked_and_approved_or_denied(api):
    ticket_id, number = api.ticket(lead="city_housing")
    received = api.act("unit", number, "receive").json()["ticket"]
    due = datetime.fromisoformat(received["clock"]["due_at"])
    ask = {
        "reason": "需协调多部门",
        "progress": "已勘查",
        "measures": "约谈物业",
        "new_due": (due + timedelta(days=10)).isoformat(),
    }
    assert api.act("unit", number, "request_extension", ask).status_code == 200
    denied = api.act("supervisor", number, "deny_extension", {"reason": "理由不充分"})
    assert denied.status_code == 200 and denied.json()["ticket"]["ticket"]["status"] == "in_progress"
    again = api.act("unit", number, "request_extension", ask)
    assert again.status_code == 200
    approved = api.act("supervisor", number, "approve_extension")
    assert approved.status_code == 200 and approved.json()["ticket"]["clock"]["name"] == "extension"


@pytest.mark.rule("R22.2")
def test_an_extension_beyond_two_months_names_the_rule(api):
    ticket_id, number = api.ticket(lead="city_housing")
    due = datetime.fromisoformat(api.act("unit", number, "receive").json()["ticket"]["clock"]["due_at"])
    ask = {"reason": "x", "progress": "x", "measures": "x", "new_due": (due + timedelta(days=90)).isoformat()}
    r = api.act("unit", number, "request_extension", ask)
    assert r.status_code == 422 and r.json()["rule"] == "R22.2" and "2 months" in r.json()["detail"]


@pytest.mark.rule("R25.1")
@pytest.mark.rule("R24.1")
def test_a_supervisor_supervises_and_escalates(api):
    ticket_id, number = api.ticket(lead="city_housing")
    r = api.act("supervisor", number, "supervise", {"ground": 3, "note": "推诿扯皮"})
    assert r.status_code == 200 and r.json()["ticket"]["ticket"]["supervisions"][0]["level"] == 1
    r = api.act("supervisor", number, "escalate", {"note": "提请上级协调"})
    assert r.status_code == 200 and r.json()["ticket"]["ticket"]["coordination_level"] == 1


@pytest.mark.rule("R20.2")
def test_the_centre_accepts_or_refuses(api):
    a = api.ticket(lead=None)[1]
    b = api.ticket(lead=None)[1]
    assert api.act("supervisor", a, "accept").status_code == 200
    assert api.act("seat", b, "refuse", {"reason": "不属于受理范围"}).json()["ticket"]["ticket"]["status"] == "refused"


def test_an_action_for_another_role_is_403_and_names_who_may(api):
    ticket_id, number = api.ticket(lead="city_housing")
    r = api.act("seat", number, "receive")
    assert r.status_code == 403 and "unit" in r.json()["detail"]


def test_an_unknown_action_is_a_422(api):
    ticket_id, number = api.ticket(lead="city_housing")
    assert api.act("supervisor", number, "register").status_code == 422
    assert api.act("supervisor", number, "teleport").status_code == 422


def test_an_action_with_its_own_id_is_idempotent(api):
    ticket_id, number = api.ticket(lead="city_housing")
    key = "01KC0000000000000000000001"
    first = api.act("unit", number, "receive", event_id=key)
    api.clock.advance(minutes=3)
    again = api.act("unit", number, "receive", event_id=key)
    assert first.status_code == again.status_code == 200
    assert again.json()["result"]["replayed"] is True
    assert again.json()["result"]["seq"] == first.json()["result"]["seq"]
    other = api.act("unit", number, "return_to_centre", {"reason": "x"}, event_id=key)
    assert other.status_code == 409


def test_a_unit_always_acts_as_itself(api):
    ticket_id, number = api.ticket(lead="city_housing")
    r = api.act("unit", number, "receive", {"unit": "heat_group"})
    assert r.status_code == 200
    events = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()["events"]
    assert events[-1]["payload"]["unit"] == "city_housing"


def test_an_unknown_ticket_is_404(api):
    assert api.act("supervisor", "99999", "accept").status_code == 404
    assert api.client.get("/v1/tickets/99999", headers=api.headers("seat")).status_code == 404
