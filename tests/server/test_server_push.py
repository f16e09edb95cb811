"""POST /v1/events: idempotent by event ULID, every event through the workflow, clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.rule("R16.1")


def _server_events(api) -> int:
    with api.storage.read() as tx:
        return tx.event_count()


def test_a_batch_is_applied_in_order_and_answered_per_event(api):
    ticket_id, number, events = api.register()
    events += [api.event("accept", ticket_id), api.event("dispatch", ticket_id, {"lead_unit": "city_housing"})]
    r = api.push("seat", events)
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["applied"] * 3
    assert [x["ticket_status"] for x in results] == ["registered", "accepted", "dispatched"]
    assert results[0]["seq"] < results[1]["seq"] < results[2]["seq"]


def test_a_retried_batch_gets_the_stored_answer_and_changes_nothing(api):
    ticket_id, number, events = api.register()
    events.append(api.event("accept", ticket_id))
    first = api.push("seat", events).json()["results"]
    api.clock.advance(minutes=5)
    again = api.push("seat", events).json()["results"]
    assert [x["replayed"] for x in again] == [True, True]
    for a, b in zip(first, again):
        assert {**a, "replayed": True} == b  # the stored answer, receipt time included
    assert _server_events(api) == 2


def test_the_same_id_inside_one_batch_is_applied_once(api):
    ticket_id, number, events = api.register()
    r = api.push("seat", events + events)
    assert r.status_code == 200
    assert [x["replayed"] for x in r.json()["results"]] == [False, True]
    assert _server_events(api) == 1


def test_a_rejection_is_also_replayed_not_reapplied(api):
    ticket_id, number = api.ticket(lead=None)
    bad = api.event("dispatch", ticket_id, {"lead_unit": "city_housing"})  # before acceptance
    first = api.push("seat", [bad]).json()["results"][0]
    assert first["status"] == "rejected" and first["rule"] == "R20.2"
    again = api.push("seat", [bad]).json()["results"][0]
    assert again["replayed"] and again["rule"] == "R20.2" and again["reason"] == first["reason"]


def test_the_same_id_with_different_content_is_a_409_and_nothing_is_applied(api):
    ticket_id, number, events = api.register()
    api.push("seat", events)
    changed = dict(events[0], payload={**events[0]["payload"], "description": "改过的内容"})
    fresh = api.event("accept", ticket_id)
    r = api.push("seat", [fresh, changed])
    assert r.status_code == 409
    body = r.json()
    assert "different content" in body["detail"] and "nothing" in body["detail"]
    assert [c["id"] for c in body["conflicts"]] == [changed["id"]]
    assert _server_events(api) == 1  # `fresh` was not applied either


def test_a_key_order_or_time_zone_spelling_is_not_a_different_payload(api):
    ticket_id, number, events = api.register()
    api.push("seat", events)
    e = events[0]
    respelled = {
        **e,
        "payload": dict(reversed(list(e["payload"].items()))),
        "at": api.clock.now().astimezone(UTC).isoformat(),
    }
    r = api.push("seat", [respelled])
    assert r.status_code == 200 and r.json()["results"][0]["replayed"]


@pytest.mark.rule("R18.1")
def test_a_ticket_number_is_never_given_to_two_tickets(api):
    ticket_id, number, events = api.register()
    api.push("seat", events)
    other = api.event("register", "01" + ticket_id[2:-2] + "ZZ", events[0]["payload"])
    result = api.push("seat", [other]).json()["results"][0]
    assert result["status"] == "rejected" and result["rule"] == "R18.1"
    assert "already used" in result["reason"]


def test_a_rejection_names_the_rule_and_the_reason(api):
    ticket_id, number = api.ticket()
    respond = api.event(
        "respond", ticket_id, {"unit": "city_housing", "result": "ok", "told_appellant": True}, role="unit"
    )
    result = api.push("unit", [respond]).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["rule"] == "R21.1"  # respond needs the ticket in progress (signed for)
    assert "派" in result["reason"] or "cannot" in result["reason"]


@pytest.mark.rule("R33.1")
@pytest.mark.parametrize(
    "who,role,seat,expect",
    [
        ("seat", "supervisor", "012", "may not record events as supervisor"),
        ("unit", "operator", "012", "may not record events as operator"),
        ("supervisor", "admin", "012", "may not record events as admin"),
    ],
)
def test_a_token_records_events_only_in_its_own_name(api, who, role, seat, expect):
    ticket_id, number, events = api.register()
    events[0].update(role=role, seat=seat)
    result = api.push(who, events).json()["results"][0]
    assert result["status"] == "rejected" and result["rule"] == "R33.1" and expect in result["reason"]


@pytest.mark.rule("R33.1")
def test_a_claimed_seat_is_replaced_by_the_tokens(api):
    ticket_id, number, events = api.register()  # a number in seat 012's series
    events[0]["seat"] = "013"
    assert api.push("seat", events).json()["results"][0]["status"] == "applied"
    detail = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()
    assert detail["events"][0]["seat"] == detail["ticket"]["ticket"]["seat"] == "012"


@pytest.mark.rule("R33.1")
@pytest.mark.rule("R26.1")
def test_a_unit_token_acts_only_for_its_unit(api):
    ticket_id, number = api.ticket(lead="heat_group")
    receive = api.event("receive", ticket_id, {"unit": "heat_group"}, role="unit")
    result = api.push("unit", [receive]).json()["results"][0]  # `unit` is city_housing: it acts as itself
    assert result["status"] == "rejected" and result["rule"] == "R26.1" and "city_housing" in result["reason"]


def test_an_unreadable_payload_is_a_clear_422_not_a_crash(api):
    # Strict payloads (operator_tui/payloads.py): a payload of the wrong shape is refused at the
    # edge, naming the event and the key; nothing of the batch is applied, so the seat's push can
    # set that one event aside and send the rest.
    ticket_id, number = api.ticket(lead=None)
    weird = api.event("accept", ticket_id)
    weird2 = api.event("dispatch", ticket_id, {"lead_unit": ["not", "a", "code"]})
    r = api.push("seat", [weird, weird2])
    assert r.status_code == 422
    assert weird2["id"] in r.json()["detail"] and "lead_unit" in r.json()["detail"]
    assert api.push("seat", [weird]).json()["results"][0]["status"] == "applied"


def test_a_seat_clock_a_day_fast_is_corrected_on_the_server(api):
    seat_now = api.clock.now() + timedelta(days=1)
    ticket_id, number, events = api.register()
    events[0]["at"] = (seat_now - timedelta(hours=2)).isoformat()  # recorded 2 hours ago, seat time
    assert api.push("seat", events, sent_at=seat_now).status_code == 200
    detail = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()
    registered = detail["ticket"]["ticket"]["registered_at"]
    assert abs(datetime.fromisoformat(registered) - (api.clock.now() - timedelta(hours=2))) < timedelta(seconds=1)
    assert detail["events"][0]["at"] == events[0]["at"]  # the seat's own time is kept too


def test_small_clock_differences_are_left_alone(api):
    ticket_id, number, events = api.register()
    api.push("seat", events, sent_at=api.clock.now() + timedelta(seconds=30))
    detail = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()
    applied = datetime.fromisoformat(detail["events"][0]["applied_at"])
    assert applied == datetime.fromisoformat(detail["ticket"]["ticket"]["registered_at"]) == api.clock.now()


def test_a_batch_over_the_limit_is_refused_with_a_clear_message(api):
    ticket_id, number, events = api.register()
    r = api.push("seat", events * 1001)
    assert r.status_code == 422
    assert "events" in r.json()["detail"] and "1000" in r.json()["detail"]


def test_an_oversized_body_is_a_413(api):
    r = api.client.post(
        "/v1/events",
        content=b"{" + b" " * (5 * 1024 * 1024 + 10) + b"}",
        headers={**api.headers("seat"), "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert "too large" in r.json()["detail"]


def test_an_oversized_chunked_body_is_a_413(api):
    def chunks():
        yield b'{"events": ['
        for _ in range(6 * 1024):
            yield b" " * 1024

    r = api.client.post(
        "/v1/events", content=chunks(), headers={**api.headers("seat"), "content-type": "application/json"}
    )
    assert r.status_code == 413


@pytest.mark.parametrize(
    "body,needle",
    [
        (b"{not json", "not valid JSON"),
        (b'{"events": "x"}', "events"),
        (b'{"events": [{"id": "nope"}]}', "events.0"),
        (b"[]", "body"),
    ],
)
def test_malformed_bodies_get_a_422_that_says_what_is_wrong(api, body, needle):
    r = api.client.post("/v1/events", content=body, headers={**api.headers("seat"), "content-type": "application/json"})
    assert r.status_code == 422
    assert needle in r.json()["detail"]


def test_an_event_time_without_a_zone_is_refused(api):
    ticket_id, number, events = api.register()
    events[0]["at"] = "2026-11-02T09:00:00"
    r = api.push("seat", events)
    assert r.status_code == 422 and "timezone" in r.json()["detail"].lower()
