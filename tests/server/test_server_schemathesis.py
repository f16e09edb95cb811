"""Bad input never gets a 5xx: schemathesis generates requests from /openapi.json (valid and
invalid bodies, paths and queries) and each is sent with an admin's and a unit's token."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.slow


@pytest.fixture
def api_schema(api):
    return schemathesis.openapi.from_asgi("/openapi.json", api.client.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_produces_a_server_error(case, api):
    for who in ("admin", "unit"):
        response = case.call(headers=api.headers(who))
        assert response.status_code < 500, (who, case.method, case.path, response.status_code, response.text[:300])
