"""The knowledge base inside the seat's SQLite file (R34.1).

- `kb_articles`: the articles; `kb_article_matters`: which matter lists which article;
- `kb_fts` (FTS5): search tokens per article, made in Python (tokens.py) and stored
  space-separated, so the stock `unicode61` tokenizer only splits on spaces; bm25 column
  weights live in the table's `rank` option;
- `kb_terms`: how many articles hold each token (document frequency), kept up to date on every
  write, so a query can leave out its most common tokens cheaply (search.py);
- `kb_meta`: the token recipe version; a new recipe rebuilds the index from `kb_articles`.

Takes a path or an open connection. The store owns the seat's other tables, the knowledge base
owns the `kb_*` ones; it asks the store only to open the file, which may be encrypted (issue 16).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from operator_tui.kb.model import Article
from operator_tui.kb.parse import Codes, load_codes
from operator_tui.kb.tokens import bigrams, pinyin_tokens

# Bump when the token recipe or kb_fts columns change: ensure_schema then rebuilds the index.
TOKENS_VERSION = "2"
# bm25 column weights: title, tags (matter names), answer, body (+source), py (pinyin of the
# title and matter names), mt (matter codes: only hit when the operator chose a matter).
RANK = "bm25(8.0, 4.0, 3.0, 1.0, 6.0, 2.0)"
OPTIMIZE_AFTER = 1000  # articles in one import

_TABLES = """
CREATE TABLE IF NOT EXISTS kb_articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    matters TEXT NOT NULL,            -- JSON list of matter codes
    owner_unit TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    review_by TEXT NOT NULL,
    standard_answer TEXT NOT NULL,
    source TEXT NOT NULL,
    sample INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS kb_article_matters (
    matter TEXT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (matter, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
"""
_INDEX = """
CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING fts5(
    title, tags, answer, body, py, mt, tokenize = "unicode61 tokenchars '_'"
);
CREATE TABLE IF NOT EXISTS kb_terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID
"""
_FTS_COLUMNS = "title, tags, answer, body, py, mt"


def connect(db: Path | str) -> sqlite3.Connection:
    """A fresh connection for one unit of work (connections must not cross threads)."""
    from ..store.db import connect_path  # the seat's file may be SQLCipher: the store knows its key

    conn = connect_path(Path(db), timeout=10)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _run(conn: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def ensure_schema(conn: sqlite3.Connection, codes: Codes | None = None) -> None:
    """Create the kb tables if missing (idempotent); rebuild the index if the recipe changed."""
    with conn:
        _run(conn, _TABLES)
        row = conn.execute("SELECT value FROM kb_meta WHERE key = 'tokens_version'").fetchone()
        if row is not None and row[0] == TOKENS_VERSION:
            return
        conn.execute("DROP TABLE IF EXISTS kb_fts")
        conn.execute("DROP TABLE IF EXISTS kb_terms")
        _run(conn, _INDEX)
        conn.execute("INSERT INTO kb_fts(kb_fts, rank) VALUES ('rank', ?)", (RANK,))
        conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('tokens_version', ?)", (TOKENS_VERSION,))
        delta: Counter[str] = Counter()
        rows = conn.execute(f"SELECT rowid, {_COLUMNS} FROM kb_articles").fetchall()
        for rowid, *rest in rows:
            _index_one(conn, rowid, _article(tuple(rest)), codes or load_codes(), delta)
        _apply_delta(conn, delta)


def _fts_row(article: Article, codes: Codes) -> tuple[str, ...]:
    names = [codes.matters.get(m, "") for m in article.matters]
    py = pinyin_tokens(article.title) + [t for n in names for t in _name_pinyin(n)]
    return (
        " ".join(bigrams(article.title)),
        " ".join(bigrams(" ".join(names))),
        " ".join(bigrams(article.standard_answer)),
        " ".join(bigrams(article.body + "\n" + article.source)),
        " ".join(py),
        " ".join(article.matters),
    )


@lru_cache(maxsize=256)
def _name_pinyin(name: str) -> tuple[str, ...]:
    return tuple(pinyin_tokens(name))


def _distinct(columns: Iterable[str]) -> set[str]:
    return {t for column in columns for t in column.split()}


def _index_one(conn: sqlite3.Connection, rowid: int, article: Article, codes: Codes, delta: Counter[str]) -> None:
    row = _fts_row(article, codes)
    conn.execute(f"INSERT INTO kb_fts(rowid, {_FTS_COLUMNS}) VALUES (?,?,?,?,?,?,?)", (rowid, *row))
    delta.update(_distinct(row))


def _unindex_one(conn: sqlite3.Connection, rowid: int, delta: Counter[str]) -> None:
    row = conn.execute(f"SELECT {_FTS_COLUMNS} FROM kb_fts WHERE rowid = ?", (rowid,)).fetchone()
    if row is not None:
        delta.subtract(_distinct(row))
        conn.execute("DELETE FROM kb_fts WHERE rowid = ?", (rowid,))


def _apply_delta(conn: sqlite3.Connection, delta: Counter[str]) -> None:
    conn.executemany(
        "INSERT INTO kb_terms VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
        [(t, n) for t, n in delta.items() if n],
    )
    conn.execute("DELETE FROM kb_terms WHERE df <= 0")


_UPSERT = """INSERT INTO kb_articles (id, title, body, matters, owner_unit, valid_from, valid_until,
                 review_by, standard_answer, source, sample) VALUES (?,?,?,?,?,?,?,?,?,?,?)
             ON CONFLICT(id) DO UPDATE SET title=excluded.title, body=excluded.body,
                 matters=excluded.matters, owner_unit=excluded.owner_unit,
                 valid_from=excluded.valid_from, valid_until=excluded.valid_until,
                 review_by=excluded.review_by, standard_answer=excluded.standard_answer,
                 source=excluded.source, sample=excluded.sample
             RETURNING rowid"""


def upsert_articles(conn: sqlite3.Connection, articles: Iterable[Article], codes: Codes | None = None) -> int:
    """Insert or replace articles by id, in one transaction; returns how many were written."""
    codes = codes or load_codes()
    ensure_schema(conn, codes)
    count = 0
    delta: Counter[str] = Counter()
    with conn:
        for a in articles:
            old = conn.execute("SELECT rowid FROM kb_articles WHERE id = ?", (a.id,)).fetchone()
            if old:  # only a replaced article has index rows to drop (FTS5 deletes are not free)
                _unindex_one(conn, old[0], delta)
                conn.execute("DELETE FROM kb_article_matters WHERE article_id = ?", (a.id,))
            rowid = conn.execute(
                _UPSERT,
                (
                    a.id,
                    a.title,
                    a.body,
                    json.dumps(list(a.matters)),
                    a.owner_unit,
                    a.valid_from.isoformat(),
                    a.valid_until.isoformat() if a.valid_until else None,
                    a.review_by.isoformat(),
                    a.standard_answer,
                    a.source,
                    int(a.sample),
                ),
            ).fetchone()[0]
            _index_one(conn, rowid, a, codes, delta)
            conn.executemany("INSERT INTO kb_article_matters VALUES (?, ?)", [(m, a.id) for m in a.matters])
            count += 1
        _apply_delta(conn, delta)
        if count >= OPTIMIZE_AFTER:
            # Merge the index segments a bulk load leaves behind: queries then read one b-tree.
            conn.execute("INSERT INTO kb_fts(kb_fts) VALUES ('optimize')")
    return count


def delete_article(conn: sqlite3.Connection, article_id: str) -> bool:
    """Remove one article and its index rows; False if there was none."""
    ensure_schema(conn)
    delta: Counter[str] = Counter()
    with conn:
        row = conn.execute("SELECT rowid FROM kb_articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        _unindex_one(conn, row[0], delta)
        _apply_delta(conn, delta)
        conn.execute("DELETE FROM kb_article_matters WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM kb_articles WHERE id = ?", (article_id,))
    return True


_COLUMNS = "id, title, body, matters, owner_unit, valid_from, valid_until, review_by, standard_answer, source, sample"


def _article(row: tuple) -> Article:
    return Article(
        id=row[0],
        title=row[1],
        body=row[2],
        matters=tuple(json.loads(row[3])),
        owner_unit=row[4],
        valid_from=date.fromisoformat(row[5]),
        valid_until=date.fromisoformat(row[6]) if row[6] else None,
        review_by=date.fromisoformat(row[7]),
        standard_answer=row[8],
        source=row[9],
        sample=bool(row[10]),
    )


def get_article(conn: sqlite3.Connection, article_id: str) -> Article | None:
    """One article by id. Read-only (no ensure_schema): the seat calls it from a worker."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM kb_articles WHERE id = ?", (article_id,)).fetchone()
    return _article(row) if row else None


def all_articles(conn: sqlite3.Connection) -> list[Article]:
    """Every article, by id."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM kb_articles ORDER BY id").fetchall()
    return [_article(r) for r in rows]


def article_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM kb_articles").fetchone()[0]
