"""The report routes leave the error tree's errors to the server's one handler (server_stub/errors.py,
issue 18): a policy file the admin broke answers 503 naming the file, never a 5xx "bug" or the
caller's fault; a period that cannot be read answers 422 with the parser's own words."""

from __future__ import annotations

import pytest


@pytest.fixture
def broken_policy(tmp_path, monkeypatch):
    path = tmp_path / "broken-policy.toml"
    path.write_text("[rates]\nno_such_rate = 1\n\n[risks]\nno_such_key = 1\n", encoding="utf-8")
    monkeypatch.setenv("HOTLINE_POLICY", str(path))
    return path


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize("path", ["/v1/reports/rates", "/v1/reports/rates/tickets", "/v1/reports/rates/trend"])
def test_an_unusable_rates_policy_is_503_naming_the_file(reports_api, broken_policy, path):
    r = reports_api.client.get(
        path, params={"period": "2026-11", "by": "all"}, headers=reports_api.headers("supervisor")
    )
    assert r.status_code == 503, r.text
    assert str(broken_policy) in r.json()["detail"] and "no_such_rate" in r.json()["detail"]


@pytest.mark.rule("R31.1")
def test_an_unusable_risk_policy_is_503_naming_the_file(reports_api, broken_policy):
    r = reports_api.client.get("/v1/reports/risks", headers=reports_api.headers("supervisor"))
    assert r.status_code == 503, r.text
    assert str(broken_policy) in r.json()["detail"]


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize("path", ["/v1/reports/rates", "/v1/reports/rates/tickets"])
def test_an_unreadable_period_is_422_in_the_parsers_words(reports_api, path):
    r = reports_api.client.get(
        path, params={"period": "2026-13", "by": "all"}, headers=reports_api.headers("supervisor")
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"] and "rule" not in r.json()
