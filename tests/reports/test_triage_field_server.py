"""Triage in the field through the server on both engines (R20.3): tickets and referrals pushed as
seats push them, GET /v1/reports/triage for supervisors and admins, counts and numbers only."""

from __future__ import annotations

import json

import pytest

from operator_tui.domain.periods import parse_period
from operator_tui.triage_rules import load_triage_rules
from server_stub.reports.triage_field import field_report

GAS = "家里有很大的煤气味，闻着头晕。"  # the banner: 119
THROWING = "对面楼有人从窗户往下扔东西，差点砸到人"  # the banner is silent
FIRE = "楼道里着火了，冒着黑烟。"  # the banner: 119
HEATING = "家里暖气不热，室温只有15度。"


def refer(api, who: str, number: str, target: str, outcome: str, reason: str = "") -> None:
    payload = {"target": target, "outcome": outcome, **({"reason": reason} if reason else {})}
    r = api.act(who, number, "referral", payload)
    assert r.status_code == 200, r.text


@pytest.fixture
def centre(reports_api):
    """Two seats record November's calls; one ticket each side of the month's edges (local time)."""
    api, n = reports_api, {}
    api.at("2026-10-31 23:50")
    _, n["october"] = api.ticket(lead=None, description=FIRE)
    api.at("2026-11-01 00:05")
    _, n["gas"] = api.ticket(lead=None, description=GAS)
    refer(api, "seat", n["gas"], "119", "transferred")
    api.at("2026-11-12 15:00")
    _, n["throwing"] = api.ticket(lead=None, who="seat2", seat="013", description=THROWING)
    refer(api, "seat2", n["throwing"], "110", "told_to_dial")
    _, n["drill"] = api.ticket(lead=None, who="seat2", seat="013", description=FIRE)
    refer(api, "seat2", n["drill"], "119", "false_alarm", "来电人称是消防演练")
    api.at("2026-11-30 23:55")
    _, n["unanswered"] = api.ticket(lead=None, description=FIRE)
    _, n["heating"] = api.ticket(lead=None, description=HEATING)
    api.at("2026-12-01 00:00")
    _, n["december"] = api.ticket(lead=None, description=FIRE)
    api.at("2026-12-02 10:00")
    return api, n


def report(api, who: str = "supervisor", **params):
    return api.client.get("/v1/reports/triage", params=params, headers=api.headers(who))


@pytest.mark.rule("R20.3")
@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_the_month_counts_each_seats_tickets_and_referrals(centre, who):
    api, n = centre
    r = report(api, who, period="2026-11")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["period"] == "2026-11" and data["rules"].endswith("triage.toml")
    assert (data["tickets"], data["banner_tickets"], data["referred_tickets"]) == (5, 3, 2)
    assert data["doubtful_tickets"] == 2 and data["doubtful_share"] == pytest.approx(2 / 3)
    by = {t["target"]: t for t in data["targets"]}
    assert by["119"]["numbers"] == {
        "confirmed": [n["gas"]],
        "missed": [],
        "false_alarm": [n["drill"]],
        "unanswered": [n["unanswered"]],
    }
    # seat 013's referral, which the banner did not call for
    assert by["110"]["numbers"]["missed"] == [n["throwing"]] and by["110"]["recall"] == 0.0
    assert by["119"]["recall"] == 1.0
    total = data["total"]
    assert (total["confirmed"], total["missed"], total["false_alarm"], total["unanswered"]) == (1, 1, 1, 1)
    assert total["recall"] == pytest.approx(0.5)


@pytest.mark.rule("R20.3")
def test_period_edges_are_local_days(centre):
    api, n = centre
    october = report(api, period="2026-10-31").json()
    assert october["tickets"] == 1 and october["total"]["numbers"]["unanswered"] == [n["october"]]
    first = report(api, period="2026-11-01").json()
    assert first["tickets"] == 1 and first["total"]["numbers"]["confirmed"] == [n["gas"]]
    december = report(api, period="2026-12").json()
    assert december["tickets"] == 1 and december["total"]["numbers"]["unanswered"] == [n["december"]]
    default = report(api).json()  # the last complete month at the server's clock (2026-12-02)
    assert default["period"] == "2026-11" and default["tickets"] == 5


@pytest.mark.rule("R20.3")
def test_pages_of_any_size_give_the_same_figures(centre):
    api, _ = centre
    period, rules = parse_period("2026-10-01..2026-12-31"), load_triage_rules()
    whole, _ = field_report(api.storage, period, rules)
    # Two tickets share 23:55:00 on 11-30: a page ending between them must not drop or repeat one.
    for size in (1, 2, 3):
        paged, _ = field_report(api.storage, period, rules, batch=size)
        assert paged.to_json_dict() == whole.to_json_dict()
    assert whole.tickets == 7


@pytest.mark.rule("R20.3")
@pytest.mark.parametrize("who", ["seat", "seat2", "unit", "unit2"])
def test_operators_and_units_are_refused(centre, who):
    api, _ = centre
    assert report(api, who, period="2026-11").status_code == 403


@pytest.mark.rule("R20.3")
@pytest.mark.parametrize(
    "period, fix",
    [("2026-13", "请检查年月日"), ("十一月", "请写 2026-10（月）"), ("2026-11-30..2026-11-01", "开始..结束")],
)
def test_a_bad_period_is_a_422_naming_the_fix(centre, period, fix):
    api, _ = centre
    r = report(api, period=period)
    assert r.status_code == 422
    assert fix in r.json()["detail"]


@pytest.mark.rule("R20.3")
@pytest.mark.rule("R26.1")
def test_the_answer_holds_no_words_and_no_appellant(centre, form):
    api, _ = centre
    text = json.dumps(report(api, period="2026-11").json(), ensure_ascii=False)
    appellant = form()["appellant"]
    for secret in (appellant["name"], appellant["phone"], appellant["address"], "煤气味", "扔东西", "暖气", "演练"):
        assert secret not in text, secret


@pytest.mark.rule("R20.3")
@pytest.mark.parametrize("period", ["2026", "2026-01-01..2026-06-30"])
def test_a_period_longer_than_a_quarter_is_for_the_cli_not_the_api(centre, period):
    # Each ticket's description is judged again: a city's year in one request would hold a server
    # worker for minutes. A quarter passes; longer is a 422 that says where to get it instead.
    api, _ = centre
    r = report(api, period=period)
    assert r.status_code == 422
    assert "hotline report triage" in r.json()["detail"] and "92" in r.json()["detail"]
    assert report(api, period="2026-10-01..2026-12-31").status_code == 200
