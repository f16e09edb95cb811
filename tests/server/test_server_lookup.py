"""Issue 11: the centre-wide lookup, POST /v1/lookup — by number, phone, name or address fragment and
registration date range (R10.1, R13.1), masked per caller (R26.1) and audited (R33.1)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from server_stub.schema import MIGRATIONS, run

NAME, PHONE, ADDRESS = "欧阳春花", "13904120001", "铁东区站前街道胜利路18号"


def _lookup(api, who: str = "seat2", **body):
    return api.client.post("/v1/lookup", json=body, headers=api.headers(who))


def _numbers(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [t["number"] for t in r.json()["tickets"]]


@pytest.mark.rule("R10.1")
def test_a_ticket_recorded_at_one_seat_is_found_at_another_by_every_criterion(api):
    _, number = api.ticket(seat="012", who="seat", name=NAME, phone=PHONE, address=ADDRESS)
    api.ticket(seat="012", who="seat", name="张三", phone="13904120002", address="铁西区某路1号")
    for body in (
        {"number": number},
        {"phone": PHONE},
        {"phone": "0086 139-0412-0001"},
        {"name": "春花"},
        {"name": "欧阳春"},
        {"address": "胜利路"},
        {"address": "站前街道胜利"},
        {"name": "春花", "address": "铁东"},
    ):
        assert _numbers(_lookup(api, **body)) == [number], body
    assert _numbers(_lookup(api, name="春花", address="铁西区")) == []


@pytest.mark.rule("R13.1")
def test_newest_first_within_the_date_range_open_only_and_bounded(api):
    numbers = []
    for _ in range(3):
        numbers.append(api.ticket(phone=PHONE)[1])
        api.clock.advance(days=1)
    closed_id, closed = api.ticket(lead=None, phone=PHONE)
    r = api.push("seat", [api.event("answer_on_spot", closed_id, {"answer": "已答复"})])
    assert r.json()["results"][0]["status"] == "applied", r.text
    assert _numbers(_lookup(api, phone=PHONE)) == [closed, *reversed(numbers)]
    assert _numbers(_lookup(api, phone=PHONE, open_only=True)) == list(reversed(numbers))
    t0 = api.clock.now() - timedelta(days=3)
    day2 = {
        "registered_from": (t0 + timedelta(days=1)).isoformat(),
        "registered_to": (t0 + timedelta(days=2)).isoformat(),
    }
    assert _numbers(_lookup(api, phone=PHONE, **day2)) == [numbers[1]]
    page = _lookup(api, phone=PHONE, limit=2).json()
    assert [t["number"] for t in page["tickets"]] == [closed, numbers[2]] and page["more"] is True
    assert _lookup(api, phone=PHONE, limit=10).json()["more"] is False


@pytest.mark.rule("R13.1")
def test_a_summary_carries_what_the_screen_pop_needs(api):
    _, number = api.ticket(phone=PHONE, name=NAME, vulnerable=["elderly"])
    row = _lookup(api, phone=PHONE).json()["tickets"][0]
    assert row["seat"] == "012" and row["status"] == "dispatched" and row["status_name"]
    assert row["vulnerable"] == ["elderly"] and row["name"] == NAME and row["closed"] is False
    assert row["due_at"] and row["ticket"] is None
    detail = _lookup(api, phone=PHONE, detail=True).json()["tickets"][0]
    assert detail["ticket"]["ticket"]["number"] == number


@pytest.mark.rule("R26.1")
def test_a_unit_cannot_find_a_complaint_about_it_by_phone_name_or_address(api):
    _, complaint = api.ticket(lead="city_housing", appeal_type="complaint", name=NAME, phone=PHONE, address=ADDRESS)
    _, plain = api.ticket(lead="city_housing", appeal_type="help", name=NAME, phone=PHONE, address=ADDRESS)
    api.ticket(lead="heat_group", appeal_type="help", name=NAME, phone=PHONE, address=ADDRESS)
    for body in ({"phone": PHONE}, {"name": NAME}, {"address": "胜利路"}, {"name": "春花"}):
        assert _numbers(_lookup(api, "unit", **body)) == [plain], body
        assert len(_numbers(_lookup(api, "seat", **body))) == 3, body
    # By its number the unit finds the complaint it holds, without who made it.
    r = _lookup(api, "unit", number=complaint, detail=True)
    row = r.json()["tickets"][0]
    assert row["masked"] is True and NAME not in r.text and PHONE not in r.text and ADDRESS not in r.text
    assert row["credit_marks"] == 0


@pytest.mark.rule("R33.1")
def test_every_lookup_is_audited_with_its_purpose_and_the_criteria_stay_out_of_the_url(api):
    ticket_id, number = api.ticket(phone=PHONE, name=NAME)
    r = _lookup(api, phone=PHONE, purpose="来电弹屏")
    assert r.status_code == 200 and r.request.url.path == "/v1/lookup" and PHONE not in str(r.request.url)
    _lookup(api, name="春花")
    rows = api.client.get("/v1/audit", params={"ticket_id": ticket_id}, headers=api.headers("admin")).json()
    assert [(a["endpoint"], a["purpose"]) for a in rows] == [
        ("POST /v1/lookup", "来电查询"),
        ("POST /v1/lookup", "来电弹屏"),
    ]
    assert NAME not in repr(api.storage.audit.rows(None, 100))


@pytest.mark.rule("R10.1")
@pytest.mark.parametrize(
    "body, says",
    [
        ({}, "at least one"),
        ({"registered_from": "2026-01-01T00:00:00+08:00"}, "at least one"),
        ({"phone": "12345"}, "phone"),
        ({"name": "   "}, "empty"),
        ('{"name": "\\ud800abc"}', "body.name"),  # a lone surrogate, as JSON can carry one
        ({"number": "12ab"}, "number"),
        (
            {
                "phone": "13904120001",
                "registered_from": "2026-02-01T00:00:00+08:00",
                "registered_to": "2026-01-01T00:00:00+08:00",
            },
            "before",
        ),
        ({"phone": "13904120001", "limit": 100000}, "limit"),
        ({"phone": "13904120001", "registered_from": "2026-01-01"}, "registered_from"),
    ],
)
def test_bad_criteria_get_a_422_that_says_what_to_fix(api, body, says):
    if isinstance(body, str):
        r = api.client.post(
            "/v1/lookup", content=body.encode(), headers={**api.headers("seat2"), "Content-Type": "application/json"}
        )
    else:
        r = _lookup(api, **body)
    assert r.status_code == 422, r.text
    assert says in r.text


@pytest.mark.rule("R10.1")
def test_fragments_are_text_not_query_syntax(api):
    _, number = api.ticket(name='王"小%_芳', address="路 AND 号")
    assert _numbers(_lookup(api, name='"小%')) == [number]
    assert _numbers(_lookup(api, name="%")) == [number]
    assert _numbers(_lookup(api, name="小_")) == []
    assert _numbers(_lookup(api, address="AND")) == [number]
    assert _numbers(_lookup(api, address="NEAR(")) == []


@pytest.mark.sqlite_only
def test_names_stay_indexed_through_updates_and_the_migration_fills_old_rows(api, tmp_path):
    ticket_id, number = api.ticket(name=NAME, phone=PHONE)
    api.act("unit", number, "receive")  # an update of the row: the index must follow it, once
    assert _numbers(_lookup(api, name="欧阳春花")) == [number]
    with api.storage.read() as tx:
        assert (
            tx.conn.execute("SELECT count(*) FROM ticket_text WHERE ticket_text MATCH '\"欧阳春\"'").fetchone()[0] == 1
        )
        plan = " ".join(
            r[3]
            for r in tx.conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE phone = ? ORDER BY registered_at DESC", (PHONE,)
            )
        )
    assert "tickets_phone_registered" in plan and "TEMP B-TREE" not in plan
    # A database from before the migration: its rows get the columns and the index.
    old = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    run(old, MIGRATIONS[:2])
    with api.storage.read() as tx:
        row = tx.conn.execute(
            "SELECT id, number, phone, seat, status, appeal_type, confidential, matter, place, "
            "lead_unit, units, closed, clock, due_at, overdue, registered_at, updated_at, seq, "
            "version, data FROM tickets"
        ).fetchone()
    old.execute(f"INSERT INTO tickets VALUES ({','.join('?' * 20)})", row)
    run(old, MIGRATIONS)
    assert old.execute("SELECT name, phone FROM tickets").fetchone() == (NAME, PHONE)
    assert old.execute("SELECT count(*) FROM ticket_text WHERE ticket_text MATCH '\"阳春花\"'").fetchone()[0] == 1
