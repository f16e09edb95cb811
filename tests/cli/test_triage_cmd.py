"""`hotline triage TEXT [--json] [--rules FILE]` (R20.3), driven through a local Typer app."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from operator_tui.cli.triage_cmd import register

pytestmark = pytest.mark.rule("R20.3")


@pytest.fixture
def run():
    app = typer.Typer(add_completion=False)
    register(app)

    @app.callback()
    def root() -> None:  # a group, as in the real `hotline`, so the command is named
        pass

    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(app, ["triage", *args], **kw)


def test_json_prints_exactly_the_documented_shape(run):
    res = run("--json", "我家厨房着火了，我妈晕倒了")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert set(out) == {"referrals", "emergency", "matches", "rule_ids", "overruled"}
    assert out["referrals"] == ["119", "120"] and out["emergency"] is True
    for m in out["matches"]:
        assert {"target", "phrase", "start", "end"} <= set(m)
        assert "我家厨房着火了，我妈晕倒了"[m["start"] : m["end"]] == m["phrase"]
    assert "着火" in res.stdout  # ensure_ascii=False: Chinese stays readable


def test_json_for_an_ordinary_call(run):
    res = run("--json", "想问一下煤气费怎么交")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {
        "referrals": [],
        "emergency": False,
        "matches": [],
        "rule_ids": [],
        "overruled": [],
    }


def test_plain_output_names_targets_and_words_in_chinese(run):
    res = run("有人喝农药了，现在叫不醒")
    assert res.exit_code == 0
    assert "紧急情况" in res.stdout
    assert "110 报警" in res.stdout and "120 急救" in res.stdout
    assert "喝农药" in res.stdout and "叫不醒" in res.stdout


def test_plain_output_for_an_ordinary_call(run):
    res = run("去年着火的那栋楼外墙还没修")
    assert res.exit_code == 0
    assert res.stdout.strip() == "未发现紧急情况"


def test_caller_words_reach_the_terminal_without_escapes(run):
    res = run("着火了\x1b]52;c;aGk=\x07\x1b[2J")
    assert res.exit_code == 0
    assert "\x1b" not in res.stdout


def test_text_from_stdin(run):
    res = run("--json", "-", input="孩子走丢了\n")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["referrals"] == ["110"]


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_text_is_exit_2_with_one_line(run, text):
    res = run(text)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1
    assert "TEXT" in res.stderr and "来电内容为空" in res.stderr


def test_missing_rules_file_is_exit_2_naming_the_file(run, tmp_path):
    missing = tmp_path / "nope.toml"
    res = run("着火了", "--rules", str(missing))
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1
    assert str(missing) in res.stderr and "--rules" in res.stderr


def test_broken_rules_file_is_exit_2_naming_file_and_entry(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'version = 1\n[[rule]]\nid = "119.fire"\ntargets = ["119"]\nphrases = ["着火"]\nbogus = 1\n', encoding="utf-8"
    )
    res = run("着火了", "--rules", str(bad))
    assert res.exit_code == 2
    line = res.stderr.strip()
    assert "\n" not in line
    assert str(bad) in line and "rule '119.fire'" in line and "unknown key 'bogus'" in line


def test_invalid_toml_names_the_line(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 1\nfoo = = 2\nbar = 3\n", encoding="utf-8")
    res = run("着火了", "--rules", str(bad))
    assert res.exit_code == 2
    assert "not valid TOML" in res.stderr and "line 2" in res.stderr


def test_a_user_rules_file_replaces_the_packaged_rules(run, tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        'version = 1\n[[rule]]\nid = "应急.drill"\ntargets = ["应急"]\nphrases = ["警报"]\n', encoding="utf-8"
    )
    res = run("--json", "--rules", str(mine), "防空警报响了，着火了")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["referrals"] == ["应急"]


def test_plain_output_says_what_the_rules_saw_when_the_whole_text_reads_as_ordinary(run):
    # Round 12: the second opinion overrules the rules' 110 on a knife used to cut fruit; the
    # command still names the word, so whoever checks a call sees why nothing was flagged.
    res = run("学校门口 有人拿刀 卖水果的切西瓜 家长说看着吓人 能不能不让摆")
    assert res.exit_code == 0
    assert res.stdout.startswith("未发现紧急情况")
    assert "“拿刀”：110 报警" in res.stdout and "不像紧急情况" in res.stdout
