"""`hotline report daily|weekly|monthly|topic` (R31.1, R31.2, R35.1): the files it writes from the
server database, and one Chinese line with exit code 2 for every mistake a person can make."""

from __future__ import annotations

import pytest
from docs_seed import HEAT, HOUSING, SECRET, api, seeded  # noqa: F401  (fixtures)
from openpyxl import load_workbook


@pytest.mark.rule("R31.1")
def test_the_monthly_report_is_written_as_xlsx_and_html(seeded, server_db, cli, tmp_path):
    out = tmp_path / "out"
    r = cli("report", "monthly", "--db", str(server_db), "--period", "2026-11", "--out", str(out))
    assert r.code == 0, r.err
    assert sorted(p.name for p in out.iterdir()) == ["8890-monthly-2026-11.html", "8890-monthly-2026-11.xlsx"]
    assert r.out.split() == [str(out / "8890-monthly-2026-11.xlsx"), str(out / "8890-monthly-2026-11.html")]
    assert "三率" in load_workbook(out / "8890-monthly-2026-11.xlsx").sheetnames


@pytest.mark.rule("R35.1")
def test_a_units_report_from_the_command_line_is_that_units_only(seeded, server_db, cli, tmp_path, rules):
    r = cli(
        "report", "monthly", "--db", str(server_db), "--period", "2026-11", "--out", str(tmp_path), "--for", HOUSING
    )
    assert r.code == 0, r.err
    page = (tmp_path / f"8890-monthly-2026-11-{HOUSING}.html").read_text(encoding="utf-8")
    assert rules.taxonomy.units[HOUSING].name in page and rules.taxonomy.units[HEAT].name not in page


@pytest.mark.rule("R31.2")
def test_the_topic_analysis_from_the_command_line_names_its_units(seeded, server_db, cli, tmp_path, rules):
    r = cli(
        "report",
        "topic",
        "--db",
        str(server_db),
        "--matter",
        "heating_temperature",
        "--place",
        "tiedong",
        "--period",
        "2026-11",
        "--out",
        str(tmp_path),
    )
    assert r.code == 0, r.err
    page = (tmp_path / "8890-topic-heating_temperature-tiedong-2026-11.html").read_text(encoding="utf-8")
    assert f"<b>主送：</b>{rules.taxonomy.units[HEAT].name}" in page
    assert all(v not in page for v in SECRET.values())


@pytest.mark.rule("R31.1")
@pytest.mark.parametrize(
    "args, field",
    [
        (("monthly", "--period", "2026-13"), "--period"),
        (("monthly", "--period", "2026-W47"), "--period"),  # a week given to the monthly report
        (("weekly", "--period", "十一月"), "--period"),
        (("daily", "--period", "2026-11", "--for", "no_such_unit"), "--period"),
        (("daily", "--period", "2026-11-29", "--for", "no_such_unit"), "--for"),
        (("topic", "--matter", "no_such_matter", "--period", "2026-11"), "--matter"),
        (("topic", "--matter", "heating_temperature", "--place", "atlantis", "--period", "2026-11"), "--place"),
        (("topic", "--matter", "heating_temperature"), "--period"),  # a topic names its period
    ],
)
def test_a_bad_period_or_code_is_one_chinese_line(seeded, server_db, cli, tmp_path, args, field):
    r = cli("report", *args, "--db", str(server_db), "--out", str(tmp_path / "out"))
    assert r.code == 2 and len(r.err_lines) == 1, r.err
    assert field in r.err_lines[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.err_lines[0])
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.rule("R31.1")
@pytest.mark.sqlite_only
def test_a_bad_out_path_is_one_chinese_line(seeded, server_db, cli, tmp_path):
    a_file = tmp_path / "report.txt"
    a_file.write_text("x")
    for out in (a_file, tmp_path / "no" / "such" / "folder"):
        r = cli("report", "daily", "--db", str(server_db), "--period", "2026-11-29", "--out", str(out))
        assert r.code == 2 and len(r.err_lines) == 1, r.err
        assert "--out" in r.err_lines[0] and any("\u4e00" <= ch <= "\u9fff" for ch in r.err_lines[0])
    assert not (tmp_path / "no").exists()
