"""Open311 GeoReport v2 in-process, on both engines: services, requests GET and POST, tokens,
jurisdiction and the spec's error bodies (R32.1); a partner's request as a written appeal (R20.7)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from operator_tui.domain.model import Role

BASE = "/open311/v2"
DISPATCH = (("accept", {}), ("dispatch", {"lead_unit": "heat_group", "co_units": []}))


def _requests(o311, fmt: str = "json", **params):
    return o311.client.get(f"{BASE}/requests.{fmt}", params=params)


@pytest.mark.rule("R32.1")
def test_services_list_every_matter_in_json_and_xml(o311, rules):
    js = o311.client.get(f"{BASE}/services.json")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/json")
    codes = [s["service_code"] for s in js.json()]
    assert codes == list(rules.taxonomy.matters)
    assert js.json()[0]["metadata"] is True and js.json()[0]["type"] == "realtime"
    root = ET.fromstring(o311.client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == codes


@pytest.mark.rule("R32.1")
def test_service_definition_lists_the_places_and_unknown_codes_get_the_spec_error(o311, rules):
    body = o311.client.get(f"{BASE}/services/heating_temperature.json").json()
    place = next(a for a in body["attributes"] if a["code"] == "place")
    assert place["datatype"] == "singlevaluelist"
    assert {v["key"] for v in place["values"]} == set(rules.taxonomy.places)
    root = ET.fromstring(o311.client.get(f"{BASE}/services/heating_temperature.xml").content)
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key") is not None
    r = o311.client.get(f"{BASE}/services/no_such_matter.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404 and "no_such_matter" in r.json()[0]["description"]
    r = o311.client.get(f"{BASE}/services/no_such_matter.xml")
    assert ET.fromstring(r.content).findtext("error/code") == "404"


@pytest.mark.rule("R32.1")
def test_a_wrong_jurisdiction_or_format_is_the_spec_error(o311):
    assert o311.client.get(f"{BASE}/services.json", params={"jurisdiction_id": "anshan.gov.cn"}).status_code == 200
    r = o311.client.get(f"{BASE}/requests.json", params={"jurisdiction_id": "boston.gov"})
    assert r.status_code == 404 and "anshan.gov.cn" in r.json()[0]["description"]
    r = o311.client.get(f"{BASE}/services.yaml")
    assert r.status_code == 404 and r.json()[0]["code"] == 404


@pytest.mark.rule("R20.7")
def test_a_partner_request_becomes_a_written_ticket_in_the_partner_series(o311, t0):
    r = o311.post(last_name="李", first_name="四")
    assert r.status_code == 200, r.text
    answer = r.json()[0]
    number = answer["service_request_id"]
    assert number == f"{t0:%y%m%d}9000001"  # YYMMDD + the partner's code 900 + its sequence
    assert o311.post().json()[0]["service_request_id"] == f"{t0:%y%m%d}9000002"
    with o311.storage.read() as tx:
        row = tx.ticket_by_number(number)
        events = tx.events_of([row.id])[row.id]
    data = json.loads(row.data)
    assert data["channel"] == "web_app" and datetime.fromisoformat(data["submitted_at"]) == t0
    assert row.clock == "acceptance"  # R20.2's 3 working days, running from the submission (R20.7)
    assert [(e[3], e[5], e[6]) for e in events] == [("register", Role.PARTNER.value, "900")]
    got = _requests(o311, service_request_id=number).json()[0]
    assert got["status"] == "open" and got["address"] == "铁东区站前街道"
    assert datetime.fromisoformat(got["requested_datetime"]) == t0
    token = o311.client.get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": number, "token": answer["token"]}]
    assert [a["purpose"] for a in o311.storage.audit.rows(row.id, 10)] == ["Open311 合作平台登记"]


@pytest.mark.rule("R32.1")
@pytest.mark.parametrize(
    "change, code, words",
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "hl_partner_nope"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "nonsense"}, 400, "service_code"),
        ({"address_string": "火星"}, 400, "place"),
        ({"address_string": ""}, 400, "place"),
        ({"phone": ""}, 400, "phone"),
        ({"phone": "12"}, 400, "R19.1"),
        ({"description": " "}, 400, "description"),
        ({"attribute[channel]": "hotline_8890"}, 400, "written channel"),
        ({"attribute[appeal_type]": "x"}, 400, "appeal_type"),
        ({"jurisdiction_id": "elsewhere"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_posts_get_the_spec_error_saying_what_to_fix(o311, change, code, words):
    r = o311.post(**change)
    assert r.status_code == code, r.text
    assert r.json()[0]["code"] == code and words in r.json()[0]["description"]
    xml = o311.post("xml", **change)
    assert xml.status_code == code and ET.fromstring(xml.content).findtext("error/code") == str(code)
    assert _requests(o311).json() == []


@pytest.mark.rule("R33.1")
def test_only_a_partner_token_posts_and_a_partner_token_does_nothing_else(o311):
    r = o311.post(api_key=o311.seat_token)
    assert r.status_code == 403 and "partner" in r.json()[0]["description"]
    number = o311.post().json()[0]["service_request_id"]
    auth = {"Authorization": f"Bearer {o311.key}"}
    assert o311.client.get(f"/v1/tickets/{number}", headers=auth).status_code == 403
    assert o311.client.get("/v1/changes", headers=auth).status_code == 403
    assert o311.client.post("/v1/events", json={"events": []}, headers=auth).status_code == 403


@pytest.mark.rule("R32.1")
def test_requests_filter_by_status_service_and_date_with_a_90_day_default(o311, t0):
    old = o311.push_ticket(matter="water_outage")
    o311.clock.advance(days=100)
    open_one = o311.push_ticket(then=DISPATCH)
    closed = o311.push_ticket(then=(("answer_on_spot", {"answer": "已答复"}),))
    ids = lambda **p: {r["service_request_id"] for r in _requests(o311, **p).json()}  # noqa: E731
    assert ids() == {open_one, closed}  # the last 90 days
    assert ids(status="open") == {open_one} and ids(status="closed") == {closed}
    assert ids(status="open,closed") == {open_one, closed}
    assert ids(start_date=(t0 - timedelta(days=1)).isoformat(), end_date=(t0 + timedelta(days=1)).isoformat()) == {old}
    assert ids(service_code="water_outage", start_date=t0.isoformat()) == {old}
    assert ids(service_request_id=f"{old},{closed},9999") == {old, closed}  # ids override the rest
    assert _requests(o311, status="pending").status_code == 400
    assert _requests(o311, start_date="yesterday").json()[0]["code"] == 400


@pytest.mark.rule("R32.1")
def test_a_request_shows_the_lead_unit_the_deadline_and_the_place_never_a_location(o311, rules):
    number = o311.push_ticket(then=DISPATCH)
    got = o311.client.get(f"{BASE}/requests/{number}.json").json()
    assert len(got) == 1
    r = got[0]
    assert r["agency_responsible"] == rules.taxonomy.units["heat_group"].name
    assert r["status"] == "open" and r["status_notes"] == "已转办，待单位签收"
    assert r["expected_datetime"] and r["address"] == "铁东区站前街道"
    assert "lat" not in r and "long" not in r
    xml = ET.fromstring(o311.client.get(f"{BASE}/requests/{number}.xml").content)
    assert xml.tag == "service_requests" and xml.findtext("request/agency_responsible") == r["agency_responsible"]
    assert o311.client.get(f"{BASE}/requests/2611029990001.json").status_code == 404
    assert o311.client.get(f"{BASE}/tokens/01ARZ3NDEKTSV4RRFFQ69G5FAV.xml").status_code == 404
