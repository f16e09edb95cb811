"""The sample knowledge base shipped in operator_tui/data/kb (demo content, `sample: true`)."""

from __future__ import annotations

from pathlib import Path

from operator_tui.data import data_dir
from operator_tui.kb.index import connect, upsert_articles
from operator_tui.kb.model import Article
from operator_tui.kb.parse import load_codes, parse_path


def sample_dir() -> Path:
    return data_dir() / "kb"


def sample_articles() -> list[Article]:
    """Every sample article; a broken sample file is a bug, so it raises instead of skipping."""
    results = parse_path(sample_dir(), load_codes())
    errors = [str(e) for r in results for e in r.errors]
    if errors:
        raise ValueError("sample knowledge base is broken:\n" + "\n".join(errors))
    return [a for r in results for a in r.articles]


def load_sample_kb(db_path: Path) -> int:
    """Import the sample articles into the seat's database (`hotline db init --demo`);
    returns how many were written. Re-running replaces them by id."""
    conn = connect(db_path)
    try:
        return upsert_articles(conn, sample_articles())
    finally:
        conn.close()
