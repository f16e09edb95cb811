"""GET /v1/reports/rates (R35.1) on both engines: who reads which lines, and bad input refused in Chinese."""

from __future__ import annotations

import pytest

RESULT = {"result": "已处理并告知诉求人。", "told_appellant": True}


@pytest.fixture
def two_units(reports_api):
    """city_housing responded on time (11-04), heat_group late (11-12); both dispatched Monday 11-02."""
    api = reports_api
    for lead, who, responded in (
        ("city_housing", "unit", "2026-11-04 10:00"),
        ("heat_group", "unit2", "2026-11-12 10:00"),
    ):
        api.at("2026-11-02 10:00")
        _, number = api.ticket(lead=lead)
        api.at("2026-11-02 11:00")
        assert api.act(who, number, "receive").status_code == 200
        api.at(responded)
        assert api.act(who, number, "respond", RESULT).status_code == 200
    api.at("2026-12-01 09:00")
    return api


def rates(api, who, **params):
    return api.client.get("/v1/reports/rates", params=params, headers=api.headers(who))


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisors_and_admins_read_every_unit_ranked(two_units, who):
    r = rates(two_units, who, period="2026-11", by="unit")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["period"], body["label"], body["previous"]) == ("2026-11", "2026年11月", "2026-10")
    lines = {ln["key"]: ln for ln in body["lines"]}
    assert set(lines) == {"city_housing", "heat_group"}
    assert lines["city_housing"]["name"] == "市住房和城乡建设局"
    on_time = {
        k: (ln["rates"]["on_time"]["numerator"], ln["rates"]["on_time"]["denominator"], ln["rates"]["on_time"]["rank"])
        for k, ln in lines.items()
    }
    assert on_time == {"city_housing": (1, 1, 1), "heat_group": (0, 1, 2)}
    assert body["rate_names"]["on_time"] == "按时办结率"
    assert body["total"]["rates"]["on_time"]["value"] == 0.5


@pytest.mark.rule("R35.1")
def test_a_unit_reads_its_own_line_only(two_units):
    r = rates(two_units, "unit2", period="2026-11")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [ln["key"] for ln in body["lines"]] == ["heat_group"]
    assert body["total"]["key"] == "heat_group"  # not the city's figure
    assert body["lines"][0]["rates"]["on_time"]["rank"] == 2  # its place in the ranking
    assert "city_housing" not in r.text
    assert rates(two_units, "unit", period="2026-11", by="district").status_code == 403


@pytest.mark.rule("R35.1")
def test_an_operator_and_no_token_are_refused(two_units):
    assert rates(two_units, "seat", period="2026-11").status_code == 403
    assert two_units.client.get("/v1/reports/rates", params={"period": "2026-11"}).status_code == 401


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize(
    "params, words",
    [
        ({"period": "2026-13"}, "时段"),
        ({"period": "上个月"}, "无法识别"),
        ({"period": "2026-11", "by": "street"}, "分组"),
        ({"period": "0001-01"}, "超出"),
    ],
)
def test_a_bad_period_or_grouping_is_a_422_in_chinese(two_units, params, words):
    r = rates(two_units, "supervisor", **params)
    assert r.status_code == 422
    assert words in r.json()["detail"]


@pytest.mark.rule("R35.1")
def test_without_a_period_the_last_complete_month_is_given(two_units):
    body = rates(two_units, "supervisor").json()  # the clock is at 2026-12-01
    assert body["period"] == "2026-11" and len(body["lines"]) == 2
