"""The server is the authority (issue 11): who acted, for which seat and unit, and when, is what the
token and the server's clock prove — never what an event claims. Each test reproduces one defect
seen on a live server, through the push API and, where it has one, the action API."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from operator_tui.contract import EventIn
from operator_tui.domain import workflow
from operator_tui.domain.model import Role
from server_stub import auth, ingest

LEAD, CO = "heat_group", "city_housing"  # tokens: unit2 (heat_group) leads, unit (city_housing) co-handles


def _detail(api, number: str) -> dict:
    return api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()


def _received(api, number: str, who: str = "unit") -> datetime:
    """The ticket signed for by `who` through the action API; its resolution due time."""
    r = api.act(who, number, "receive")
    assert r.status_code == 200, r.text
    return datetime.fromisoformat(r.json()["ticket"]["clock"]["due_at"])


def _extension(due: datetime) -> dict:
    return {
        "reason": "需协调多部门",
        "progress": "已勘查",
        "measures": "约谈物业",
        "new_due": (due + timedelta(days=10)).isoformat(),
    }


def _one(api, who: str, event: dict, **kw) -> dict:
    r = api.push(who, [event], **kw)
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def _token(api, **body) -> str:
    r = api.client.post("/v1/principals", json=body, headers=api.headers("admin"))
    assert r.status_code == 201, r.text
    return r.json()["token"]


# --- R22.2: a deadline is judged at the server's receipt, whatever the event claims -------------


@pytest.mark.rule("R22.2")
@pytest.mark.parametrize("sent_at", ["none", "as-claimed"])
def test_a_unit_cannot_backdate_an_extension_request_past_its_limit(api, sent_at):
    ticket_id, number = api.ticket(lead="city_housing")
    due = _received(api, number)
    api.clock.advance(days=20)  # the limit passed long ago
    claimed = due - timedelta(hours=1)
    ask = api.event("request_extension", ticket_id, _extension(due), role="unit", at=claimed)
    result = _one(api, "unit", ask, sent_at=claimed if sent_at == "as-claimed" else None)
    assert result["status"] == "rejected" and result["rule"] == "R22.2", result
    assert "within the resolution limit" in result["reason"]
    via_action = api.act("unit", number, "request_extension", _extension(due))  # the action API agrees
    assert via_action.status_code == 422 and via_action.json()["rule"] == "R22.2"
    assert _detail(api, number)["ticket"]["ticket"]["status"] == "in_progress"


@pytest.mark.rule("R22.2")
def test_a_units_pushed_act_is_applied_at_receipt(api):
    ticket_id, number = api.ticket(lead="city_housing")
    due = _received(api, number)
    api.clock.advance(hours=2)
    ask = api.event(
        "request_extension", ticket_id, _extension(due), role="unit", at=api.clock.now() - timedelta(days=1)
    )
    assert _one(api, "unit", ask)["status"] == "applied"
    event = _detail(api, number)["events"][-1]
    assert event["applied_at"] == event["received_at"]
    assert datetime.fromisoformat(event["at"]) == api.clock.now() - timedelta(days=1)  # the claim is kept as said
    assert _detail(api, number)["ticket"]["ticket"]["extension"]["requested_at"] == event["received_at"]


# --- R33.1 / R18.2: the actor, seat and unit are the token's ------------------------------------


@pytest.mark.rule("R33.1")
@pytest.mark.rule("R18.2")
@pytest.mark.parametrize("who,role", [("seat", "operator"), ("supervisor", "supervisor"), ("unit", "unit")])
def test_a_note_pushed_under_another_name_is_stored_under_the_tokens(api, who, role):
    ticket_id, number = api.ticket(lead="city_housing")
    me = api.client.get("/v1/me", headers=api.headers(who)).json()
    note = {
        **api.event("add_note", ticket_id, {"text": "补充说明", "unit": "heat_group"}, role=role),
        "actor": "someone-else",
        "seat": "001",
    }
    assert _one(api, who, note)["status"] == "applied"
    event = _detail(api, number)["events"][-1]
    assert event["actor"] == me["name"] != "someone-else"
    assert event["seat"] != "001"
    assert event["seat"] == (me.get("seat") or event["seat"])
    if role == "unit":
        assert event["payload"]["unit"] == "city_housing"  # not the unit it claimed to act for
    assert "someone-else" not in api.storage.dump()  # the claim is stored nowhere


@pytest.mark.rule("R33.1")
def test_a_token_with_a_staff_number_records_the_staff_number(api):
    token = _token(api, name="王芳", role="operator", seat="013", staff_no="10086")
    ticket_id, number, events = api.register(seat="013")
    r = api.client.post("/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {token}"})
    assert r.json()["results"][0]["status"] == "applied"
    assert _detail(api, number)["events"][0]["actor"] == "10086"
    assert _detail(api, number)["ticket"]["ticket"]["operator"] == "10086"


@pytest.mark.rule("R33.1")
def test_an_action_is_recorded_under_the_tokens_actor_and_origin(api):
    ticket_id, number = api.ticket(lead="city_housing")
    assert api.act("unit", number, "add_note", {"text": "已联系"}).status_code == 200
    me = api.client.get("/v1/me", headers=api.headers("unit")).json()
    event = _detail(api, number)["events"][-1]
    assert event["actor"] == me["name"] and event["seat"] == "unit:city_housing"


@pytest.mark.rule("R16.1")
def test_a_retry_is_recognised_although_the_server_replaced_its_claims(api):
    ticket_id, number = api.ticket(lead="city_housing")
    note = {**api.event("add_note", ticket_id, {"text": "补充"}), "actor": "someone-else"}
    first = _one(api, "seat", note)
    again = _one(api, "seat", note)
    assert first["status"] == "applied" and again["replayed"] and again["seq"] == first["seq"]


# --- R18.1: a seat registers only in its own series --------------------------------------------


@pytest.mark.rule("R18.1")
def test_a_seat_cannot_take_another_seats_number_and_the_owner_still_registers_it(api):
    ticket_id, number, events = api.register(seat="012")  # seat 012's next number
    stolen = {**events[0], "ticket_id": "01" + ticket_id[2:-2] + "ZZ", "id": "01" + events[0]["id"][2:-2] + "ZZ"}
    result = _one(api, "seat2", stolen)  # seat 013's token
    assert result["status"] == "rejected" and result["rule"] == "R18.1"
    assert "seat 012's series" in result["reason"] and "seat 013" in result["reason"]
    own = _one(api, "seat", events[0])  # seat 012's real call with that number
    assert own["status"] == "applied"
    assert _detail(api, number)["ticket"]["ticket"]["id"] == ticket_id


@pytest.mark.rule("R18.1")
@pytest.mark.parametrize("number", ["26110201200001", "261102012001", "2611020１20001", "26110201２0001"])
def test_a_number_not_in_the_seats_shape_is_refused(api, number):
    ticket_id, _, events = api.register()
    events[0]["payload"]["number"] = number
    r = api.push("seat", events)
    if r.status_code == 200:
        result = r.json()["results"][0]
        assert result["status"] == "rejected" and result["rule"] == "R18.1"
    else:  # refused at the door by the payload schema: as good
        assert r.status_code == 422 and "number" in r.json()["detail"]


@pytest.mark.rule("R33.1")
@pytest.mark.parametrize("who", ["operator-without-seat", "supervisor", "admin"])
def test_a_token_without_an_enrolled_seat_cannot_register(api, who):
    token = _token(api, name="无坐席", role="operator") if who == "operator-without-seat" else api.tokens[who]
    headers = {"Authorization": f"Bearer {token}"}
    ticket_id, number, events = api.register(seat="012")
    result = api.client.post("/v1/events", json={"events": events}, headers=headers).json()["results"][0]
    assert result["status"] == "rejected" and result["rule"] == "R33.1" and "no enrolled seat" in result["reason"]
    assert api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).status_code == 404


@pytest.mark.rule("R33.1")
def test_a_seatless_token_cannot_record_events_as_a_seat(api):
    token = _token(api, name="无坐席", role="operator")
    ticket_id, number = api.ticket(lead="city_housing")
    note = api.event("add_note", ticket_id, {"text": "补充"}, seat="012")
    r = api.client.post("/v1/events", json={"events": [note]}, headers={"Authorization": f"Bearer {token}"})
    assert r.json()["results"][0]["status"] == "applied"
    assert _detail(api, number)["events"][-1]["seat"].startswith("operator:")


# --- R24.2: a co-handling unit does only co-unit things -----------------------------------------

LEAD_ACTS = [
    ("receive", lambda due: {}),
    ("return_to_centre", lambda due: {"reason": "不属于本单位职责"}),
    ("request_extension", _extension),
    ("respond", lambda due: {"result": "已处理", "told_appellant": True}),
]


@pytest.mark.rule("R24.2")
@pytest.mark.parametrize("kind,payload", LEAD_ACTS, ids=[k for k, _ in LEAD_ACTS])
def test_a_co_unit_cannot_do_the_lead_units_acts(api, kind, payload):
    ticket_id, number = api.ticket(lead=LEAD, co=(CO,))
    due = datetime.fromisoformat(
        api.act("supervisor", number, "add_note", {"text": "x"}).json()["ticket"]["clock"]["due_at"]
    )
    if kind != "receive":
        due = _received(api, number, who="unit2")  # the lead signs for it
    before = _detail(api, number)["ticket"]["ticket"]["status"]
    pushed = _one(api, "unit", api.event(kind, ticket_id, payload(due), role="unit"))
    assert pushed["status"] == "rejected" and pushed["rule"] == "R24.2" and "lead unit" in pushed["reason"]
    acted = api.act("unit", number, kind, payload(due))
    assert acted.status_code == 422 and acted.json()["rule"] == "R24.2"
    assert _detail(api, number)["ticket"]["ticket"]["status"] == before
    assert api.act("unit2", number, kind, payload(due)).status_code == 200  # the lead may


@pytest.mark.rule("R24.2")
def test_a_co_unit_adds_notes(api):
    ticket_id, number = api.ticket(lead=LEAD, co=(CO,))
    assert _one(api, "unit", api.event("add_note", ticket_id, {"text": "协办意见"}, role="unit"))["status"] == "applied"
    assert api.act("unit", number, "add_note", {"text": "协办意见二"}).status_code == 200
    notes = _detail(api, number)["ticket"]["ticket"]["notes"]
    assert [n["text"] for n in notes] == ["协办意见", "协办意见二"]


@pytest.mark.rule("R26.1")
def test_a_unit_that_does_not_hold_the_ticket_is_refused_alike_by_push_and_action(api):
    ticket_id, number = api.ticket(lead=LEAD)
    pushed = _one(api, "unit", api.event("add_note", ticket_id, {"text": "x"}, role="unit"))
    assert pushed["status"] == "rejected" and pushed["rule"] == "R26.1"
    assert api.act("unit", number, "add_note", {"text": "x"}).status_code == 404  # its existence is not told


@pytest.mark.rule("R24.2")
def test_the_action_api_names_the_parties_that_may(api):
    ticket_id, number = api.ticket(lead=LEAD)
    r = api.act("seat", number, "respond", {"result": "x", "told_appellant": True})
    assert r.status_code == 403 and "lead_unit" in r.json()["detail"]


# --- R18.2: a payload the effects cannot read is the seat's mistake; a bug is the server's -------


@pytest.mark.rule("R18.2")
def test_an_unreadable_payload_is_a_rejection_that_does_not_echo_it(api, rules):
    """The payload schema at the door refuses this first; ingest must still answer it as the seat's
    mistake (a rejection), not as a server bug, should anything unreadable get past the door."""
    ticket_id, number = api.ticket(lead=None)
    api.push("seat", [api.event("accept", ticket_id)])
    raw = api.event("dispatch", ticket_id, {"lead_unit": {"秘密": "13800000000"}})
    bad = EventIn.model_construct(**{**raw, "role": Role.OPERATOR, "at": api.clock.now()})
    with api.storage.read() as tx:
        seat = auth.lookup(tx, api.tokens["seat"])
    result = ingest.push(api.storage, rules, seat, [bad], None, api.clock.now())[0]
    assert result.status == "rejected" and result.rule == "R18.2"
    assert "13800000000" not in (result.reason or "") and "TypeError" in (result.reason or "")


@pytest.mark.rule("R33.1")
def test_a_bug_is_a_500_logged_without_personal_data_and_nothing_is_applied(api, monkeypatch, caplog):
    def broken(ticket, taxonomy):
        raise AssertionError(f"{ticket.appellant.name} {ticket.appellant.phone}")

    monkeypatch.setattr(workflow, "check_invariants", broken)
    ticket_id, number, events = api.register(name="张三丰", phone="13912345678")
    with caplog.at_level(logging.ERROR):
        r = api.push("seat", events)
    assert r.status_code == 500
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert events[0]["id"] in logged and "AssertionError" in logged
    assert "张三丰" not in logged and "13912345678" not in logged
    with api.storage.read() as tx:
        assert tx.event_count() == 0  # the batch was rolled back: the retry after a fix applies it
    monkeypatch.undo()
    assert api.push("seat", events).json()["results"][0]["status"] == "applied"
