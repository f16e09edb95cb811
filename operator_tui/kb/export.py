"""Write articles back out as Markdown-with-front-matter files or as one CSV (R34.1).

Both forms read back through parse.py to the same articles, so a unit can export, edit and
re-import its entries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import yaml

from operator_tui.kb.model import Article
from operator_tui.kb.parse import CSV_FIELDS


def article_to_markdown(article: Article) -> str:
    front = {
        "id": article.id,
        "title": article.title,
        "matters": list(article.matters),
        "owner_unit": article.owner_unit,
        "valid_from": article.valid_from,
        "valid_until": article.valid_until,
        "review_by": article.review_by,
        "source": article.source,
        "standard_answer": article.standard_answer,
        "sample": article.sample,
    }
    # width: keep each value on one line, so editors see one key per line
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{head}---\n\n{article.body.strip()}\n"


def export_markdown(articles: Iterable[Article], out_dir: Path) -> list[Path]:
    """One `<id>.md` per article in `out_dir` (created if missing); returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for article in articles:
        path = out_dir / f"{article.id}.md"
        path.write_text(article_to_markdown(article), encoding="utf-8")
        written.append(path)
    return written


def articles_to_csv(articles: Iterable[Article]) -> str:
    """All articles as CSV text with the columns parse.py reads (`matters` `;`-separated)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for a in articles:
        writer.writerow(
            {
                "id": a.id,
                "title": a.title,
                "matters": ";".join(a.matters),
                "owner_unit": a.owner_unit,
                "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else "",
                "review_by": a.review_by.isoformat(),
                "standard_answer": a.standard_answer,
                "source": a.source,
                "sample": "true" if a.sample else "false",
                "body": a.body,
            }
        )
    return buffer.getvalue()


def export_csv(articles: Iterable[Article], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: spreadsheet programs on the units' desktops then read the Chinese correctly
    out.write_text(articles_to_csv(articles), encoding="utf-8-sig")
    return out
