"""Knowledge-base sync (R34.1): a change feed of articles; each unit edits only its own."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rule("R34.1")


def _put(api, who: str, article: str, **body):
    return api.client.put(f"/v1/kb/articles/{article}", json={"title": "供暖期", **body}, headers=api.headers(who))


def test_a_unit_writes_its_own_articles_and_every_seat_pulls_them(api):
    r = _put(api, "unit", "heating-season", body="每年11月1日至次年3月31日", review_at="2027-10-01")
    assert r.status_code == 200 and r.json()["owner_unit"] == "city_housing" and r.json()["version"] == 1
    feed = api.client.get("/v1/kb/changes", headers=api.headers("seat")).json()
    assert [a["id"] for a in feed["articles"]] == ["heating-season"] and feed["more"] is False
    assert (
        api.client.get("/v1/kb/changes", params={"since": feed["next"]}, headers=api.headers("seat")).json()["articles"]
        == []
    )
    _put(api, "unit", "heating-season", body="更新", version=1)
    again = api.client.get("/v1/kb/changes", params={"since": feed["next"]}, headers=api.headers("seat")).json()
    assert [(a["id"], a["version"]) for a in again["articles"]] == [("heating-season", 2)]


def test_a_unit_cannot_touch_another_units_articles(api):
    assert _put(api, "unit2", "heat-fee").status_code == 200  # owned by heat_group
    assert _put(api, "unit", "heat-fee", body="篡改").status_code == 403
    assert _put(api, "unit", "new", owner_unit="heat_group").status_code == 403


def test_the_centre_edits_any_article(api):
    _put(api, "unit2", "heat-fee")
    r = _put(api, "supervisor", "heat-fee", body="中心修订")
    assert r.status_code == 200 and r.json()["owner_unit"] == "heat_group"
    assert _put(api, "supervisor", "phrases").json()["owner_unit"] == "centre"


def test_a_stale_edit_is_a_409(api):
    _put(api, "unit", "a")
    _put(api, "unit", "a", version=1)
    r = _put(api, "unit", "a", version=1)
    assert r.status_code == 409 and "version 2" in r.json()["detail"]


def test_operators_read_but_do_not_write(api):
    assert _put(api, "seat", "x").status_code == 403
    assert api.client.get("/v1/kb/articles/x", headers=api.headers("seat")).status_code == 404
