"""Issue 12 on the server: what may reach whom (R26.2, R11.1, R33.2) in every view and export, the
信访 department reading the tickets it supervises (R20.4), and the sweep's two new duties — an
undecided recusal request (R27.1) and one appellant's repeated calls (R25.1 (2))."""

from __future__ import annotations

import pytest

NAME, PHONE, SECRET_WORDS = "张投诉", "13800138111", "配方秘密XYZ"


def _views(api, who: str, number: str) -> dict:
    h = api.headers(who)
    return {
        "changes": api.changes(who),
        "detail": api.client.get(f"/v1/tickets/{number}", headers=h),
        "search": api.client.post("/v1/tickets/search", json={"number": number}, headers=h),
        "export": api.client.get("/v1/export/tickets", headers=h),
    }


def _leaks(responses: dict, *values: str) -> dict:
    return {k: [v for v in values if v in r.text] for k, r in responses.items() if any(v in r.text for v in values)}


@pytest.mark.rule("R33.2")
def test_a_secret_ticket_is_read_in_full_only_by_those_entitled(api):
    _, number = api.ticket(
        lead="city_housing",
        co=("heat_group",),
        appeal_type="help",
        name=NAME,
        phone=PHONE,
        description=f"企业反映：{SECRET_WORDS}被泄露",
        secrecy=["commercial"],
    )
    for who in ("unit2", "seat2"):  # a co-unit, another seat
        views = _views(api, who, number)
        assert views["detail"].status_code == 200 and all(r.status_code in (200, 403) for r in views.values()), who
        assert _leaks(views, NAME, PHONE, SECRET_WORDS) == {}, who
    for who in ("unit", "supervisor", "seat"):  # the lead unit, the centre, the seat that took it
        assert SECRET_WORDS in api.client.get(f"/v1/tickets/{number}", headers=api.headers(who)).text, who


@pytest.mark.rule("R33.2")
def test_marking_a_ticket_secret_later_restricts_it_from_then_on(api):
    _, number = api.ticket(lead="city_housing", co=("heat_group",), description=f"内容含{SECRET_WORDS}")
    assert SECRET_WORDS in api.client.get(f"/v1/tickets/{number}", headers=api.headers("unit2")).text
    r = api.act("supervisor", number, "mark_secret", {"secrecy": ["state"], "reason": "涉及国家秘密"})
    assert r.status_code == 200, r.text
    assert _leaks(_views(api, "unit2", number), SECRET_WORDS) == {}


@pytest.mark.rule("R11.1")
def test_the_staff_member_a_complaint_names_never_sees_it_in_full(api):
    # the supervisor token's person is 值班长 (tests/server/conftest.py)
    _, number = api.ticket(
        lead=None,
        appeal_type="complaint",
        name=NAME,
        phone=PHONE,
        description="值班长态度恶劣",
        respondents=[{"kind": "staff", "staff": "值班长"}],
    )
    views = _views(api, "supervisor", number)
    assert _leaks(views, NAME, PHONE, "态度恶劣") == {}
    assert views["detail"].json()["ticket"]["masked"] is True
    assert "态度恶劣" in api.client.get(f"/v1/tickets/{number}", headers=api.headers("admin")).text
    # nor handle it
    r = api.act("supervisor", number, "add_note", {"text": "不是我"})
    assert r.status_code == 422 and r.json()["rule"] == "R11.1"


@pytest.mark.rule("R26.2")
def test_a_respondent_unit_that_does_not_lead_gets_neither_identity_nor_materials(api):
    _, number = api.ticket(
        lead="city_housing",
        co=("heat_group",),
        appeal_type="opinion",
        name=NAME,
        phone=PHONE,
        description="热力集团维修工收取好处费",
        respondents=[{"kind": "unit", "unit": "heat_group"}],
    )
    assert _leaks(_views(api, "unit2", number), NAME, PHONE, "好处费") == {}
    lead = api.client.get(f"/v1/tickets/{number}", headers=api.headers("unit"))
    assert "好处费" in lead.text and NAME not in lead.text  # the lead handles it, without the identity


@pytest.mark.rule("R20.4")
def test_the_petition_department_reads_the_tickets_it_supervises(api, rules):
    from operator_tui.domain.model import Role
    from server_stub import auth

    with api.storage.write() as tx:
        _, token = auth.issue(
            tx,
            name="unit:petition",
            role=Role.UNIT,
            now=api.clock.now(),
            unit=rules.taxonomy.petition_unit,
            known_units=rules.taxonomy.units,
        )
    _, number = api.ticket(lead="gov_tiedong", matter="petition")
    r = api.client.get(f"/v1/tickets/{number}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["ticket"]["ticket"]["supervising_unit"] == rules.taxonomy.petition_unit


@pytest.mark.rule("R27.1")
def test_the_sweep_supervises_an_undecided_recusal_request(api):
    _, number = api.ticket(lead="city_housing")
    assert api.act("seat", number, "recusal_request", {"reason": "承办人与诉求人系亲属"}).status_code == 200
    api.clock.advance(days=40)
    report = api.client.post("/v1/sweeps", headers=api.headers("supervisor")).json()
    assert report["overdue"] == 1 and report["supervised"] == {"1": 1}
    detail = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()
    assert detail["ticket"]["clock"]["name"] == "recusal_decision" and detail["ticket"]["clock"]["overdue"]


@pytest.mark.rule("R25.1")
def test_the_sweep_supervises_an_appellant_calling_again_and_again(api):
    _, number = api.ticket(lead="city_housing")
    for call in ("call-1", "call-2"):
        assert api.act("seat", number, "link_call", {"call_id": call}).status_code == 200
    report = api.client.post("/v1/sweeps", headers=api.headers("supervisor")).json()
    assert report["supervised"] == {"2": 1}
    assert api.client.post("/v1/sweeps", headers=api.headers("supervisor")).json()["supervised"] == {}


@pytest.mark.rule("R32.1")
@pytest.mark.rule("R28.2")
def test_exchange_with_other_platforms_is_a_documented_interface(api):
    """The platform's exchange interface is the documented API: a transfer from the provincial
    platform arrives as pushed events with its source and reference, and is read back with them."""
    spec = api.client.get("/openapi.json").json()
    for path in ("/v1/events", "/v1/changes", "/v1/lookup", "/v1/tickets/{number}"):
        assert path in spec["paths"], path
    assert "EventIn" in spec["components"]["schemas"]
    _, number = api.ticket(
        lead=None,
        channel="provincial_8890",
        submitted_at=api.clock.now().isoformat(),
        external_refs=[{"source": "provincial_8890", "number": "LN-2026-000123"}],
    )
    t = api.client.get(f"/v1/tickets/{number}", headers=api.headers("supervisor")).json()["ticket"]["ticket"]
    assert t["channel"] == "provincial_8890"
    assert t["external_refs"] == [{"source": "provincial_8890", "number": "LN-2026-000123"}]
