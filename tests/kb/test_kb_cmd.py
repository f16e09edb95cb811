"""`hotline kb import|export|search|stale` (R34.1), driven through a local Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from operator_tui.cli.kb_cmd import SEARCH_JSON_KEYS, register
from operator_tui.kb.export import export_markdown
from operator_tui.kb.index import all_articles, connect, ensure_schema
from operator_tui.kb.sample import sample_articles, sample_dir
from operator_tui.settings import Settings
from operator_tui.store.db import Store

GOOD = """---
id: test-noise
title: 测试：夜间噪声
matters: [noise_life]
owner_unit: city_public_security
valid_from: 2024-01-01
review_by: 2025-01-01
source: 《中华人民共和国噪声污染防治法》第八十八条
standard_answer: 您好，夜间是指晚上十点至次日早晨六点。
sample: true
---

夜间噪声的说明。
"""


@pytest.fixture
def run(tmp_path: Path):
    db = tmp_path / "data" / "seat.db"
    db.parent.mkdir()
    init_db(db)  # issue 14: only `hotline db init` creates a database; kb commands need one
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        """hotline"""
        ctx.obj = Settings.resolve(db=db)

    register(app)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    invoke.db = db  # type: ignore[attr-defined]
    return invoke


def init_db(db: Path) -> None:
    """What `hotline db init` makes: the seat database with its knowledge-base tables."""
    Store.open(db)
    conn = connect(db)
    try:
        ensure_schema(conn)
    finally:
        conn.close()


def stored_ids(db: Path) -> list[str]:
    conn = connect(db)
    try:
        return [a.id for a in all_articles(conn)]
    finally:
        conn.close()


@pytest.mark.rule("R34.1")
def test_import_the_sample_folder(run):
    result = run("kb", "import", sample_dir())
    assert result.exit_code == 0, result.output
    assert f"已导入 {len(sample_articles())} 条" in result.output
    assert len(stored_ids(run.db)) == len(sample_articles())


@pytest.mark.rule("R34.1")
def test_a_broken_file_imports_nothing_names_file_and_line_and_exits_2(run, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    broken = GOOD.replace("test-noise", "test-broken").replace(
        "owner_unit: city_public_security", "owner_unit: police_dept"
    )
    broken = broken.replace("review_by: 2025-01-01", "review_by: 2025-02-30")
    (folder / "broken.md").write_text(broken, encoding="utf-8")
    result = run("kb", "import", folder)
    assert result.exit_code == 2
    assert f"{folder / 'broken.md'}:5: " in result.stderr and "police_dept" in result.stderr
    assert f"{folder / 'broken.md'}:7: " in result.stderr
    assert stored_ids(run.db) == []  # issue 14: all or nothing, the good file waits for the broken one


def test_a_broken_csv_imports_none_of_its_rows(run, tmp_path: Path):
    from dataclasses import replace

    from operator_tui.kb.export import articles_to_csv

    good = sample_articles()[:3]
    rows = good[:2] + [replace(good[2], matters=("no_such_matter",))]
    path = tmp_path / "kb.csv"
    path.write_text(articles_to_csv(rows), encoding="utf-8")
    third_row_line = articles_to_csv(good[:2]).count("\n") + 1  # bodies span several lines
    result = run("kb", "import", path)
    assert result.exit_code == 2
    assert f"{path}:{third_row_line}: " in result.stderr and "no_such_matter" in result.stderr
    assert stored_ids(run.db) == []


@pytest.mark.rule("R34.1")
def test_export_markdown_and_csv_round_trip(run, tmp_path: Path):
    run("kb", "import", sample_dir())
    out = tmp_path / "out"
    assert run("kb", "export", "--out", out).exit_code == 0
    assert len(list(out.glob("*.md"))) == len(sample_articles())
    csv_path = tmp_path / "all.csv"
    assert run("kb", "export", "--format", "csv", "--out", csv_path).exit_code == 0
    other = tmp_path / "again" / "seat.db"
    other.parent.mkdir()
    init_db(other)
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        """hotline"""
        ctx.obj = Settings.resolve(db=other)

    register(app)
    assert CliRunner().invoke(app, ["kb", "import", str(csv_path)]).exit_code == 0
    assert stored_ids(other) == stored_ids(run.db)
    to_stdout = run("kb", "export", "--format", "csv")
    assert to_stdout.stdout.startswith("id,title,matters")
    assert run("kb", "export", "--format", "pdf").exit_code == 2


@pytest.mark.rule("R19.3")
def test_search_json_is_a_ranked_list_of_exactly_four_keys(run):
    run("kb", "import", sample_dir())
    result = run("kb", "search", "暖气不热", "--json", "--limit", "5")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 5
    assert all(tuple(h) == SEARCH_JSON_KEYS for h in hits)
    assert SEARCH_JSON_KEYS == ("id", "title", "score", "standard_answer")
    assert hits[0]["id"] == "heating-room-temperature-standard"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    boosted = json.loads(run("kb", "search", "退费", "--matter", "heating_temperature", "--json").stdout)
    assert boosted[0]["id"] == "heating-temperature-refund"
    text = run("kb", "search", "社保卡丢了")
    assert "ssc-lost-replace" in text.stdout
    assert run("kb", "search", "供暖", "--matter", "nope").exit_code == 2


@pytest.mark.rule("R34.1")
def test_stale_lists_passed_reviews_and_expired_articles_on_the_given_day(run):
    run("kb", "import", sample_dir())
    result = run("kb", "stale", "--today", "2026-11-26", "--json")
    assert result.exit_code == 0
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["heating-2025-season-arrangement"]["reasons"][0] == "expired"
    assert "review_overdue" in rows["heating-temperature-refund"]["reasons"]
    assert "heating-room-temperature-standard" not in rows
    mine = json.loads(run("kb", "stale", "--today", "2026-11-26", "--owner", "heat_group", "--json").stdout)
    assert mine and all(r["owner_unit"] == "heat_group" for r in mine)
    assert json.loads(run("kb", "stale", "--today", "2020-01-01", "--json").stdout) == []
    human = run("kb", "stale", "--today", "2026-11-26")
    assert "已过复核日期" in human.stdout and "已过有效期" in human.stdout
    assert run("kb", "stale", "--today", "26/11/2026").exit_code == 2


def test_import_of_an_empty_folder_exits_2(run, tmp_path: Path):
    (tmp_path / "empty").mkdir()
    assert run("kb", "import", tmp_path / "empty").exit_code == 2
    export_markdown([], tmp_path / "none")
