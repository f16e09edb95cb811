"""`hotline report triage` (R20.3) on a seeded server database: the table in Chinese, the JSON the
API gives, a rules file of one's own, the redacted --export (R26.1), and bad input as one Chinese
line with exit code 2."""

from __future__ import annotations

import json
import stat

import pytest

NAME, PHONE = "王建国", "13912345678"
# The banner is silent. The phone stands in a sentence of its own: with it beside the throwing,
# round 12's model read the clause as 119 (on 户往).
THROWING = f"{NAME}反映对面楼有人从窗户往下扔东西，差点砸到人。回电{PHONE}"
GAS = "家里有很大的煤气味，闻着头晕。"  # the banner: 119
FIRE = "楼道里着火了，冒着黑烟。"  # the banner: 119
MY_RULES = 'version = 1\n[[rule]]\nid = "110.throwing"\ntargets = ["110"]\nphrases = ["扔东西"]\n'


@pytest.fixture
def served(reports_api, server_db):
    api, n = reports_api, {}
    api.at("2026-11-03 10:00")
    _, n["gas"] = api.ticket(lead=None, description=GAS)
    assert api.act("seat", n["gas"], "referral", {"target": "119", "outcome": "transferred"}).status_code == 200
    _, n["throwing"] = api.ticket(lead=None, name=NAME, phone=PHONE, description=THROWING)
    assert api.act("seat", n["throwing"], "referral", {"target": "110", "outcome": "told_to_dial"}).status_code == 200
    api.at("2026-11-04 10:00")
    _, n["fire"] = api.ticket(lead=None, who="seat2", seat="013", description=FIRE)
    _, n["secret"] = api.ticket(lead=None, secrecy=["commercial"], description="厂里仓库着火了，配方资料在里面")
    api.at("2026-12-01 10:00")
    return str(server_db), n


@pytest.mark.rule("R20.3")
def test_the_table_per_target_and_the_numbers_per_category(served, cli):
    db, n = served
    r = cli("report", "triage", "--db", db, "--period", "2026-11")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("2026年11月 紧急分诊现场表现") and "工单 4 件" in lines[0]
    assert lines[0].endswith("灰色提示 0 件；其中否决后转介 0 件")
    assert lines[1].split() == ["转介对象", "确认", "漏报", "误报", "未处置", "现场召回率", "否决后转介"]
    assert lines[2].split() == ["110", "报警", "0", "1", "0", "0", "0.0%", "0"]
    assert lines[3].split() == ["119", "火警", "1", "0", "0", "2", "100.0%", "0"]
    assert lines[4].split() == ["120", "急救", "0", "0", "0", "0", "—", "0"]
    assert lines[7].split() == ["合计", "1", "1", "0", "2", "50.0%", "0"]
    assert f"确认 1 件：{n['gas']}" in lines
    assert f"漏报 1 件：{n['throwing']}" in lines
    assert f"未处置 2 件：{n['fire']}、{n['secret']}" in lines
    assert not any(line.startswith(("误报 ", "否决后转介 ")) for line in lines)
    assert "扔东西" not in r.out and NAME not in r.out


@pytest.mark.rule("R20.3")
def test_json_is_what_the_api_gives(served, cli, reports_api):
    db, _ = served
    r = cli("report", "triage", "--db", db, "--period", "2026-11", "--json")
    assert r.code == 0, r.err
    api = reports_api.client.get(
        "/v1/reports/triage", params={"period": "2026-11"}, headers=reports_api.headers("supervisor")
    ).json()
    assert r.json() == api


@pytest.mark.rule("R20.3")
def test_a_rules_file_of_ones_own_is_measured_on_the_same_calls(served, cli, tmp_path):
    db, n = served
    mine = tmp_path / "mine.toml"
    mine.write_text(MY_RULES, encoding="utf-8")
    data = cli("report", "triage", "--db", db, "--period", "2026-11", "--json", "--rules", mine).json()
    assert data["rules"] == str(mine)
    by = {t["target"]: t for t in data["targets"]}
    assert by["110"]["numbers"]["confirmed"] == [n["throwing"]] and by["110"]["recall"] == 1.0
    assert by["119"]["numbers"]["missed"] == [n["gas"]]  # these rules know no gas


@pytest.mark.rule("R20.3")
@pytest.mark.rule("R26.1")
def test_export_writes_the_disagreements_redacted_and_private(served, cli, tmp_path):
    db, n = served
    out = tmp_path / "field.jsonl"
    r = cli("report", "triage", "--db", db, "--period", "2026-11", "--export", out)
    assert r.code == 0, r.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    by = {x["id"]: x for x in lines}
    # The confirmed gas call agrees, and the secret ticket's words stay where its mark keeps them (R33.2).
    assert set(by) == {n["throwing"], n["fire"]}
    throwing = by[n["throwing"]]
    assert throwing["kind"] == "field" and throwing["expect"] == ["110"] and throwing["banner"] == []
    assert throwing["false_alarm"] == [] and "扔东西" in throwing["text"]
    assert by[n["fire"]]["expect"] == [] and by[n["fire"]]["banner"] == ["119"]
    raw = out.read_text(encoding="utf-8")
    assert NAME not in raw and PHONE not in raw and "建国" not in raw and "配方" not in raw
    assert len(r.err_lines) == 1 and "人工" in r.err and "留出集" in r.err and "1 件涉密工单" in r.err


@pytest.mark.rule("R20.3")
def test_export_never_overwrites(served, cli, tmp_path):
    db, _ = served
    out = tmp_path / "field.jsonl"
    out.write_text("reviewed\n", encoding="utf-8")
    r = cli("report", "triage", "--db", db, "--period", "2026-11", "--export", out)
    assert r.code == 2 and len(r.err_lines) == 1 and "已存在" in r.err
    assert out.read_text(encoding="utf-8") == "reviewed\n"


@pytest.mark.rule("R20.3")
@pytest.mark.parametrize(
    "args, words",
    [
        (("--period", "2026-13"), "时段"),
        (("--period", "十一月"), "无法识别"),
        (("--period", "2026-11", "--rules", "/nonexistent/rules.toml"), "--rules"),
        (("--period", "2026-11", "--export", "/nonexistent/dir/x.jsonl"), "文件夹不存在"),
    ],
)
def test_bad_input_is_one_chinese_line_and_exit_2(served, cli, args, words):
    db, _ = served
    r = cli("report", "triage", "--db", db, *args)
    assert r.code == 2
    assert len(r.err_lines) == 1 and words in r.err_lines[0]
    assert "Traceback" not in r.err


@pytest.mark.rule("R20.3")
def test_a_missing_database_is_one_chinese_line(cli, tmp_path):
    r = cli("report", "triage", "--db", tmp_path / "none.db", "--period", "2026-11")
    assert r.code == 2 and len(r.err_lines) == 1 and "没有服务端数据库" in r.err
