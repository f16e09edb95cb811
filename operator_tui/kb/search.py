"""Chinese search over the knowledge base (R19.3): from what the operator types to ranked hits.

The query is cut into character bigrams (tokens.py), widened with a colloquial map
(synonyms.toml: 暖气 → 供暖, 不热 → 温度不达标 …), and matched with FTS5 `OR`, ranked by bm25
with column weights (title above matter names above the standard answer above the body).
ASCII words also match pinyin of title words by prefix, so `gn` finds 供暖 and `shebao` finds
社保. The chosen matter boosts its articles and adds its best matches to the candidates.

Nothing here loads a dictionary: a query costs one FTS5 lookup (see README.md for figures).
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from operator_tui.kb.index import connect
from operator_tui.kb.model import Hit
from operator_tui.kb.parse import clean_text
from operator_tui.kb.tokens import bigrams

MATTER_BOOST = 1.5     # a matter the operator chose is strong evidence, but text still decides
MAX_TERMS = 48         # a whole typed description must not turn into a hundred-term query
_POOL = 50             # candidates taken from FTS5 before re-ranking


@lru_cache(maxsize=1)
def _synonyms() -> tuple[tuple[tuple[str, tuple[str, ...]], ...], frozenset[str]]:
    data = tomllib.loads((Path(__file__).parent / "synonyms.toml").read_text(encoding="utf-8"))
    pairs = tuple((k, tuple(v)) for k, v in data.get("colloquial", {}).items())
    return pairs, frozenset(data.get("stop", {}).get("tokens", []))


def query_terms(text: str) -> list[str]:
    """The FTS5 terms for `text`: its bigrams, those of the words it maps to, and pinyin
    prefixes for ASCII words; deduplicated, capped at MAX_TERMS."""
    text = clean_text(text)
    pairs, stop = _synonyms()
    tokens = bigrams(text)
    for key, values in pairs:
        if key in text:
            for value in values:
                tokens += bigrams(value)
    kept = [t for t in tokens if t not in stop] or tokens
    terms: list[str] = []
    for token in dict.fromkeys(kept):
        quoted = '"' + token.replace('"', '""') + '"'
        if token.isascii():
            terms += [quoted, "py : " + quoted + "*"]
        elif len(token) == 1:
            terms.append(quoted + "*")  # a lone character: any bigram that starts with it
        else:
            terms.append(quoted)
    return terms[:MAX_TERMS]


def _rows(conn: sqlite3.Connection, match: str, matter: str | None, pool: int) -> list[tuple]:
    inner = "SELECT rowid, rank FROM kb_fts WHERE kb_fts MATCH ?"
    params: list = [match]
    if matter:
        inner += (" AND rowid IN (SELECT a.rowid FROM kb_articles a JOIN kb_article_matters m"
                  " ON m.article_id = a.id WHERE m.matter = ?)")
        params.append(matter)
    sql = (f"SELECT a.id, a.title, a.standard_answer, a.matters, a.valid_from, a.valid_until, "
           f"f.rank FROM ({inner} ORDER BY rank LIMIT ?) f JOIN kb_articles a ON a.rowid = f.rowid")
    return conn.execute(sql, (*params, pool)).fetchall()


def _matter_rows(conn: sqlite3.Connection, matter: str, pool: int) -> list[tuple]:
    return conn.execute(
        "SELECT a.id, a.title, a.standard_answer, a.matters, a.valid_from, a.valid_until, 0.0"
        " FROM kb_article_matters m JOIN kb_articles a ON a.id = m.article_id"
        " WHERE m.matter = ? ORDER BY a.title LIMIT ?", (matter, pool)).fetchall()


def search_conn(conn: sqlite3.Connection, text: str, matter: str | None = None, limit: int = 10,
                today: date | None = None) -> list[Hit]:
    """Hits for `text` in rank order. With `matter`, its articles are boosted (and listed when
    the text is empty). With `today`, articles not in force that day are left out."""
    terms = query_terms(text)
    try:
        if terms:
            match = " OR ".join(terms)
            rows = _rows(conn, match, None, _POOL)
            if matter:
                rows += _rows(conn, match, matter, _POOL // 2)
        elif matter:
            rows = _matter_rows(conn, matter, _POOL)
        else:
            return []
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []  # no knowledge base loaded yet: an empty panel, not an error
        raise
    best: dict[str, Hit] = {}
    for article_id, title, answer, matters_json, valid_from, valid_until, rank in rows:
        if today and (today < date.fromisoformat(valid_from)
                      or (valid_until and today > date.fromisoformat(valid_until))):
            continue
        matters = tuple(json.loads(matters_json))
        score = -rank * (MATTER_BOOST if matter and matter in matters else 1.0)
        best[article_id] = Hit(article_id, title, round(score, 4), answer, matters)
    hits = sorted(best.values(), key=lambda h: (-h.score, h.title, h.id))
    return hits[:limit]


def search(db: Path | str | sqlite3.Connection, text: str, matter: str | None = None,
           limit: int = 10, today: date | None = None) -> list[Hit]:
    """`search_conn` on an open connection, or on a fresh one for a database path."""
    if isinstance(db, sqlite3.Connection):
        return search_conn(db, text, matter, limit, today)
    conn = connect(db)
    try:
        return search_conn(conn, text, matter, limit, today)
    finally:
        conn.close()
