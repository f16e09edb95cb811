"""Bad input never gets a 5xx: schemathesis generates requests from /openapi.json (valid and
invalid bodies, paths and queries) and each is sent with a token of every role: a seat's operator
token, an operator's person token (bound to the seat, with a staff number), a supervisor's, a
unit's and the office's (issue 11)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.slow

ROLES = ("admin", "seat", "person", "supervisor", "unit")


@pytest.fixture
def api_schema(api):
    r = api.client.post(
        "/v1/principals",
        headers=api.headers("admin"),
        json={"name": "张三", "role": "operator", "seat": "012", "staff_no": "1024"},
    )
    assert r.status_code == 201, r.text
    api.tokens["person"] = r.json()["token"]
    return schemathesis.openapi.from_asgi("/openapi.json", api.client.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_produces_a_server_error(case, api):
    for who in ROLES:
        response = case.call(headers=api.headers(who))
        assert response.status_code < 500, (who, case.method, case.path, response.status_code, response.text[:300])
