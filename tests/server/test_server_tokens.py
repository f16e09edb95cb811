"""Tokens can be listed and revoked through the admin API; a revoked token is refused at once;
an operator's person token is bound to an enrolled seat and carries the staff number (issue 11)."""

from __future__ import annotations

import pytest

SEAT = "012"  # the seat of the `api` fixture (tests/server/conftest.py)

pytestmark = pytest.mark.rule("R33.1")


def listing(api) -> list[dict]:
    r = api.client.get("/v1/principals", headers=api.headers("admin"))
    assert r.status_code == 200, r.text
    return r.json()


def test_the_office_lists_every_token_without_its_hash(api):
    rows = listing(api)
    assert {r["role"] for r in rows} == {"admin", "operator", "unit", "supervisor"}
    seat = next(r for r in rows if r["seat"] == SEAT)
    assert seat["created_at"] and seat["revoked_at"] is None
    assert not any("hash" in k or "token" in k for r in rows for k in r)
    assert not any(
        t in api.client.get("/v1/principals", headers=api.headers("admin")).text for t in api.tokens.values()
    )


@pytest.mark.parametrize("who", ["seat", "unit", "supervisor"])
def test_only_the_office_lists_or_revokes_tokens(api, who):
    assert api.client.get("/v1/principals", headers=api.headers(who)).status_code == 403
    some = listing(api)[0]["id"]
    assert api.client.post(f"/v1/principals/{some}/revoke", headers=api.headers(who)).status_code == 403


def test_a_revoked_token_gets_401_at_once(api):
    assert api.client.get("/v1/me", headers=api.headers("unit")).status_code == 200
    unit_id = next(r["id"] for r in listing(api) if r["role"] == "unit" and r["unit"] == "city_housing")
    r = api.client.post(f"/v1/principals/{unit_id}/revoke", headers=api.headers("admin"))
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert api.client.get("/v1/me", headers=api.headers("unit")).status_code == 401
    assert api.changes("unit").status_code == 401
    # the others keep working; the listing shows it revoked
    assert api.client.get("/v1/me", headers=api.headers("unit2")).status_code == 200
    assert next(r for r in listing(api) if r["id"] == unit_id)["revoked_at"]


def test_revoking_twice_an_unknown_id_or_the_last_admin_is_refused_clearly(api):
    rows = listing(api)
    sup = next(r["id"] for r in rows if r["role"] == "supervisor")
    assert api.client.post(f"/v1/principals/{sup}/revoke", headers=api.headers("admin")).status_code == 200
    again = api.client.post(f"/v1/principals/{sup}/revoke", headers=api.headers("admin"))
    assert again.status_code == 409 and "already revoked" in again.json()["detail"]
    unknown = api.client.post("/v1/principals/01NOSUCHTOKEN/revoke", headers=api.headers("admin"))
    assert unknown.status_code == 404 and "no token" in unknown.json()["detail"]
    admin = next(r["id"] for r in rows if r["role"] == "admin")
    last = api.client.post(f"/v1/principals/{admin}/revoke", headers=api.headers("admin"))
    assert last.status_code == 409 and "last admin" in last.json()["detail"]
    assert api.client.get("/v1/me", headers=api.headers("admin")).status_code == 200


def test_a_person_token_at_an_enrolled_seat_says_who_is_working(api):
    r = api.client.post(
        "/v1/principals",
        headers=api.headers("admin"),
        json={"name": "张三", "role": "operator", "seat": SEAT, "staff_no": "1024"},
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["name"], me["staff_no"], me["seat"], me["role"]) == ("张三", "1024", SEAT, "operator")


def test_a_person_token_needs_an_enrolled_seat(api):
    r = api.client.post(
        "/v1/principals",
        headers=api.headers("admin"),
        json={"name": "张三", "role": "operator", "seat": "099", "staff_no": "1024"},
    )
    assert r.status_code == 422 and "not enrolled" in r.json()["detail"]
