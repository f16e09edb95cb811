"""The server driven by `georeport` (PyPI), a GeoReport v2 client this project did not write, in
its JSON and XML modes, against a live process. The library has no POST, so a request is created
with the specification's own example POST (form-encoded, `api_key` in the body)."""

from __future__ import annotations

import httpx
import pytest
from georeport import GeoReport

pytestmark = [pytest.mark.slow, pytest.mark.rule("R32.1")]


def _spec_example_post(url: str, key: str) -> str:
    """POST /requests.json as in the spec's example, with this city's codes."""
    body = (
        "api_key=" + key + "&jurisdiction_id=anshan.gov.cn&service_code=heating_temperature"
        "&address_string=%E9%93%81%E4%B8%9C%E5%8C%BA&email=smit222%40sfgov.edu&device_id=tt222111"
        "&account_id=123456&first_name=john&last_name=smith&phone=13912345678"
        "&description=%E6%9A%96%E6%B0%94%E4%B8%8D%E7%83%AD&media_url=http%3A%2F%2Fexample.org%2Fa.jpg"
    )
    r = httpx.post(
        f"{url}/open311/v2/requests.json",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_independent_georeport_client_reads_the_server(live, fmt):
    number = _spec_example_post(live.url, live.key)
    client = GeoReport(f"{live.url}/open311/v2", jurisdiction="anshan.gov.cn", output_format=fmt)

    services = client.get_service_list()
    assert any(s["service_code"] == "heating_temperature" for s in services)
    definition = client.get_service_definition("heating_temperature")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert any(a["code"] == "place" for a in attributes)

    one = client.get_service_request(number)
    assert one["service_request_id"] == number and one["status"] == "open" and one["address"] == "铁东区"
    assert one["description"] == "暖气不热"
    many = client.get_service_requests(service_code="heating_temperature", status="open")
    many = many if isinstance(many, list) else [many]  # xmltodict: one element is not a list
    assert [r["service_request_id"] for r in many] == [number]


def test_the_client_sees_a_wrong_jurisdiction_as_an_http_error(live):
    client = GeoReport(f"{live.url}/open311/v2", jurisdiction="boston.gov")
    with pytest.raises(Exception) as caught:
        client.get_service_list()
    assert "404" in str(caught.value)
