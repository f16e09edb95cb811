"""The knowledge base inside the seat's SQLite file: `kb_articles` holds the articles, `kb_fts`
(FTS5) holds their search tokens, `kb_article_matters` lets a matter list its articles.

The tokens are made in Python (see tokens.py) and stored space-separated, so FTS5's stock
`unicode61` tokenizer only splits on spaces; no custom tokenizer is needed in SQLite. Column
weights for bm25 are stored in the table's `rank` option.

This module takes a path or an open connection and never imports the store package: the store
owns the seat's other tables, the knowledge base owns the `kb_*` ones.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Iterable

from operator_tui.kb.model import Article
from operator_tui.kb.parse import Codes, load_codes
from operator_tui.kb.tokens import bigrams, pinyin_tokens

# Bump when the token recipe changes: ensure_schema then re-tokenizes every article.
TOKENS_VERSION = "1"
# bm25 column weights: title, tags (matter names), answer, body (+source), py (pinyin of title).
RANK = "bm25(8.0, 4.0, 3.0, 1.0, 6.0)"

_SCHEMA = """
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
    article_id TEXT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    PRIMARY KEY (matter, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING fts5(
    title, tags, answer, body, py, tokenize = 'unicode61', prefix = '1 2'
);
"""


def connect(db: Path | str) -> sqlite3.Connection:
    """A fresh connection for one unit of work (connections must not cross threads)."""
    conn = sqlite3.connect(str(db), timeout=10)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def ensure_schema(conn: sqlite3.Connection, codes: Codes | None = None) -> None:
    """Create the kb tables if missing (idempotent), and re-tokenize if the recipe changed."""
    with conn:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        row = conn.execute("SELECT value FROM kb_meta WHERE key = 'tokens_version'").fetchone()
        if row is None or row[0] != TOKENS_VERSION:
            conn.execute("INSERT INTO kb_fts(kb_fts, rank) VALUES ('rank', ?)", (RANK,))
            conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('tokens_version', ?)",
                         (TOKENS_VERSION,))
            if row is not None:
                _reindex(conn, all_articles(conn), codes or load_codes())


def _fts_row(article: Article, codes: Codes) -> tuple[str, str, str, str, str]:
    tags = " ".join(codes.matters.get(m, "") for m in article.matters)
    return (" ".join(bigrams(article.title)), " ".join(bigrams(tags)),
            " ".join(bigrams(article.standard_answer)),
            " ".join(bigrams(article.body + "\n" + article.source)),
            " ".join(pinyin_tokens(article.title + " " + tags)))


def _reindex(conn: sqlite3.Connection, articles: Iterable[Article], codes: Codes) -> None:
    conn.execute("DELETE FROM kb_fts")
    for article in articles:
        rowid = conn.execute("SELECT rowid FROM kb_articles WHERE id = ?", (article.id,)).fetchone()[0]
        conn.execute("INSERT INTO kb_fts(rowid, title, tags, answer, body, py) VALUES (?,?,?,?,?,?)",
                     (rowid, *_fts_row(article, codes)))


def upsert_articles(conn: sqlite3.Connection, articles: Iterable[Article],
                    codes: Codes | None = None) -> int:
    """Insert or replace articles by id, in one transaction; returns how many were written."""
    codes = codes or load_codes()
    ensure_schema(conn, codes)
    count = 0
    with conn:
        for a in articles:
            rowid = conn.execute(
                """INSERT INTO kb_articles (id, title, body, matters, owner_unit, valid_from,
                       valid_until, review_by, standard_answer, source, sample)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET title=excluded.title, body=excluded.body,
                       matters=excluded.matters, owner_unit=excluded.owner_unit,
                       valid_from=excluded.valid_from, valid_until=excluded.valid_until,
                       review_by=excluded.review_by, standard_answer=excluded.standard_answer,
                       source=excluded.source, sample=excluded.sample
                   RETURNING rowid""",
                (a.id, a.title, a.body, json.dumps(list(a.matters)), a.owner_unit,
                 a.valid_from.isoformat(), a.valid_until.isoformat() if a.valid_until else None,
                 a.review_by.isoformat(), a.standard_answer, a.source, int(a.sample)),
            ).fetchone()[0]
            conn.execute("DELETE FROM kb_fts WHERE rowid = ?", (rowid,))
            conn.execute("INSERT INTO kb_fts(rowid, title, tags, answer, body, py) VALUES (?,?,?,?,?,?)",
                         (rowid, *_fts_row(a, codes)))
            conn.execute("DELETE FROM kb_article_matters WHERE article_id = ?", (a.id,))
            conn.executemany("INSERT INTO kb_article_matters VALUES (?, ?)",
                             [(m, a.id) for m in a.matters])
            count += 1
    return count


def delete_article(conn: sqlite3.Connection, article_id: str) -> bool:
    """Remove one article and its index rows; False if there was none."""
    ensure_schema(conn)
    with conn:
        row = conn.execute("SELECT rowid FROM kb_articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        conn.execute("DELETE FROM kb_fts WHERE rowid = ?", (row[0],))
        conn.execute("DELETE FROM kb_article_matters WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM kb_articles WHERE id = ?", (article_id,))
    return True


_COLUMNS = ("id, title, body, matters, owner_unit, valid_from, valid_until, review_by, "
            "standard_answer, source, sample")


def _article(row: tuple) -> Article:
    return Article(id=row[0], title=row[1], body=row[2], matters=tuple(json.loads(row[3])),
                   owner_unit=row[4], valid_from=date.fromisoformat(row[5]),
                   valid_until=date.fromisoformat(row[6]) if row[6] else None,
                   review_by=date.fromisoformat(row[7]), standard_answer=row[8], source=row[9],
                   sample=bool(row[10]))


def get_article(conn: sqlite3.Connection, article_id: str) -> Article | None:
    ensure_schema(conn)
    row = conn.execute(f"SELECT {_COLUMNS} FROM kb_articles WHERE id = ?", (article_id,)).fetchone()
    return _article(row) if row else None


def all_articles(conn: sqlite3.Connection) -> list[Article]:
    """Every article, by id."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM kb_articles ORDER BY id").fetchall()
    return [_article(r) for r in rows]


def article_count(conn: sqlite3.Connection) -> int:
    ensure_schema(conn)
    return conn.execute("SELECT count(*) FROM kb_articles").fetchone()[0]
