"""Benchmark the knowledge-base search (issue 4).

Prints: recall@5 (and @1, MRR) of the labelled queries on the sample KB; the build time of an
index of N generated articles (default 50,000; target ≤ 60 s); query latency p50/p95 over the
labelled queries on that index (target p95 ≤ 20 ms), both on a warm connection and with a fresh
connection per query as the knowledge panel does. `--compare` also measures the engines that
were considered and rejected (see operator_tui/kb/README.md).

    .venv/bin/python scripts/bench_kb.py [--articles 50000] [--compare] [--quality-only]

Also prints recall@5 on the frozen hold-out of issue 13 (tests/data/kb_holdout.toml: questions
written before the articles that answer them; `expected` lists every acceptable article), and on
the tuning questions of its second round (tests/data/kb_tuning2.toml, kb_tuning3.toml).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import operator_tui.kb.search as search_module  # noqa: E402
from operator_tui.kb.index import connect, upsert_articles  # noqa: E402
from operator_tui.kb.model import Article  # noqa: E402
from operator_tui.kb.parse import load_codes  # noqa: E402
from operator_tui.kb.sample import sample_articles  # noqa: E402
from operator_tui.kb.search import search_conn  # noqa: E402
from operator_tui.kb.tokens import bigrams  # noqa: E402

TODAY = date(2026, 11, 26)
PLACES = [
    "铁东区",
    "铁西区",
    "立山区",
    "千山区",
    "海城市",
    "台安县",
    "岫岩满族自治县",
    "高新区",
    "经济开发区",
    "千山风景区",
]
STREETS = [
    "胜利街道",
    "站前街道",
    "园林街道",
    "对炉街道",
    "曙光街道",
    "宁远街道",
    "东鞍山街道",
    "千山镇",
    "腾鳌镇",
    "南台镇",
    "新开河镇",
    "旧堡街道",
]

Search = Callable[[sqlite3.Connection, str, "str | None"], list[str]]


def labelled() -> list[dict]:
    return tomllib.loads((ROOT / "tests/kb/labelled_queries.toml").read_text("utf-8"))["query"]


def frozen_holdout() -> list[dict]:
    return tomllib.loads((ROOT / "tests/data/kb_holdout.toml").read_text("utf-8"))["query"]


def tuning_sets() -> dict[str, list[dict]]:
    """The caller-worded tuning questions of issue 13's second round (may be tuned on)."""
    return {
        name: tomllib.loads((ROOT / "tests/data" / name).read_text("utf-8"))["query"]
        for name in ("kb_tuning2.toml", "kb_tuning3.toml")
    }


def _accepted(q: dict) -> list[str]:
    """The acceptable article ids of a query: one id (labelled_queries.toml) or a list (hold-out)."""
    return [q["expected"]] if isinstance(q["expected"], str) else list(q["expected"])


def generate(samples: list[Article], n: int, seed: int = 8890) -> Iterator[Article]:
    """`n` plausible variants: a sample's text reshuffled, placed in a district, padded with
    paragraphs of other articles, so term statistics look like a large real knowledge base."""
    rng = random.Random(seed)
    for i in range(n):
        base = samples[i % len(samples)]
        other = samples[rng.randrange(len(samples))]
        paragraphs = base.body.split("\n\n")
        rng.shuffle(paragraphs)
        extra = rng.sample(other.body.split("\n\n"), k=min(2, len(other.body.split("\n\n"))))
        place, street = rng.choice(PLACES), rng.choice(STREETS)
        body = "\n\n".join(paragraphs + extra + [f"适用范围：{place}{street}。版本 {i}。"])
        yield replace(base, id=f"{base.id}-g{i}", title=f"{base.title}（{place}）", body=body)


def evaluate(search: Search, conn: sqlite3.Connection, queries: list[dict]) -> dict[str, float]:
    at1 = at5 = rr = 0.0
    for q in queries:
        ids = search(conn, q["text"], q.get("matter"))[:5]
        ranks = [ids.index(a) + 1 for a in _accepted(q) if a in ids]
        if ranks:
            rank = min(ranks)
            at5 += 1
            at1 += rank == 1
            rr += 1 / rank
    n = len(queries)
    return {"recall@5": at5 / n, "recall@1": at1 / n, "mrr": rr / n}


def latencies(run: Callable[[str, str | None], object], queries: list[dict], rounds: int = 5) -> dict[str, float]:
    times = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            run(q["text"], q.get("matter"))
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
        "n": len(times),
    }


def ours(conn: sqlite3.Connection, text: str, matter: str | None) -> list[str]:
    return [h.id for h in search_conn(conn, text, matter, limit=5, today=TODAY)]


def build(db: Path, articles: Iterator[Article] | list[Article]) -> float:
    conn = connect(db)
    start = time.perf_counter()
    upsert_articles(conn, articles, load_codes())
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


# --- engines considered and rejected (for --compare only) -------------------------------------


def _fts(conn: sqlite3.Connection, table: str, match: str) -> list[str]:
    sql = (
        f"SELECT a.id FROM (SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rank "
        f"LIMIT 5) f JOIN kb_articles a ON a.rowid = f.rowid"
    )
    try:
        return [r[0] for r in conn.execute(sql, (match,))]
    except sqlite3.OperationalError:
        return []


def _or(tokens: list[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(tokens))


def alt_tables(conn: sqlite3.Connection) -> None:
    """Trigram and jieba-word indexes over the same articles."""
    import jieba

    conn.execute("CREATE VIRTUAL TABLE alt_tri USING fts5(title, answer, body, tokenize='trigram')")
    conn.execute("CREATE VIRTUAL TABLE alt_jieba USING fts5(title, answer, body)")
    rows = conn.execute("SELECT rowid, title, standard_answer, body FROM kb_articles").fetchall()
    conn.executemany("INSERT INTO alt_tri(rowid, title, answer, body) VALUES (?,?,?,?)", rows)
    conn.executemany(
        "INSERT INTO alt_jieba(rowid, title, answer, body) VALUES (?,?,?,?)",
        [(r, *(" ".join(jieba.cut_for_search(t)) for t in texts)) for r, *texts in rows],
    )
    for table in ("alt_tri", "alt_jieba"):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('rank', 'bm25(8.0, 3.0, 1.0)')")
    conn.commit()


def unbudgeted(conn: sqlite3.Connection, text: str, matter: str | None) -> list[str]:
    saved, search_module.POSTINGS_BUDGET = search_module.POSTINGS_BUDGET, 10**12
    try:
        return ours(conn, text, matter)
    finally:
        search_module.POSTINGS_BUDGET = saved


def bigram_plain(conn: sqlite3.Connection, text: str, matter: str | None) -> list[str]:
    return _fts(conn, "kb_fts", _or(bigrams(text)))


def trigram(conn: sqlite3.Connection, text: str, matter: str | None) -> list[str]:
    grams = [text[i : i + 3] for i in range(len(text) - 2) if " " not in text[i : i + 3]]
    return _fts(conn, "alt_tri", _or(grams)) if grams else []


def jieba_words(conn: sqlite3.Connection, text: str, matter: str | None) -> list[str]:
    import jieba

    words = [w for w in jieba.cut_for_search(text) if w.strip()]
    return _fts(conn, "alt_jieba", _or(words)) if words else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--compare", action="store_true", help="also measure rejected engines")
    parser.add_argument("--quality-only", action="store_true", help="recall only, no 50,000-article build")
    parser.add_argument("--misses", action="store_true", help="list the hold-out questions missed")
    args = parser.parse_args()
    queries, samples = labelled(), sample_articles()
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "sample.db"
        seconds = build(small, samples)
        conn = connect(small)
        print(f"sample KB: {len(samples)} articles indexed in {seconds:.2f} s")
        holdout = [q for q in queries if q.get("set") == "holdout"]
        for name, subset in [
            ("all", queries),
            ("tuning", [q for q in queries if q not in holdout]),
            ("held out", holdout),
        ]:
            quality = evaluate(ours, conn, subset)
            print(
                f"labelled queries, {name}: {len(subset)}; recall@5 {quality['recall@5']:.3f}, "
                f"recall@1 {quality['recall@1']:.3f}, MRR {quality['mrr']:.3f}"
            )
        for name, subset in tuning_sets().items():
            quality = evaluate(ours, conn, subset)
            print(
                f"tuning questions ({name}): {len(subset)}; recall@5 {quality['recall@5']:.3f}, "
                f"recall@1 {quality['recall@1']:.3f}, MRR {quality['mrr']:.3f}"
            )
        frozen = frozen_holdout()
        quality = evaluate(ours, conn, frozen)
        print(
            f"frozen hold-out (tests/data/kb_holdout.toml): {len(frozen)}; recall@5 "
            f"{quality['recall@5']:.3f}, recall@1 {quality['recall@1']:.3f}, MRR {quality['mrr']:.3f} "
            "(target recall@5 >= 0.95)"
        )
        if args.misses:
            for q in frozen:
                found = ours(conn, q["text"], q.get("matter"))
                if not set(_accepted(q)) & set(found):
                    print(f"  miss: {q['text']} -> want {_accepted(q)}, got {found}")
        if args.quality_only:
            return

        big = Path(tmp) / "big.db"
        seconds = build(big, generate(samples, args.articles))
        print(
            f"build: {args.articles} generated articles indexed in {seconds:.1f} s "
            f"(target <= 60 s); db {big.stat().st_size / 1e6:.0f} MB"
        )
        bconn = connect(big)
        warm = latencies(lambda t, m: search_conn(bconn, t, m, 8), queries)
        print(
            "latency, warm connection:     p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max:.2f} ms "
            "over {n} queries (target p95 <= 20 ms)".format(**warm)
        )

        def fresh(text: str, matter: str | None) -> None:
            c = connect(big)
            search_conn(c, text, matter, 8)
            c.close()

        cold = latencies(fresh, queries)
        print("latency, connection per query: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max:.2f} ms".format(**cold))

        if args.compare:
            alt_tables(conn)
            alt_tables(bconn)
            for name, engine in [
                ("bigram FTS5 + colloquial map (chosen)", ours),
                ("the same without the postings budget", unbudgeted),
                ("bigram FTS5, no map", bigram_plain),
                ("FTS5 trigram tokenizer", trigram),
                ("jieba words (dictionary at query time)", jieba_words),
            ]:
                q = evaluate(engine, conn, queries)
                lat = latencies(lambda t, m, engine=engine: engine(bconn, t, m), queries, rounds=2)
                print(
                    f"compare: {name:42s} recall@5 {q['recall@5']:.3f} recall@1 "
                    f"{q['recall@1']:.3f}  p95 on {args.articles}: {lat['p95']:.2f} ms"
                )


if __name__ == "__main__":
    main()
