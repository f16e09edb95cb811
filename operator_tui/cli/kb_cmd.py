"""`hotline kb …`: upkeep of the knowledge base (R34.1) from the command line.

    hotline kb import PATH                 .md files (a file or a folder) or .csv
    hotline kb export [--format md|csv] [--out DIR_OR_FILE]
    hotline kb search TEXT [--matter CODE] [--limit N] [--json]
    hotline kb stale [--today YYYY-MM-DD] [--owner UNIT] [--within DAYS] [--json]

`register(app, get_db_path)` adds the sub-app; the database path is resolved by the main CLI
and only asked for when a command runs. Exit codes: 0 done, 2 bad input (an import with
errors, an unknown matter or unit, a malformed date).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Callable, Optional

import typer

from operator_tui.kb.export import articles_to_csv, export_csv, export_markdown
from operator_tui.kb.index import all_articles, connect, ensure_schema, upsert_articles
from operator_tui.kb.parse import clean_text, load_codes, parse_path
from operator_tui.kb.search import search_conn
from operator_tui.kb.stale import REASON_TEXT, find_stale

# The shape other tools rely on (issue 4): keep it exactly these keys.
SEARCH_JSON_KEYS = ("id", "title", "score", "standard_answer")


def _parse_day(value: Optional[str]) -> date:
    if value is None:
        return date.today()  # the CLI is the edge of the program: the only place that reads it
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD：{value!r}") from None


def _first_line(text: str) -> str:
    return clean_text(text).strip().split("\n", 1)[0]


def register(app: typer.Typer, get_db_path: Callable[[], Path]) -> None:
    """Add the `kb` sub-app to `app`."""
    kb = typer.Typer(help="知识库维护：导入、导出、检索、过期检查（R34.1）", no_args_is_help=True)

    @kb.command("import")
    def import_(path: Path = typer.Argument(..., exists=True, help="一个 .md/.csv 文件，或一个文件夹")) -> None:
        """导入知识库条目：逐条校验，出错的文件整份不导入，并报告文件和行号。"""
        results = parse_path(path, load_codes())
        errors = [e for r in results for e in r.errors]
        for error in errors:
            typer.echo(str(error), err=True)
        articles = [a for r in results for a in r.articles]
        db = get_db_path()
        db.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(db)
        try:
            ensure_schema(conn)
            written = upsert_articles(conn, articles) if articles else 0
        finally:
            conn.close()
        good = sum(1 for r in results if r.articles)
        broken = sum(1 for r in results if r.errors)
        typer.echo(f"已导入 {written} 条（{good} 个文件）。")
        if not results:
            typer.echo(f"{path} 下没有 .md 或 .csv 文件。", err=True)
            raise typer.Exit(2)
        if errors:
            typer.echo(f"{broken} 个文件有 {len(errors)} 处错误，这些文件未导入。", err=True)
            raise typer.Exit(2)

    @kb.command("export")
    def export(
        fmt: str = typer.Option("md", "--format", help="md（每条一个文件）或 csv"),
        out: Optional[Path] = typer.Option(None, "--out", help="md：目录；csv：文件（默认输出到屏幕）"),
    ) -> None:
        """导出全部条目（可修改后再导入）。"""
        if fmt not in ("md", "csv"):
            raise typer.BadParameter("--format 只能是 md 或 csv")
        conn = connect(get_db_path())
        try:
            ensure_schema(conn)
            articles = all_articles(conn)
        finally:
            conn.close()
        if fmt == "csv" and out is None:
            sys.stdout.write(articles_to_csv(articles))
            return
        if fmt == "csv":
            export_csv(articles, out)  # type: ignore[arg-type]
        else:
            out = out or Path("kb-export")
            export_markdown(articles, out)
        typer.echo(f"已导出 {len(articles)} 条到 {out}。")

    @kb.command("search")
    def search(
        text: str = typer.Argument(..., help="检索词，如“暖气不热”、“社保卡”、“gn”"),
        matter: Optional[str] = typer.Option(None, "--matter", help="事项代码，加权该事项的条目"),
        limit: int = typer.Option(10, "--limit", min=1, max=100),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON 列表（按排名）"),
        include_expired: bool = typer.Option(False, "--all", help="包括已过期和尚未生效的条目"),
    ) -> None:
        """检索知识库。"""
        if matter is not None and matter not in load_codes().matters:
            typer.echo(f"未知事项代码 {matter!r}（见 operator_tui/data/matters.toml）", err=True)
            raise typer.Exit(2)
        conn = connect(get_db_path())
        try:
            hits = search_conn(conn, text, matter, limit,
                               today=None if include_expired else date.today())
        finally:
            conn.close()
        if as_json:
            payload = [{"id": h.id, "title": h.title, "score": h.score,
                        "standard_answer": h.standard_answer} for h in hits]
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if not hits:
            typer.echo("没有找到相关条目。")
        for rank, hit in enumerate(hits, 1):
            typer.echo(f"{rank:>2}. {clean_text(hit.title)}  [{hit.id}]  {hit.score:.2f}")
            typer.echo(f"    {_first_line(hit.standard_answer)}")

    @kb.command("stale")
    def stale(
        today: Optional[str] = typer.Option(None, "--today", help="按哪一天检查（YYYY-MM-DD，默认今天）"),
        owner: Optional[str] = typer.Option(None, "--owner", help="只看某个单位（单位代码）的条目"),
        within: int = typer.Option(0, "--within", min=0, help="同时列出 N 天内到复核日期的条目"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """列出需要复核的条目：已过复核日期、已过有效期。"""
        day = _parse_day(today)
        if owner is not None and owner not in load_codes().units:
            typer.echo(f"未知单位代码 {owner!r}（见 operator_tui/data/units.toml）", err=True)
            raise typer.Exit(2)
        conn = connect(get_db_path())
        try:
            ensure_schema(conn)
            found = find_stale(all_articles(conn), day, owner, within)
        finally:
            conn.close()
        if as_json:
            payload = [{"id": s.article.id, "title": s.article.title,
                        "owner_unit": s.article.owner_unit,
                        "review_by": s.article.review_by.isoformat(),
                        "valid_until": s.article.valid_until.isoformat()
                        if s.article.valid_until else None,
                        "reasons": list(s.reasons)} for s in found]
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        typer.echo(f"{day.isoformat()}：{len(found)} 条需要复核。")
        for s in found:
            why = "、".join(REASON_TEXT[r] for r in s.reasons)
            until = s.article.valid_until.isoformat() if s.article.valid_until else "长期"
            typer.echo(f"  {s.article.id}  {clean_text(s.article.title)}  "
                       f"单位 {s.article.owner_unit}  复核 {s.article.review_by}  有效至 {until}  {why}")

    app.add_typer(kb, name="kb")
