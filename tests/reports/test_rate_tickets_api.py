"""GET /v1/reports/rates/tickets and /trend (R35.1), the drill-down and the weekly trend behind the
seat's 三率考核 screen, on both engines: what each line lists, who may ask, bad input refused."""

from __future__ import annotations

import pytest
from rates_seed import HEAT, HOUSING, NAME, PHONE, seeded  # noqa: F401  (fixture)


def get(api, path, who, **params):
    return api.client.get(f"/v1/reports/rates/{path}", params=params, headers=api.headers(who))


def facts(row) -> dict[str, bool]:
    return {r: f["met"] for r, f in row["rates"].items()}


@pytest.mark.rule("R35.1")
def test_a_units_drill_down_lists_exactly_its_tickets_with_their_facts(seeded):
    r = get(seeded.api, "tickets", "supervisor", period="2026-11", by="unit", key=HOUSING)
    assert r.status_code == 200, r.text
    body = r.json()
    rows = {t["number"]: t for t in body["tickets"]}
    n = seeded.numbers
    assert set(rows) == {n["H1"], n["H2"]}  # not October's H0, not heat_group's G1
    assert facts(rows[n["H1"]]) == {"on_time": True, "response": True, "resolution": True, "satisfaction": True}
    assert facts(rows[n["H2"]]) == {"on_time": False, "response": False, "resolution": False, "satisfaction": True}
    assert rows[n["H2"]]["rates"]["on_time"]["day"] == "2026-11-10"
    assert rows[n["H1"]]["lead_unit_name"] == "市住房和城乡建设局"
    assert rows[n["H1"]]["matter_name"] and rows[n["H1"]]["status_name"]
    assert body["more"] is False and body["label"] == "2026年11月"


@pytest.mark.rule("R35.1")
def test_the_drill_down_adds_up_to_the_rates_report(seeded):
    api = seeded.api
    report = api.client.get(
        "/v1/reports/rates", params={"period": "2026-11", "by": "unit"}, headers=api.headers("supervisor")
    ).json()
    for line in report["lines"]:
        rows = get(api, "tickets", "supervisor", period="2026-11", by="unit", key=line["key"]).json()["tickets"]
        for rate, fig in line["rates"].items():
            counted = [t for t in rows if rate in t["rates"]]
            assert (sum(t["rates"][rate]["met"] for t in counted), len(counted)) == (
                fig["numerator"],
                fig["denominator"],
            )


@pytest.mark.rule("R35.1")
def test_rows_carry_no_personal_data(seeded):
    r = get(seeded.api, "tickets", "admin", period="2026-11", by="all")
    assert r.status_code == 200 and len(r.json()["tickets"]) == 3
    assert NAME not in r.text and PHONE not in r.text and "暖气不热" not in r.text


@pytest.mark.rule("R35.1")
def test_a_unit_sees_its_own_tickets_only(seeded):
    api = seeded.api
    own = get(api, "tickets", "unit2", period="2026-11")
    assert own.status_code == 200
    assert [t["number"] for t in own.json()["tickets"]] == [seeded.numbers["G1"]]
    assert get(api, "tickets", "unit2", period="2026-11", by="unit", key=HOUSING).status_code == 403
    assert get(api, "tickets", "unit2", period="2026-11", by="all").status_code == 403
    assert get(api, "trend", "unit2", period="2026-11", by="unit", key=HOUSING).status_code == 403


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize("path", ["tickets", "trend"])
def test_an_operator_and_no_token_are_refused(seeded, path):
    assert get(seeded.api, path, "seat", period="2026-11", by="unit", key=HOUSING).status_code == 403
    assert seeded.api.client.get(f"/v1/reports/rates/{path}", params={"period": "2026-11"}).status_code == 401


@pytest.mark.rule("R35.1")
@pytest.mark.parametrize(
    "params, words",
    [
        ({"period": "2026-13", "key": HOUSING}, "时段"),
        ({"period": "2026-11", "by": "street", "key": HOUSING}, "分组"),
        ({"period": "2026-11"}, "key"),
        ({"period": "2026-11", "key": "no_such_unit"}, "不是已知的单位"),
    ],
)
def test_bad_input_is_a_422_that_says_what_to_fix(seeded, params, words):
    r = get(seeded.api, "tickets", "supervisor", **params)
    assert r.status_code == 422
    assert words in r.json()["detail"]


@pytest.mark.rule("R35.1")
def test_the_weekly_trend_counts_each_week_of_a_line(seeded):
    r = get(seeded.api, "trend", "supervisor", period="2026-11", by="unit", key=HOUSING, weeks=8)
    assert r.status_code == 200, r.text
    weeks = {w["week"]: w["rates"] for w in r.json()["weeks"]}
    # The clock is at 11-20: the trend ends with that week (W47), eight weeks from W40.
    assert list(weeks)[0] == "2026-W40" and list(weeks)[-1] == "2026-W47"
    assert (weeks["2026-W42"]["on_time"]["numerator"], weeks["2026-W42"]["on_time"]["denominator"]) == (
        1,
        1,
    )  # H0, 10-14
    assert (
        weeks["2026-W45"]["on_time"]["denominator"] == 1 and weeks["2026-W45"]["on_time"]["value"] == 1.0
    )  # H1, 11-05
    assert weeks["2026-W46"]["on_time"]["value"] == 0.0  # H2, 11-10
    assert weeks["2026-W46"]["resolution"]["value"] == 0.0 and weeks["2026-W45"]["satisfaction"]["value"] == 1.0
    assert weeks["2026-W44"]["on_time"]["value"] is None
    city = get(seeded.api, "trend", "admin", period="2026-11", weeks=8).json()
    assert {w["week"]: w["rates"]["on_time"]["denominator"] for w in city["weeks"]}[
        "2026-W46"
    ] == 2  # H2 and G1 (11-12)


@pytest.mark.rule("R35.1")
def test_missed_lists_only_the_misses_of_one_rate_and_total_counts_past_the_limit(seeded):
    api, n = seeded.api, seeded.numbers
    r = get(api, "tickets", "supervisor", period="2026-11", by="unit", key=HOUSING, missed="on_time")
    assert r.status_code == 200, r.text
    assert [t["number"] for t in r.json()["tickets"]] == [n["H2"]] and r.json()["total"] == 1
    assert [
        t["number"]
        for t in get(
            api, "tickets", "supervisor", period="2026-11", by="unit", key=HOUSING, missed="satisfaction"
        ).json()["tickets"]
    ] == []
    cut = get(api, "tickets", "admin", period="2026-11", by="all", limit=2).json()
    assert (len(cut["tickets"]), cut["total"], cut["more"]) == (2, 3, True)
    bad = get(api, "tickets", "supervisor", period="2026-11", by="unit", key=HOUSING, missed="speed")
    assert bad.status_code == 422 and "按时办结率" in bad.json()["detail"]
