"""Text on both engines (issue 17): Chinese name fragments through each engine's trigram index, and
text PostgreSQL cannot hold as it is (NUL) stored without an error."""

from __future__ import annotations

import pytest


def _lookup(api, **criteria):
    r = api.client.post("/v1/lookup", json={"purpose": "测试", **criteria}, headers=api.headers("seat"))
    assert r.status_code == 200, r.text
    return [t["number"] for t in r.json()["tickets"]]


@pytest.mark.rule("R10.1")
def test_a_nul_in_a_callers_name_is_no_server_error(api):
    _, number = api.ticket(name="欧阳\x00春花", address="铁东区\x00站前街道")
    assert _lookup(api, name="春花") == [number]
    assert _lookup(api, address="站前街道") == [number]


@pytest.mark.rule("R34.1")
def test_a_nul_in_an_article_is_stored_not_a_server_error(api):
    r = api.client.put(
        "/v1/kb/articles/nul", json={"title": "供暖\x00标准", "body": "室温\x0018度"}, headers=api.headers("supervisor")
    )
    assert r.status_code == 200, r.text
    article = api.client.get("/v1/kb/articles/nul", headers=api.headers("seat")).json()
    # SQLite keeps the NUL; PostgreSQL text cannot hold one and keeps U+FFFD in its place (pg.py)
    assert article["title"] in ("供暖\x00标准", "供暖\ufffd标准") and article["body"].endswith("18度")


@pytest.mark.postgresql_only
@pytest.mark.rule("R10.1")
def test_a_chinese_fragment_is_found_through_the_trigram_index(api):
    numbers = [api.ticket(lead=None, name=name)[1] for name in ("欧阳春花", "司马春华", "欧阳修")]
    assert _lookup(api, name="欧阳春") == [numbers[0]]
    with api.storage.read() as tx:
        tx.conn.execute("SET LOCAL enable_seqscan = off")  # three rows: make the planner show its index
        plan = " ".join(
            r[0]
            for r in tx.conn.execute(
                "EXPLAIN SELECT id FROM tickets WHERE name LIKE '%欧阳春%' AND address LIKE '%站前%'"
            )
        )
    assert "tickets_name_trgm" in plan or "tickets_address_trgm" in plan, plan
