"""Chinese search over the knowledge base (R19.3): from what the operator types to ranked hits.

The query is cut into character bigrams (tokens.py), widened with a colloquial map
(synonyms.toml: 暖气 → 供暖, 不热 → 温度不达标 …), and matched with FTS5 `OR`, ranked by bm25
with column weights (title above matter names above the standard answer above the body).
The operator's summary boilerplate (来电人反映：…, 诉求：…；要求相关部门…) is masked first
(operator_tui/domain/register.py): it says who called, not what about.
ASCII words also match pinyin of title words by prefix, so `gn` finds 供暖 and `shebao` finds
社保. The chosen matter boosts its articles and adds its best matches to the candidates.

Nothing here loads a dictionary: a query costs one FTS5 lookup (see README.md for figures).
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from operator_tui.domain.register import mask
from operator_tui.kb.index import connect, get_article
from operator_tui.kb.model import Article, Hit
from operator_tui.kb.parse import clean_text
from operator_tui.kb.tokens import bigrams
from operator_tui.store.db import sql_errors

MATTER_BOOST = 1.5  # a matter the operator chose is strong evidence, but text still decides
MAX_TERMS = 48  # a whole typed description must not turn into a hundred-term query
POSTINGS_BUDGET = 6_000  # articles FTS5 may score per query: bounds latency (README.md)
_POOL = 50  # candidates taken from FTS5 before re-ranking


@lru_cache(maxsize=1)
def _synonyms() -> tuple[tuple[tuple[str, tuple[str, ...]], ...], frozenset[str]]:
    data = tomllib.loads((Path(__file__).parent / "synonyms.toml").read_text(encoding="utf-8"))
    pairs = tuple((k, tuple(v)) for k, v in data.get("colloquial", {}).items())
    return pairs, frozenset(data.get("stop", {}).get("tokens", []))


@dataclass(frozen=True)
class Term:
    token: str
    fts: str  # the FTS5 expression for it
    prefix: bool  # matched as a prefix (a lone character, or pinyin)


def query_terms(text: str) -> list[Term]:
    """The terms for `text`: its bigrams, those of the words it maps to, and pinyin prefixes
    for ASCII words; deduplicated, capped at MAX_TERMS."""
    text = mask(clean_text(text))  # 来电人称… → the caller's matter only; same length, splits bigrams
    pairs, stop = _synonyms()
    tokens = bigrams(text)
    for key, values in pairs:
        if key in text:
            for value in values:
                tokens += bigrams(value)
    kept = [t for t in tokens if t not in stop] or tokens
    terms: list[Term] = []
    for token in dict.fromkeys(kept):
        quoted = '"' + token.replace('"', '""') + '"'
        if token.isascii():
            terms += [Term(token, quoted, False), Term(token, "py : " + quoted + "*", True)]
        elif len(token) == 1:
            terms.append(Term(token, quoted + "*", True))  # any bigram that starts with it
        else:
            terms.append(Term(token, quoted, False))
    return terms[:MAX_TERMS]


def plan(conn: sqlite3.Connection, terms: list[Term]) -> list[Term]:
    """The terms worth running. FTS5 scores every article that matches any OR'd term, so the
    cost is the sum of the terms' document frequencies. Take the rarest terms first (they carry
    the ranking) until POSTINGS_BUDGET is spent, always at least the rarest; the common ones
    left out add little but time (as Lucene's `cutoff_frequency` does). A small knowledge base
    never reaches the budget, so every term runs."""
    exact = [t.token for t in terms if not t.prefix]
    df: dict[str, int] = {}
    if exact:
        marks = ",".join("?" * len(exact))
        df = dict(conn.execute(f"SELECT term, df FROM kb_terms WHERE term IN ({marks})", exact))
    for t in terms:
        if t.prefix:  # an upper bound: every token under the prefix
            df[t.fts] = conn.execute(
                "SELECT coalesce(sum(df), 0) FROM kb_terms WHERE term >= ? AND term < ?",
                (t.token, t.token + "\U0010ffff"),
            ).fetchone()[0]
    weighted = sorted(((df.get(t.fts if t.prefix else t.token, 0), t) for t in terms), key=lambda pair: pair[0])
    chosen: list[Term] = []
    spent = 0
    for count, term in weighted:
        if count == 0:
            continue  # matches nothing
        if chosen and spent + count > POSTINGS_BUDGET:
            break
        chosen.append(term)
        spent += count
    return chosen


def _rows(conn: sqlite3.Connection, match: str, pool: int) -> list[tuple]:
    sql = (
        "SELECT a.id, a.title, a.standard_answer, a.matters, a.valid_from, a.valid_until, "
        "f.rank FROM (SELECT rowid, rank FROM kb_fts WHERE kb_fts MATCH ? ORDER BY rank "
        "LIMIT ?) f JOIN kb_articles a ON a.rowid = f.rowid"
    )
    return conn.execute(sql, (match, pool)).fetchall()


def _matter_rows(conn: sqlite3.Connection, matter: str, pool: int) -> list[tuple]:
    return conn.execute(
        "SELECT a.id, a.title, a.standard_answer, a.matters, a.valid_from, a.valid_until, 0.0"
        " FROM kb_article_matters m JOIN kb_articles a ON a.id = m.article_id"
        " WHERE m.matter = ? ORDER BY a.title LIMIT ?",
        (matter, pool),
    ).fetchall()


def search_conn(
    conn: sqlite3.Connection, text: str, matter: str | None = None, limit: int = 10, today: date | None = None
) -> list[Hit]:
    """Hits for `text` in rank order. With `matter`, its articles are boosted (and listed when
    the text is empty). With `today`, articles not in force that day are left out."""
    try:
        terms = plan(conn, query_terms(text))
        if terms:
            match = " OR ".join(t.fts for t in terms)
            if matter:  # its articles join the candidates; bm25 weighs the `mt` column
                match += ' OR mt : "' + matter.replace('"', '""') + '"'
            rows = _rows(conn, match, _POOL)
        elif matter:
            rows = _matter_rows(conn, matter, _POOL)
        else:
            return []
    except sql_errors("OperationalError") as exc:
        if "no such table" in str(exc):
            return []  # no knowledge base loaded yet: an empty panel, not an error
        raise
    best: dict[str, Hit] = {}
    for article_id, title, answer, matters_json, valid_from, valid_until, rank in rows:
        if today and (
            today < date.fromisoformat(valid_from) or (valid_until and today > date.fromisoformat(valid_until))
        ):
            continue
        matters = tuple(json.loads(matters_json))
        score = -rank * (MATTER_BOOST if matter and matter in matters else 1.0)
        best[article_id] = Hit(article_id, title, round(score, 4), answer, matters)
    hits = sorted(best.values(), key=lambda h: (-h.score, h.title, h.id))
    return hits[:limit]


def search(
    db: Path | str | sqlite3.Connection,
    text: str,
    matter: str | None = None,
    limit: int = 10,
    today: date | None = None,
) -> list[Hit]:
    """`search_conn` on an open connection, or on a fresh one for a database path."""
    if not isinstance(db, (Path, str)):  # sqlite3's connection, or SQLCipher's (is_connection)
        return search_conn(db, text, matter, limit, today)
    conn = connect(db)
    try:
        return search_conn(conn, text, matter, limit, today)
    finally:
        conn.close()


class KbSearcher:
    """The seat's search callable, bound to its database: `searcher(text, matter)` → hits, and
    `searcher.article(id)` → the whole article for the panel's reading view. Every call opens
    its own connection, because the knowledge panel calls it from a worker thread."""

    def __init__(self, db_path: Path, limit: int = 8, today: Callable[[], date] | None = date.today) -> None:
        self.db_path, self.limit, self.today = Path(db_path), limit, today

    def __call__(self, text: str, matter: str | None = None) -> list[Hit]:
        return search(self.db_path, text, matter, self.limit, self.today() if self.today else None)

    def article(self, article_id: str) -> Article | None:
        conn = connect(self.db_path)
        try:
            return get_article(conn, article_id)
        except sql_errors("OperationalError"):
            return None
        finally:
            conn.close()


def make_searcher(db_path: Path, limit: int = 8, today: Callable[[], date] | None = date.today) -> KbSearcher:
    """What the seat binds the knowledge panel to. Cheap: opens nothing, loads no dictionary.
    `today` leaves out articles not in force (pass None to keep them)."""
    return KbSearcher(db_path, limit, today)
