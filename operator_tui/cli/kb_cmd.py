"""`hotline kb …`: upkeep of the knowledge base (R34.1) from the command line.

    hotline kb import PATH                 a .md or .csv file, or a folder holding only those
    hotline kb export [--format md|csv] [--out DIR_OR_FILE]
    hotline kb search TEXT [--matter CODE] [--limit N] [--json]
    hotline kb stale [--today YYYY-MM-DD] [--owner UNIT] [--within DAYS] [--json]

`register(app)` adds the sub-app; the database path is resolved by the main CLI
and only asked for when a command runs. Exit codes: 0 done, 2 bad input (an import with
errors, an unknown matter or unit, a malformed date, a wrong path).

Issue 14: every command needs an existing seat database (`hotline db init` makes one); a wrong,
read-only or non-database path is one line in Chinese, never a traceback. An import is
all-or-nothing: every file is read and checked first, and one transaction writes them all, or
nothing is written. A folder is imported only when it holds nothing but .md/.csv files (a README.md
and hidden entries such as .git are passed over); anything else in it, a subfolder included, stops
the import before a file is read, so pointing it at the wrong folder (a project, a virtualenv)
never walks that tree.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer

from operator_tui.kb.export import articles_to_csv, export_csv, export_markdown
from operator_tui.kb.index import all_articles, connect, ensure_schema, upsert_articles
from operator_tui.kb.parse import clean_text, load_codes, parse_path
from operator_tui.kb.search import search_conn
from operator_tui.kb.stale import REASON_TEXT, find_stale

from ..path_checks import database_problem, output_dir_problem, output_file_problem
from ..store.db import StoreError, sql_errors
from .base import settings

# The shape other tools rely on (issue 4): keep it exactly these keys.
SEARCH_JSON_KEYS = ("id", "title", "score", "standard_answer")


def _parse_day(value: str | None) -> date:
    if value is None:
        return date.today()  # the CLI is the edge of the program: the only place that reads it
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--today：日期应为 YYYY-MM-DD，收到 {value!r}") from None


def _first_line(text: str) -> str:
    return clean_text(text).strip().split("\n", 1)[0]


def _fail(message: str) -> typer.Exit:
    typer.echo(" ".join(message.split()), err=True)  # one line, whatever the message held
    return typer.Exit(2)


@contextmanager
def _kb(db: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """The knowledge base in the seat database `db`, which must exist; sqlite's own errors (a
    locked or damaged file) end in one line too."""
    problem = database_problem(db, "--db", write=write)
    if problem:
        raise _fail(problem)
    conn = None
    try:
        conn = connect(db)
        yield conn
    except StoreError as exc:  # an encrypted seat file without its key, or a wrong one (issue 16)
        raise _fail(f"--db：无法打开数据库 {db}（{exc.reason}）") from None
    except sql_errors() as exc:
        raise _fail(f"--db：无法{'写入' if write else '读取'}知识库 {db}（{exc}）") from None
    finally:
        if conn is not None:
            conn.close()


def _import_folder_problem(path: Path) -> str | None:
    """A folder to import holds only knowledge-base files (see the module's docstring)."""
    for entry in sorted(path.iterdir()):
        if entry.name.startswith(".") or entry.name.lower() == "readme.md":
            continue
        if entry.is_dir():
            return f"PATH：{path} 中有子目录 {entry.name}；只导入该目录下的 .md/.csv 文件，请指向存放条目文件的目录"
        if entry.suffix.lower() not in (".md", ".csv"):
            return f"PATH：{path} 中有非知识库文件 {entry.name}；请把 .md/.csv 条目单独放在一个目录中再导入"
    return None


def register(app: typer.Typer) -> None:
    """Add the `kb` sub-app to `app`."""
    kb = typer.Typer(help="知识库维护：导入、导出、检索、过期检查（R34.1）", no_args_is_help=True)

    @kb.command("import")
    def import_(
        ctx: typer.Context, path: Path = typer.Argument(..., help="一个 .md/.csv 文件，或只含这些文件的目录")
    ) -> None:
        """导入知识库条目：先逐条校验全部文件，全部无误才在一个事务中写入；有任何错误则一条也不写入。"""
        if not path.exists():
            raise _fail(f"PATH：找不到 {path}；请检查路径")
        if path.is_dir():
            problem = _import_folder_problem(path)
            if problem:
                raise _fail(problem)
        elif path.suffix.lower() not in (".md", ".csv"):
            raise _fail(f"PATH：{path} 不是 .md 或 .csv 文件")
        db = settings(ctx).db_path
        with _kb(db, write=True) as conn:  # checked before a file is read: a wrong --db costs nothing
            try:
                results = parse_path(path, load_codes())
            except OSError as exc:
                raise _fail(f"PATH：无法读取 {exc.filename or path}（{exc.strerror}）") from None
            if not results:
                raise _fail(f"PATH：{path} 下没有 .md 或 .csv 文件")
            errors = [e for r in results for e in r.errors]
            if errors:
                for error in errors:
                    typer.echo(str(error), err=True)
                broken = sum(1 for r in results if r.errors)
                typer.echo(f"{broken} 个文件有 {len(errors)} 处错误；全部未导入（修正后重新导入）。", err=True)
                raise typer.Exit(2)
            articles = [a for r in results for a in r.articles]
            ensure_schema(conn)
            written = upsert_articles(conn, articles)  # one transaction: all of them or none
        typer.echo(f"已导入 {written} 条（{len(results)} 个文件）。")

    @kb.command("export")
    def export(
        ctx: typer.Context,
        fmt: str = typer.Option("md", "--format", help="md（每条一个文件）或 csv"),
        out: Path | None = typer.Option(None, "--out", help="md：目录；csv：文件（默认输出到屏幕）"),
    ) -> None:
        """导出全部条目（可修改后再导入）。"""
        if fmt not in ("md", "csv"):
            raise typer.BadParameter("--format 只能是 md 或 csv")
        if fmt == "md":
            out = out or Path("kb-export")
        if out is not None:  # before reading: `--out /nonexistent/dir/x.md` made a folder x.md
            problem = output_file_problem(out) if fmt == "csv" else output_dir_problem(out)
            if problem:
                raise _fail(problem)
        with _kb(settings(ctx).db_path, write=True) as conn:  # ensure_schema may upgrade the index
            ensure_schema(conn)
            articles = all_articles(conn)
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
        ctx: typer.Context,
        text: str = typer.Argument(..., help="检索词，如“暖气不热”、“社保卡”、“gn”"),
        matter: str | None = typer.Option(None, "--matter", help="事项代码，加权该事项的条目"),
        limit: int = typer.Option(10, "--limit", min=1, max=100),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON 列表（按排名）"),
        include_expired: bool = typer.Option(False, "--all", help="包括已过期和尚未生效的条目"),
    ) -> None:
        """检索知识库。"""
        if matter is not None and matter not in load_codes().matters:
            raise _fail(f"--matter：未知事项代码 {matter!r}（见 operator_tui/data/matters.toml）")
        with _kb(settings(ctx).db_path) as conn:
            hits = search_conn(conn, text, matter, limit, today=None if include_expired else date.today())
        if as_json:
            payload = [
                {"id": h.id, "title": h.title, "score": h.score, "standard_answer": h.standard_answer} for h in hits
            ]
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if not hits:
            typer.echo("没有找到相关条目。")
        for rank, hit in enumerate(hits, 1):
            typer.echo(f"{rank:>2}. {clean_text(hit.title)}  [{hit.id}]  {hit.score:.2f}")
            typer.echo(f"    {_first_line(hit.standard_answer)}")

    @kb.command("stale")
    def stale(
        ctx: typer.Context,
        today: str | None = typer.Option(None, "--today", help="按哪一天检查（YYYY-MM-DD，默认今天）"),
        owner: str | None = typer.Option(None, "--owner", help="只看某个单位（单位代码）的条目"),
        within: int = typer.Option(0, "--within", min=0, help="同时列出 N 天内到复核日期的条目"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """列出需要复核的条目：已过复核日期、已过有效期。"""
        day = _parse_day(today)
        if owner is not None and owner not in load_codes().units:
            raise _fail(f"--owner：未知单位代码 {owner!r}（见 operator_tui/data/units.toml）")
        with _kb(settings(ctx).db_path, write=True) as conn:
            ensure_schema(conn)
            found = find_stale(all_articles(conn), day, owner, within)
        if as_json:
            payload = [
                {
                    "id": s.article.id,
                    "title": s.article.title,
                    "owner_unit": s.article.owner_unit,
                    "review_by": s.article.review_by.isoformat(),
                    "valid_until": s.article.valid_until.isoformat() if s.article.valid_until else None,
                    "reasons": list(s.reasons),
                }
                for s in found
            ]
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        typer.echo(f"{day.isoformat()}：{len(found)} 条需要复核。")
        for s in found:
            why = "、".join(REASON_TEXT[r] for r in s.reasons)
            until = s.article.valid_until.isoformat() if s.article.valid_until else "长期"
            typer.echo(
                f"  {s.article.id}  {clean_text(s.article.title)}  "
                f"单位 {s.article.owner_unit}  复核 {s.article.review_by}  有效至 {until}  {why}"
            )

    app.add_typer(kb, name="kb")
