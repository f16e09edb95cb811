"""Triage in the field through the server on both engines (R20.3): what the second opinion's veto
(round 12) costs. GET /v1/reports/triage gives the tickets showing the grey hint and, per target and
in the total, the withdrawn referrals the operators made anyway (否决后转介), counts and ticket numbers
only. The packaged model's reading moves every round, so the server runs the packaged rules with a
toy model whose veto overrules the knife-and-watermelon text (tests/reports/triage_veto_support.py)."""

from __future__ import annotations

import json

import pytest
from triage_veto_support import KNIFE, STALL_FIRE, veto_rules

from operator_tui.domain.periods import parse_period
from server_stub.api import triage_field as triage_field_api
from server_stub.reports.triage_field import field_report

pytestmark = pytest.mark.rule("R20.3")

GAS = "家里有很大的煤气味，闻着头晕。"  # the banner: 119
THROWING = "对面楼有人从窗户往下扔东西，差点砸到人"  # the banner is silent: a miss the veto has no part in


def refer(api, who: str, number: str, target: str, outcome: str) -> None:
    r = api.act(who, number, "referral", {"target": target, "outcome": outcome})
    assert r.status_code == 200, r.text


@pytest.fixture
def vetoed(reports_api, monkeypatch):
    """November on two seats: knife tickets the veto overrules, referred or not, and ordinary figures beside them."""
    monkeypatch.setattr(triage_field_api, "load_triage_rules", veto_rules)
    api, n = reports_api, {}
    api.at("2026-11-05 10:00")
    _, n["knife"] = api.ticket(lead=None, description=KNIFE)
    refer(api, "seat", n["knife"], "110", "transferred")
    refer(api, "seat", n["knife"], "120", "told_to_dial")
    _, n["stall"] = api.ticket(lead=None, who="seat2", seat="013", description=STALL_FIRE)
    refer(api, "seat2", n["stall"], "119", "transferred")
    _, n["hint"] = api.ticket(lead=None, description=KNIFE)  # the grey hint, nothing recorded
    api.at("2026-11-06 10:00")
    _, n["gas"] = api.ticket(lead=None, description=GAS)
    refer(api, "seat", n["gas"], "119", "transferred")
    _, n["throwing"] = api.ticket(lead=None, who="seat2", seat="013", description=THROWING)
    refer(api, "seat2", n["throwing"], "110", "told_to_dial")
    api.at("2026-12-02 10:00")
    return api, n


def report(api, **params):
    return api.client.get("/v1/reports/triage", params=params, headers=api.headers("supervisor"))


def test_the_vetoes_referred_anyway_are_listed_per_target_and_stay_misses(vetoed):
    api, n = vetoed
    r = report(api, period="2026-11")
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["tickets"], data["banner_tickets"], data["hinted_tickets"]) == (5, 1, 3)
    by = {t["target"]: t for t in data["targets"]}
    assert by["110"]["overruled_referred_numbers"] == [n["knife"]] and by["110"]["overruled_referred"] == 1
    assert by["110"]["numbers"]["missed"] == [n["knife"], n["throwing"]]  # the veto's miss is a miss
    assert by["120"]["overruled_referred_numbers"] == [n["knife"]]
    assert by["119"]["overruled_referred_numbers"] == [n["stall"]]
    assert by["119"]["numbers"]["confirmed"] == [n["gas"]] and by["119"]["recall"] == pytest.approx(0.5)
    assert by["122"]["overruled_referred"] == 0 and by["应急"]["overruled_referred_numbers"] == []
    total = data["total"]
    # (ticket, target) pairs, as the categories count: the knife ticket twice.
    assert total["overruled_referred"] == 3 and total["missed"] == 4
    assert sorted(total["overruled_referred_numbers"]) == sorted([n["knife"], n["knife"], n["stall"]])


def test_the_answer_holds_no_words(vetoed):
    api, _ = vetoed
    text = json.dumps(report(api, period="2026-11").json(), ensure_ascii=False)
    for words in ("拿刀", "西瓜", "摊位", "煤气味", "扔东西"):
        assert words not in text, words


def test_the_new_fields_are_described_in_the_schema(vetoed):
    api, _ = vetoed
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    assert "grey hint" in schemas["TriageFieldPublic"]["properties"]["hinted_tickets"]["description"]
    target = schemas["TargetFieldPublic"]["properties"]
    assert "否决后转介" in target["overruled_referred"]["description"]
    assert target["overruled_referred_numbers"]["description"]


def test_pages_of_any_size_give_the_same_veto_figures(vetoed):
    api, _ = vetoed
    whole, _ = field_report(api.storage, parse_period("2026-11"), veto_rules())
    assert whole.hinted_tickets == 3
    for size in (1, 2):
        paged, _ = field_report(api.storage, parse_period("2026-11"), veto_rules(), batch=size)
        assert paged.to_json_dict() == whole.to_json_dict()


def test_without_the_veto_nothing_is_hinted_and_the_knife_is_confirmed(vetoed, monkeypatch):
    api, n = vetoed
    monkeypatch.setattr(triage_field_api, "load_triage_rules", lambda: veto_rules(veto=0.0))
    data = report(api, period="2026-11").json()
    assert data["hinted_tickets"] == 0 and data["total"]["overruled_referred"] == 0
    by = {t["target"]: t for t in data["targets"]}
    assert n["knife"] in by["110"]["numbers"]["confirmed"]
