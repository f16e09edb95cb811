"""Read knowledge-base files: Markdown with YAML front matter, and CSV (R34.1).

Every problem becomes a `KbError` naming the file and the line, so a unit's editor can fix it
without guessing. A file with any error yields no articles at all: half an import of a broken
file would leave the seat with articles nobody reviewed as a whole.

Text is cleaned where it enters (control characters, terminal escapes, bidi overrides), because
articles end up on the operator's terminal (REQUIREMENTS "Known traps").
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from operator_tui.data import read_text
from operator_tui.domain.text import clean_text as _clean
from operator_tui.kb.model import Article

CSV_FIELDS = (
    "id",
    "title",
    "matters",
    "owner_unit",
    "valid_from",
    "valid_until",
    "review_by",
    "standard_answer",
    "source",
    "sample",
    "body",
)
REQUIRED = ("id", "title", "matters", "owner_unit", "valid_from", "review_by", "standard_answer", "source")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,79}$")
MAX_TITLE, MAX_ANSWER, MAX_SOURCE = 80, 400, 200


def clean_text(text: str) -> str:
    """Text safe to store and show: newlines normalised, then terminal escapes, control and bidi
    characters dropped (the project's one cleaner, operator_tui.domain.text)."""
    return _clean(text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class KbError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class FileResult:
    """What one file gave: its articles, or (if `errors`) nothing."""

    path: Path
    articles: list[Article] = field(default_factory=list)
    errors: list[KbError] = field(default_factory=list)


@dataclass(frozen=True)
class Codes:
    """Known matter and unit codes, with their Chinese names."""

    matters: dict[str, str]
    units: dict[str, str]


def load_codes() -> Codes:
    """The matter and unit taxonomies shipped in operator_tui/data."""
    matters = tomllib.loads(read_text("matters.toml"))["matter"]
    units = tomllib.loads(read_text("units.toml"))["unit"]
    return Codes({m["code"]: m["name"] for m in matters}, {u["code"]: u["name"] for u in units})


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def build_article(
    values: dict[str, Any], lines: dict[str, int], first_line: int, path: str, codes: Codes
) -> tuple[Article | None, list[KbError]]:
    """Validate one entry's raw values; `lines` maps each key to its line for error reports."""
    errors: list[KbError] = []

    def err(key: str | None, message: str) -> None:
        errors.append(KbError(path, lines.get(key, first_line) if key else first_line, message))

    for key in values:
        if key not in CSV_FIELDS:
            err(key, f"未知字段 {key!r}（可用字段：{', '.join(CSV_FIELDS)}）")
    for key in REQUIRED:
        if values.get(key) in (None, "", [], ()):
            err(key, f"缺少必填字段 {key!r}")
    if errors:
        return None, errors

    text = {
        k: clean_text(str(values.get(k) or "")).strip()
        for k in ("id", "title", "owner_unit", "standard_answer", "source", "body")
    }
    if not ID_RE.match(text["id"]):
        err("id", f"id {text['id']!r} 不合规：只能用小写字母、数字、- _ .，2 到 80 个字符")
    if len(text["title"]) > MAX_TITLE:
        err("title", f"标题超过 {MAX_TITLE} 个字符")
    if len(text["standard_answer"]) > MAX_ANSWER:
        err("standard_answer", f"标准答复超过 {MAX_ANSWER} 个字符：答复要能当场读给来电人听")
    if len(text["source"]) > MAX_SOURCE:
        err("source", f"依据超过 {MAX_SOURCE} 个字符")
    if not text["body"]:
        err("body", "正文为空")

    raw = values["matters"]
    items = raw.split(";") if isinstance(raw, str) else raw if isinstance(raw, list) else None
    matters: list[str] = []
    if items is None:
        err("matters", "matters 应是事项代码列表")
    else:
        for item in (str(i).strip() for i in items):
            if item and item not in codes.matters:
                err("matters", f"未知事项代码 {item!r}（见 operator_tui/data/matters.toml）")
            elif item and item not in matters:
                matters.append(item)
        if not matters and items:
            err("matters", "matters 为空")
    if text["owner_unit"] not in codes.units:
        err("owner_unit", f"未知单位代码 {text['owner_unit']!r}（见 operator_tui/data/units.toml）")

    days: dict[str, date | None] = {}
    for key in ("valid_from", "valid_until", "review_by"):
        value = values.get(key)
        if value in (None, ""):
            days[key] = None
            continue
        try:
            days[key] = _date(value)
        except ValueError:
            err(key, f"{key} 不是日期（应为 YYYY-MM-DD）：{value!r}")
    valid_from, valid_until = days.get("valid_from"), days.get("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        err("valid_until", "valid_until 早于 valid_from")

    sample = values.get("sample", False)
    if isinstance(sample, str):
        flag = sample.strip().lower()
        if flag not in ("", "true", "false", "1", "0", "yes", "no"):
            err("sample", f"sample 应为 true 或 false：{sample!r}")
        sample = flag in ("true", "1", "yes")
    elif not isinstance(sample, bool) and sample is not None:
        err("sample", f"sample 应为 true 或 false：{sample!r}")

    review_by = days.get("review_by")
    if errors or valid_from is None or review_by is None:  # both required: None only with an error
        return None, errors
    return Article(
        id=text["id"],
        title=text["title"],
        body=text["body"],
        matters=tuple(matters),
        owner_unit=text["owner_unit"],
        valid_from=valid_from,
        valid_until=valid_until,
        review_by=review_by,
        standard_answer=text["standard_answer"],
        source=text["source"],
        sample=bool(sample),
    ), []


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: build_article parses them, so a bad date is a
    reported error with its line rather than an exception from inside YAML."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_markdown(text: str, path: str, codes: Codes) -> tuple[list[Article], list[KbError]]:
    """One article: a `---` fenced YAML front matter, then the Markdown body."""
    lines = clean_text(text).split("\n")  # cleaned first: YAML refuses control characters
    if not lines or lines[0].strip() != "---":
        return [], [KbError(path, 1, "文件应以 --- 开头的 YAML 头部（front matter）开始")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return [], [KbError(path, 1, "YAML 头部没有以 --- 结束")]
    front = "\n".join(lines[1:end])
    try:
        node = yaml.compose(front, Loader=_Loader)
        values = yaml.load(front, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = 2 + (mark.line if mark else front[: getattr(exc, "position", 0)].count("\n"))
        return [], [KbError(path, line, f"YAML 格式错误：{getattr(exc, 'problem', None) or exc}")]
    if not isinstance(node, yaml.MappingNode) or not isinstance(values, dict):
        return [], [KbError(path, 2, "YAML 头部应是 键: 值 的映射")]
    key_lines: dict[str, int] = {}
    errors: list[KbError] = []
    for key_node, _ in node.value:
        key = str(key_node.value)
        if key in key_lines:
            errors.append(KbError(path, 2 + key_node.start_mark.line, f"字段 {key!r} 重复"))
        key_lines[key] = 2 + key_node.start_mark.line
    body = "\n".join(lines[end + 1 :])
    values = {str(k): v for k, v in values.items()}
    values["body"] = body
    key_lines["body"] = end + 2
    article, more = build_article(values, key_lines, 1, path, codes)
    errors += more
    return ([article] if article and not errors else []), errors


def parse_csv(text: str, path: str, codes: Codes) -> tuple[list[Article], list[KbError]]:
    """Many articles, one per row; `matters` is `;`-separated. Cells may span lines."""
    reader = csv.DictReader(io.StringIO(clean_text(text.lstrip("\ufeff")), newline=""))
    header = reader.fieldnames or []
    errors = [KbError(path, 1, f"未知列 {name!r}") for name in header if name not in CSV_FIELDS]
    errors += [KbError(path, 1, f"缺少列 {name!r}") for name in REQUIRED + ("body",) if name not in header]
    if errors:
        return [], errors
    articles: list[Article] = []
    while True:
        start = reader.line_num + 1  # the row's first line, even when a cell spans lines
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(KbError(path, start, f"CSV 格式错误：{exc}"))
            break
        if None in row:
            errors.append(KbError(path, start, "本行的列数多于表头"))
            continue
        values = {k: v for k, v in row.items() if v is not None}
        article, more = build_article(values, {}, start, path, codes)
        errors += more
        if article:
            articles.append(article)
    return ([] if errors else articles), errors


def parse_file(path: Path, codes: Codes | None = None) -> FileResult:
    """Parse one .md or .csv file; a file with errors gives no articles."""
    codes = codes or load_codes()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return FileResult(path, [], [KbError(str(path), line, "文件不是 UTF-8 编码")])
    parse = parse_csv if path.suffix.lower() == ".csv" else parse_markdown
    articles, errors = parse(text, str(path), codes)
    ids = [a.id for a in articles]
    for article_id in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append(KbError(str(path), 1, f"id {article_id!r} 在本文件中重复"))
    return FileResult(path, [] if errors else articles, errors)


def kb_files(path: Path) -> list[Path]:
    """The .md and .csv files at `path` (a file, or a folder searched recursively), sorted."""
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in (".md", ".csv") and p.name.lower() != "readme.md"
    )


def parse_path(path: Path, codes: Codes | None = None) -> list[FileResult]:
    """Parse every knowledge-base file under `path`. An id already given by an earlier file makes
    the later file broken: two files must not silently overwrite each other in one import."""
    codes = codes or load_codes()
    results: list[FileResult] = []
    seen: dict[str, Path] = {}
    for file in kb_files(path):
        result = parse_file(file, codes)
        for article in result.articles:
            if article.id in seen:
                result.errors.append(KbError(str(file), 1, f"id {article.id!r} 已在 {seen[article.id]} 中出现"))
        if result.errors:
            result.articles = []
        for article in result.articles:
            seen[article.id] = file
        results.append(result)
    return results
