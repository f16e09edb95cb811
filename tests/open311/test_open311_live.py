"""Open311 conformance against a live `hotline server` process (both engines): every endpoint of
GeoReport v2 in JSON and in XML, over real HTTP, with the spec's element names and error bodies."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.rule("R32.1")]

REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "media_url",
}


def _post(http: httpx.Client, fmt: str, key: str) -> httpx.Response:
    return http.post(
        f"/requests.{fmt}",
        data={
            "api_key": key,
            "jurisdiction_id": "anshan.gov.cn",
            "service_code": "water_outage",
            "address_string": "tiexi",
            "description": "整栋楼停水两天了",
            "phone": "0412-5551234",
            "first_name": "三",
            "last_name": "张",
            "email": "z@example.org",
            "lat": "41.1",
            "long": "122.9",
        },
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_endpoint_answers_per_spec(live, fmt):
    xml = fmt == "xml"
    parse = (lambda r: ET.fromstring(r.content)) if xml else (lambda r: r.json())  # noqa: E731
    with httpx.Client(base_url=f"{live.url}/open311/v2", timeout=10) as http:
        services = http.get(f"/services.{fmt}", params={"jurisdiction_id": "anshan.gov.cn"})
        assert services.status_code == 200
        codes = (
            [s.findtext("service_code") for s in parse(services).findall("service")]
            if xml
            else [s["service_code"] for s in parse(services)]
        )
        assert "water_outage" in codes

        definition = parse(http.get(f"/services/water_outage.{fmt}"))
        if xml:
            assert definition.tag == "service_definition"
            assert {a.findtext("code") for a in definition.findall("attributes/attribute")} >= {"place"}
        else:
            assert {a["code"] for a in definition["attributes"]} >= {"place"}

        created = _post(http, fmt, live.key)
        assert created.status_code == 200, created.text
        answer = parse(created).find("request") if xml else parse(created)[0]
        get = (lambda node, k: node.findtext(k)) if xml else (lambda node, k: node.get(k))  # noqa: E731
        number, token = get(answer, "service_request_id"), get(answer, "token")
        assert number.isdigit() and number[6:9] == "900"

        one = parse(http.get(f"/requests/{number}.{fmt}"))
        request = one.find("request") if xml else one[0]
        assert get(request, "status") == "open" and get(request, "address") == "铁西区"
        assert get(request, "lat") is None and get(request, "long") is None  # never published
        if xml:
            assert one.tag == "service_requests" and {c.tag for c in request} == REQUEST_FIELDS
        else:
            assert set(request) <= REQUEST_FIELDS and "张三" not in http.get(f"/requests/{number}.json").text

        listed = parse(http.get(f"/requests.{fmt}", params={"status": "open", "service_code": "water_outage"}))
        ids = (
            [r.findtext("service_request_id") for r in listed.findall("request")]
            if xml
            else [r["service_request_id"] for r in listed]
        )
        assert number in ids

        tokens = parse(http.get(f"/tokens/{token}.{fmt}"))
        assert (tokens.findtext("request/service_request_id") if xml else tokens[0]["service_request_id"]) == number

        for bad, code in (
            (http.get(f"/requests/0000.{fmt}"), 404),
            (http.get(f"/services.{fmt}", params={"jurisdiction_id": "nowhere"}), 404),
            (_post(http, fmt, "hl_partner_wrong"), 403),
        ):
            assert bad.status_code == code
            body = parse(bad)
            assert (
                (body.tag == "errors" and body.findtext("error/code") == str(code))
                if xml
                else (body[0]["code"] == code and body[0]["description"])
            )
