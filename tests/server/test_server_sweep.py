"""The sweep (jobs.py) raises supervision for R25.1 (1), (2) and (4) as `supervise` events with
role system, through the same workflow, once per occasion."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

pytestmark = pytest.mark.rule("R25.1")


def _sweep(api) -> dict:
    r = api.client.post("/v1/sweeps", headers=api.headers("supervisor"))
    assert r.status_code == 200, r.text
    return r.json()


def _ticket(api, number: str) -> dict:
    return api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()


def test_an_overdue_ticket_is_supervised_once_by_the_system(api):
    ticket_id, number = api.ticket(lead="city_housing")
    assert _sweep(api)["supervised"] == {}
    api.clock.advance(days=10)  # 5 working days from dispatch have passed
    report = _sweep(api)
    assert report["overdue"] == 1 and report["supervised"] == {"1": 1}
    detail = _ticket(api, number)
    supervise = detail["events"][-1]
    assert supervise["kind"] == "supervise" and supervise["role"] == "system" and supervise["payload"]["ground"] == 1
    assert detail["ticket"]["ticket"]["supervisions"][0]["level"] == 1
    assert detail["ticket"]["clock"]["overdue"] is True
    api.clock.advance(hours=1)
    assert _sweep(api)["supervised"] == {}  # not again for the same limit


def test_a_ticket_still_awaiting_acceptance_is_counted_overdue_but_not_supervised(api):
    api.ticket(lead=None)
    api.clock.advance(days=10)
    report = _sweep(api)
    assert report["overdue"] == 1 and report["supervised"] == {}


def test_the_same_matter_in_the_same_place_reported_again_and_again(api):
    numbers = [api.ticket(lead="city_housing")[1] for _ in range(3)]
    other = api.ticket(lead="city_housing", place="lishan")[1]
    report = _sweep(api)
    assert report["supervised"] == {"2": 3}
    for n in numbers:
        assert _ticket(api, n)["ticket"]["ticket"]["supervisions"][0]["ground"] == 2
    assert _ticket(api, other)["ticket"]["ticket"]["supervisions"] == []
    assert _sweep(api)["supervised"] == {}


def test_two_reports_are_not_yet_a_pile(api):
    api.ticket(lead="city_housing")
    api.ticket(lead="city_housing")
    assert _sweep(api)["supervised"] == {}


def _rated_badly(api, place: str) -> None:
    ticket_id, number = api.ticket(lead="heat_group", place=place)
    assert api.act("unit2", number, "receive").status_code == 200
    assert api.act("unit2", number, "respond", {"result": "已处理", "told_appellant": True}).status_code == 200
    assert api.act("supervisor", number, "review_pass").status_code == 200
    stars = {"timeliness": 1, "result": 1, "attitude": 2, "overall": 1}
    assert api.act("seat", number, "callback", {"ratings": stars, "words": "根本没解决"}).status_code == 200


def test_dissatisfied_feedback_piling_up_on_a_unit(api):
    for place in ("tiexi", "lishan", "qianshan"):
        _rated_badly(api, place)
    open_id, open_number = api.ticket(lead="heat_group", place="haicheng")
    report = _sweep(api)
    assert report["supervised"] == {"4": 1}
    assert _ticket(api, open_number)["ticket"]["ticket"]["supervisions"][0]["ground"] == 4


def test_the_sweep_runs_by_itself(server_db, rules, t0, form):
    from fastapi.testclient import TestClient

    from server_stub import bootstrap
    from server_stub.app import create_app
    from server_stub.settings import ServerSettings

    db = server_db
    tokens = {p.role.value: t for p, t in bootstrap.init(db, t0, seats=["012"], known_units=rules.taxonomy.units)}
    now = [t0]
    app = create_app(ServerSettings(db_path=db, sweep_every_seconds=0.05, clock=lambda: now[0]), rules)
    with TestClient(app) as client:
        seat = {"Authorization": f"Bearer {tokens['operator']}"}
        ticket = "01KC00000000000000000000T1"
        register = {
            "id": "01KC00000000000000000000E1",
            "ticket_id": ticket,
            "kind": "register",
            "actor": "op",
            "role": "operator",
            "seat": "012",
            "at": t0.isoformat(),
            "payload": {**form(), "number": "2611020120001"},
        }
        accept = {**register, "id": "01KC00000000000000000000E2", "kind": "accept", "payload": {}}
        dispatch = {
            **register,
            "id": "01KC00000000000000000000E3",
            "kind": "dispatch",
            "payload": {"lead_unit": "city_housing"},
        }
        assert client.post("/v1/events", json={"events": [register, accept, dispatch]}, headers=seat).status_code == 200
        now[0] = t0 + timedelta(days=14)
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        for _ in range(200):  # the periodic task runs every 50 ms; wait for it, whatever the speed
            events = client.get("/v1/tickets/2611020120001", headers=admin).json()["events"]
            if events[-1]["kind"] == "supervise":
                break
            time.sleep(0.05)
        assert events[-1]["kind"] == "supervise" and events[-1]["role"] == "system"
