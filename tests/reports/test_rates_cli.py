"""`hotline report rates` and `hotline report reproject-rates` (R35.1): the table in Chinese, the
JSON the API gives, and bad input as one Chinese line with exit code 2."""

from __future__ import annotations

import pytest

RESULT = {"result": "已处理并告知诉求人。", "told_appellant": True}


@pytest.fixture
def served(reports_api, server_db):
    """Two units: city_housing on time (11-04), heat_group late (11-12), both dispatched 11-02."""
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
    return str(server_db)


@pytest.mark.rule("R35.1")
def test_the_table_ranks_units_with_counts_in_chinese(served, cli):
    r = cli("report", "rates", "--db", served, "--period", "2026-11", "--by", "unit")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("2026年11月 三率考核（按承办单位")
    assert "按时办结率" in lines[1] and "排名" in lines[1]
    assert lines[2].split()[:3] == ["1", "市住房和城乡建设局", "100.0%（1/1）"]
    assert lines[3].split()[0] == "2" and "0.0%（0/1）" in lines[3]
    assert lines[-1].split()[:2] == ["合计", "50.0%（1/2）"]


@pytest.mark.rule("R35.1")
def test_json_is_what_the_api_gives(served, cli, reports_api):
    r = cli("report", "rates", "--db", served, "--period", "2026-11", "--json")
    assert r.code == 0, r.err
    api = reports_api.client.get(
        "/v1/reports/rates", params={"period": "2026-11"}, headers=reports_api.headers("supervisor")
    ).json()
    assert r.json() == api


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize(
    "args, words",
    [
        (("--period", "2026-13"), "时段"),
        (("--period", "十月"), "无法识别"),
        (("--period", "2026-11", "--by", "street"), "分组"),
    ],
)
def test_bad_input_is_one_chinese_line_and_exit_2(served, cli, args, words):
    r = cli("report", "rates", "--db", served, *args)
    assert r.code == 2
    assert len(r.err_lines) == 1 and words in r.err_lines[0]
    assert "Traceback" not in r.err


@pytest.mark.rule("R35.1")
def test_reproject_restores_the_rate_columns(served, cli, reports_api):
    # As after the upgrade to schema _004: the clock-based facts are not in the rows yet.
    with reports_api.storage.write() as tx:
        tx._exec("UPDATE tickets SET ontime_on = NULL, ontime_met = 0, response_on = NULL")
    empty = cli("report", "rates", "--db", served, "--period", "2026-11", "--json").json()
    assert empty["total"]["rates"]["on_time"]["denominator"] == 0
    r = cli("report", "reproject-rates", "--db", served)
    assert r.code == 0 and "2 张工单" in r.out
    again = cli("report", "rates", "--db", served, "--period", "2026-11", "--json").json()
    assert (again["total"]["rates"]["on_time"]["numerator"], again["total"]["rates"]["on_time"]["denominator"]) == (
        1,
        2,
    )
