"""Access control (R33.1): every endpoint checks the token and the role; no token or a bad one is a
401, a valid token with the wrong role a 403; objects are checked too (a unit sees only its own)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rule("R33.1")

ALL = {"admin", "seat", "supervisor", "unit"}
WHO = ("admin", "seat", "supervisor", "unit")


def _endpoints(number: str) -> list[tuple[str, str, dict | None, set[str]]]:
    event = {
        "id": "01KBZZZZZZZZZZZZZZZZZZZZZZ",
        "ticket_id": "01KBZZZZZZZZZZZZZZZZZZZZZY",
        "kind": "add_note",
        "actor": "x",
        "role": "operator",
        "seat": "012",
        "at": "2026-11-02T09:00:00+08:00",
        "payload": {"text": "x"},
    }
    return [
        ("POST", "/v1/seats", {"code": "099", "name": "新坐席"}, {"admin"}),
        ("POST", "/v1/principals", {"name": "新值班长", "role": "supervisor"}, {"admin"}),
        ("GET", "/v1/me", None, ALL),
        ("GET", "/v1/audit", None, {"admin"}),
        ("POST", "/v1/sweeps", None, {"supervisor", "admin"}),
        ("POST", "/v1/events", {"events": [event]}, ALL),
        ("GET", "/v1/changes", None, ALL),
        ("POST", "/v1/tickets/search", {"number": number}, ALL),
        ("GET", f"/v1/tickets/{number}", None, ALL),
        ("POST", f"/v1/tickets/{number}/actions/receive", {"payload": {}}, {"unit"}),
        ("POST", f"/v1/tickets/{number}/actions/supervise", {"payload": {"ground": 3}}, {"supervisor", "admin"}),
        ("POST", f"/v1/tickets/{number}/actions/add_note", {"payload": {"text": "补充"}}, ALL),
        ("POST", f"/v1/tickets/{number}/actions/confirm_rating", {"payload": {}}, {"admin"}),
        ("GET", "/v1/export/tickets", None, {"supervisor", "admin", "unit"}),
        ("GET", "/v1/kb/changes", None, ALL),
        ("GET", "/v1/kb/articles/none", None, ALL),
        ("PUT", "/v1/kb/articles/a1", {"title": "标题", "owner_unit": "city_housing"}, {"unit", "supervisor", "admin"}),
    ]


def test_health_and_openapi_need_no_token(api):
    assert api.client.get("/healthz").json()["ok"] is True
    spec = api.client.get("/openapi.json").json()
    assert "/v1/events" in spec["paths"] and "HTTPBearer" in spec["components"]["securitySchemes"]


def test_role_by_endpoint_matrix(api):
    ticket_id, number = api.ticket(lead="city_housing")
    checked = 0
    for method, path, body, allowed in _endpoints(number):
        missing = api.client.request(method, path, json=body)
        assert missing.status_code == 401, (method, path)
        assert missing.headers["www-authenticate"] == "Bearer"
        bad = api.client.request(method, path, json=body, headers={"Authorization": "Bearer hl_admin_forged"})
        assert bad.status_code == 401, (method, path)
        for who in WHO:
            r = api.client.request(method, path, json=body, headers=api.headers(who))
            if who in allowed:
                assert r.status_code not in (401, 403), (method, path, who, r.text)
            else:
                assert r.status_code == 403, (method, path, who, r.status_code)
                assert "role" in r.json()["detail"] or "is for" in r.json()["detail"]
            checked += 1
    assert checked == len(_endpoints(number)) * len(WHO)


def test_a_basic_or_empty_authorization_header_is_a_401(api):
    for header in ("Basic dXNlcjpwYXNz", "Bearer ", "hl_admin_x"):
        assert api.client.get("/v1/me", headers={"Authorization": header}).status_code == 401


def test_tokens_are_stored_only_as_hashes(api):
    with api.storage.read() as tx:
        stored = [r[0] for r in tx.conn.execute("SELECT token_hash FROM principals")]
    dump = api.storage.dump()
    for token in api.tokens.values():
        assert token not in dump
    assert all(len(h) == 64 for h in stored)


@pytest.mark.rule("R26.1")
def test_a_unit_sees_only_the_tickets_it_holds(api):
    mine_id, mine = api.ticket(lead="city_housing")
    other_id, other = api.ticket(lead="heat_group")
    h = api.headers("unit")
    assert api.client.get(f"/v1/tickets/{mine}", headers=h).status_code == 200
    assert api.client.get(f"/v1/tickets/{other}", headers=h).status_code == 404
    assert api.client.post(f"/v1/tickets/{other}/actions/receive", json={}, headers=h).status_code == 404
    assert api.client.post("/v1/tickets/search", json={"number": other}, headers=h).json() == []
    numbers = [c["ticket"]["ticket"]["number"] for c in api.changes("unit").json()["changes"]]
    assert numbers == [mine]
    exported = api.client.get("/v1/export/tickets", headers=h).text
    assert mine in exported and other not in exported


def test_a_co_handling_unit_sees_the_ticket_too(api):
    ticket_id, number = api.ticket(lead="heat_group", co=("city_housing",))
    assert api.client.get(f"/v1/tickets/{number}", headers=api.headers("unit")).status_code == 200


def test_enrolling_a_seat_twice_is_refused(api):
    first = api.client.post("/v1/seats", json={"code": "077", "name": "坐席77"}, headers=api.headers("admin"))
    assert first.status_code == 201 and first.json()["token"].startswith("hl_operator_")
    again = api.client.post("/v1/seats", json={"code": "077", "name": "坐席77"}, headers=api.headers("admin"))
    assert again.status_code == 409 and "already enrolled" in again.json()["detail"]
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {first.json()['token']}"}).json()
    assert me["role"] == "operator" and me["seat"] == "077"


def test_a_unit_token_needs_a_known_unit(api):
    r = api.client.post(
        "/v1/principals", json={"name": "x", "role": "unit", "unit": "no_such_unit"}, headers=api.headers("admin")
    )
    assert r.status_code == 422 and "unknown unit" in r.json()["detail"]
