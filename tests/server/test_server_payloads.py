"""Strict payloads and malformed input at the server's edge (issue 11): unknown keys and oversized
values are refused with a 422 naming the event and the key; lone surrogates, deep nesting and odd
cursors get a clear 4xx, never a 5xx (a 5xx is retried, so it would block a seat's outbox for good)."""

from __future__ import annotations

import json

import pytest
from ulid import ULID

from operator_tui.domain.effects import EFFECTS
from operator_tui.payloads import SCHEMAS, PayloadInvalid, check

DEEP = '{"a":' * 300 + "1" + "}" * 300
SURROGATE = '"\\ud800"'  # JSON text for a lone surrogate


def raw_push(api, who: str, event: dict, payload_json: str):
    """A push whose one event's payload is given as raw JSON text (json.dumps cannot write these)."""
    head = json.dumps({**event, "payload": "@@"}, ensure_ascii=False).replace('"@@"', payload_json)
    return api.client.post(
        "/v1/events",
        content=('{"events":[' + head + "]}").encode(),
        headers={**api.headers(who), "content-type": "application/json"},
    )


def feed_numbers(api, who: str = "supervisor") -> set[str]:
    return {c["ticket"]["ticket"]["number"] for c in api.changes(who).json()["changes"]}


def test_every_event_kind_of_the_rules_has_a_schema():
    assert set(SCHEMAS) == set(EFFECTS)


@pytest.mark.rule("R26.1")
def test_a_phone_number_under_an_unknown_key_never_reaches_anyone(api):
    ticket_id, number, events = api.register()
    events[0]["payload"]["caller_mobile"] = "13900001111"
    r = api.push("seat", events)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert events[0]["id"] in detail and "'caller_mobile' is not allowed for register" in detail
    assert "13900001111" not in r.text  # the answer names the key, never the value
    assert number not in feed_numbers(api)


@pytest.mark.rule("R26.1")
def test_a_nested_unknown_key_in_the_appellant_is_refused_too(api):
    ticket_id, number, events = api.register()
    events[0]["payload"]["appellant"]["id_card"] = "210302199001011234"
    r = api.push("seat", events)
    assert r.status_code == 422 and "appellant.id_card" in r.json()["detail"]


def test_a_register_with_an_extra_4mb_key_is_refused_and_not_served(api):
    ticket_id, number, events = api.register()
    events[0]["payload"]["padding"] = "x" * (4 * 1024 * 1024)
    r = api.push("seat", events)
    assert r.status_code == 422 and "'padding' is not allowed" in r.json()["detail"]
    assert number not in feed_numbers(api)
    with api.storage.read() as tx:
        assert tx.event_count() == 0


def test_sizes_are_bounded_per_key(api):
    ticket_id, number, events = api.register()
    events[0]["payload"]["description"] = "暖" * 4001
    r = api.push("seat", events)
    assert r.status_code == 422 and "description" in r.json()["detail"] and "4000" in r.json()["detail"]


def test_an_unknown_event_kind_is_refused_with_the_known_ones(api):
    ticket_id, number = api.ticket(lead=None)
    r = api.push("seat", [api.event("teleport", ticket_id, {})])
    assert r.status_code == 422 and "unknown event kind 'teleport'" in r.json()["detail"]


@pytest.mark.parametrize(
    "payload_json",
    [f'{{"text":{SURROGATE}}}', DEEP, '{"text":' + "[" * 300 + "]" * 300 + "}"],
    ids=["lone surrogate", "300 levels of objects", "300 levels of lists"],
)
def test_malformed_text_and_deep_nesting_in_a_push_are_a_422(api, payload_json):
    ticket_id, number = api.ticket(lead=None)
    r = raw_push(api, "seat", api.event("add_note", ticket_id), payload_json)
    assert r.status_code == 422, r.text
    assert "add_note" in r.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [b'{"payload":{"text":' + SURROGATE.encode() + b"}}", b'{"payload":' + DEEP.encode() + b"}"],
    ids=["lone surrogate", "300 levels"],
)
def test_malformed_text_and_deep_nesting_on_the_action_api_are_a_422(api, body):
    ticket_id, number = api.ticket()
    r = api.client.post(
        f"/v1/tickets/{number}/actions/add_note",
        content=body,
        headers={**api.headers("supervisor"), "content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert "add_note" in r.json()["detail"]


def test_an_unknown_key_on_the_action_api_is_a_422(api):
    ticket_id, number = api.ticket()
    r = api.act("supervisor", number, "add_note", {"text": "已电话联系", "phone": "13900001111"})
    assert r.status_code == 422 and "'phone' is not allowed for add_note" in r.json()["detail"]
    # the unit key the action API sets from a unit's token is allowed
    assert api.act("unit", number, "add_note", {"text": "已安排人员"}).status_code != 422


@pytest.mark.parametrize(
    "body",
    [
        b'{"phone":' + SURROGATE.encode() + b"}",
        b'{"phone":"13912345678","purpose":' + ("[" * 300 + "]" * 300).encode() + b"}",
        b'{"phone":"139",' + DEEP[1:].encode(),
    ],
    ids=["lone surrogate", "300 levels", "300 levels under an unknown key"],
)
@pytest.mark.parametrize("path", ["/v1/tickets/search", "/v1/lookup"])
def test_malformed_text_and_deep_nesting_in_a_search_are_a_422(api, body, path):
    r = api.client.post(path, content=body, headers={**api.headers("supervisor"), "content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/tickets/search", "/v1/lookup"])
def test_a_lone_surrogate_gets_a_message_a_person_can_act_on(api, path):
    r = api.client.post(
        path,
        content=('{"phone":' + SURROGATE + "}").encode(),
        headers={**api.headers("supervisor"), "content-type": "application/json"},
    )
    assert r.status_code == 422 and "Unicode" in r.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/changes", "/v1/kb/changes"])
@pytest.mark.parametrize("tail", ["²", "١٢", "1" * 40, "-1", ""])
def test_an_odd_cursor_is_unknown_not_a_crash(api, path, tail):
    api.ticket()
    with api.storage.read() as tx:
        epoch = tx.meta("epoch")
    r = api.client.get(path, params={"since": f"{epoch}-{tail}"}, headers=api.headers("supervisor"))
    assert r.status_code == 410 and "unknown cursor" in r.json()["detail"]


def test_the_seats_own_events_fit_their_schemas(store, rules, t0):
    """Every payload the project itself writes (the demo seeds every stage through the desk, as
    the screens and the CLI do) passes the edge unchanged."""
    from operator_tui.demo import seed

    seed(store, rules, t0)
    with store.connect() as db:
        rows = list(db.execute("SELECT kind, payload FROM events"))
    kinds = {kind for kind, _ in rows}
    assert {"register", "dispatch", "receive", "respond", "callback", "referral", "supervise"} <= kinds
    for kind, payload in rows:
        check(kind, json.loads(payload))


@pytest.mark.parametrize(
    "kind,payload",
    [
        ("link_call", {"call_id": str(ULID()), "text": "又打来催了"}),
        ("advise_channel", {"channel": "review", "text": "请申请行政复议"}),
        (
            "request_extension",
            {
                "unit": "heat_group",
                "reason": "r",
                "progress": "p",
                "measures": "m",
                "new_due": "2026-12-01T23:59:59+08:00",
            },
        ),
        ("callback_failed", {"retry_at": "2026-11-02T11:00:00+08:00", "note": "电话无人接听"}),
        ("recusal_decision", {"granted": True, "reply": "同意"}),
        ("credit_mark", {"kind": "harassment", "evidence": "录音 0042"}),
        ("answer_explanation", {"unit": "heat_group", "demand_id": str(ULID()), "answer": "已说明"}),
        ("demand_explanation", {"reason": "dispute", "text": "不认可结果"}),
        ("rerate", {"ratings": {"timeliness": 3, "result": 3, "attitude": 4, "overall": 3}, "words": ""}),
        ("approve_extension", {}),
    ],
)
def test_payloads_the_screens_and_the_unit_simulator_send_fit(kind, payload):
    check(kind, payload)


@pytest.mark.parametrize(
    "kind,payload,says",
    [
        ("respond", {"unit": "u", "result": "ok", "told_appellant": "yes"}, "told_appellant"),
        ("supervise", {"ground": "1"}, "ground"),
        ("callback", {"ratings": {"timeliness": 5, "result": 5, "attitude": 5}}, "ratings.overall"),
        ("dispatch", {"lead_unit": "heat_group", "co_units": ["a"] * 21}, "co_units"),
        ("accept", {"note": "x"}, "'note' is not allowed for accept"),
    ],
)
def test_wrong_types_and_shapes_are_named(kind, payload, says):
    with pytest.raises(PayloadInvalid, match=says.replace(".", r"\.")):
        check(kind, payload)
