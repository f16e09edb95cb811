"""`hotline report triage` (R20.3) on what the second opinion's veto (round 12) costs: the grey-hint
tickets and the 否决后转介 in the headline, a column per target, the ticket numbers below, the same
keys in --json, and the overruled targets in --export. The rules are the packaged ones with a toy
model whose veto overrules the knife-and-watermelon text (tests/reports/triage_veto_support.py)."""

from __future__ import annotations

import json

import pytest
from triage_veto_support import KNIFE, STALL_FIRE, veto_rules

import operator_tui.triage_rules

pytestmark = pytest.mark.rule("R20.3")


@pytest.fixture
def served(reports_api, server_db, monkeypatch):
    # The command loads its rules at run time; with no --rules it asks for the packaged ones.
    monkeypatch.setattr(operator_tui.triage_rules, "load_triage_rules", lambda path=None: veto_rules())
    api, n = reports_api, {}
    api.at("2026-11-03 10:00")
    _, n["knife"] = api.ticket(lead=None, description=KNIFE)
    assert api.act("seat", n["knife"], "referral", {"target": "110", "outcome": "transferred"}).status_code == 200
    _, n["stall"] = api.ticket(lead=None, description=STALL_FIRE)
    assert api.act("seat", n["stall"], "referral", {"target": "119", "outcome": "told_to_dial"}).status_code == 200
    _, n["hint"] = api.ticket(lead=None, who="seat2", seat="013", description=KNIFE)
    api.at("2026-12-01 10:00")
    return str(server_db), n


def test_the_headline_the_column_and_the_numbers(served, cli):
    db, n = served
    r = cli("report", "triage", "--db", db, "--period", "2026-11")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert "工单 3 件，提示 0 件" in lines[0] and lines[0].endswith("灰色提示 3 件；其中否决后转介 2 件")
    assert lines[1].split()[-1] == "否决后转介"
    assert lines[2].split() == ["110", "报警", "0", "1", "0", "0", "0.0%", "1"]
    assert lines[3].split() == ["119", "火警", "0", "1", "0", "0", "0.0%", "1"]
    assert lines[4].split() == ["120", "急救", "0", "0", "0", "0", "—", "0"]
    assert lines[7].split() == ["合计", "0", "2", "0", "0", "0.0%", "2"]
    assert f"漏报 2 件：{n['knife']}、{n['stall']}" in lines
    assert f"否决后转介 2 件：{n['knife']}、{n['stall']}" in lines
    assert "拿刀" not in r.out and "西瓜" not in r.out


def test_json_carries_the_new_keys(served, cli):
    db, n = served
    data = cli("report", "triage", "--db", db, "--period", "2026-11", "--json").json()
    assert data["hinted_tickets"] == 3
    by = {t["target"]: t for t in data["targets"]}
    assert by["110"]["overruled_referred"] == 1 and by["110"]["overruled_referred_numbers"] == [n["knife"]]
    assert data["total"]["overruled_referred_numbers"] == [n["knife"], n["stall"]]


def test_export_names_the_overruled_targets(served, cli, tmp_path):
    db, n = served
    out = tmp_path / "field.jsonl"
    r = cli("report", "triage", "--db", db, "--period", "2026-11", "--export", out)
    assert r.code == 0, r.err
    by = {x["id"]: x for x in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(by) == {n["knife"], n["stall"]}  # the hint nobody acted on is no disagreement
    assert by[n["knife"]]["overruled"] == ["110", "120"] and by[n["knife"]]["expect"] == ["110"]
    assert by[n["stall"]]["overruled"] == ["119"] and by[n["stall"]]["banner"] == []
