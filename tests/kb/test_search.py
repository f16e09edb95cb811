"""Chinese search over the knowledge base (R19.3): two-character words, longer phrases, the
caller's wording, pinyin initials, the chosen matter, ranking; and the index's upkeep."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

import operator_tui.kb.search as search_module
from operator_tui.kb import index
from operator_tui.kb.index import all_articles, connect, delete_article, ensure_schema, get_article, upsert_articles
from operator_tui.kb.model import Hit
from operator_tui.kb.sample import load_sample_kb, sample_articles
from operator_tui.kb.search import make_searcher, search

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def kb_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("kb") / "seat.db"
    assert load_sample_kb(db) == len(sample_articles())
    return db


def ids(db, text, matter=None, limit=5, today=TODAY) -> list[str]:
    return [h.id for h in search(db, text, matter, limit, today)]


@pytest.mark.rule("R19.3")
@pytest.mark.parametrize(
    "word, matter_prefix",
    [
        ("供暖", "heating"),
        ("噪音", "noise"),
        ("社保", "social"),
        ("注销", "business_deregistration"),
        ("公积金", "housing_fund"),
        ("电梯", "elevator"),
    ],
)
def test_two_character_words_find_their_matter(kb_db, word, matter_prefix):
    hits = search(kb_db, word, None, 5, TODAY)
    assert len(hits) == 5
    assert all(any(m.startswith(matter_prefix) for m in h.matters) for h in hits[:3]), hits


@pytest.mark.rule("R19.3")
def test_the_callers_wording_finds_the_heating_temperature_article(kb_db):
    assert ids(kb_db, "暖气不热")[0] == "heating-room-temperature-standard"
    assert ids(kb_db, "家里暖气不热，屋里才十几度")[0] == "heating-room-temperature-standard"


@pytest.mark.rule("R19.3")
def test_longer_phrases_rank_the_closest_article_first(kb_db):
    assert ids(kb_db, "社保卡丢了怎么补")[0] == "ssc-lost-replace"
    assert ids(kb_db, "楼上半夜装修吵")[0] == "noise-renovation-hours"
    assert ids(kb_db, "物业停水停电逼交物业费")[0] == "property-fee-no-cutoff"


@pytest.mark.rule("R19.3")
def test_pinyin_initials_and_full_pinyin(kb_db):
    assert any(i.startswith("heating") for i in ids(kb_db, "gn")[:3])
    assert any(i.startswith("business-deregistration") for i in ids(kb_db, "zx")[:3])
    assert any(i.startswith("ssc-") for i in ids(kb_db, "shebaoka")[:3])
    assert ids(kb_db, "GN") == ids(kb_db, "gn")


@pytest.mark.rule("R19.3")
def test_a_chosen_matter_is_boosted(kb_db):
    plain = search(kb_db, "退费", None, 10, TODAY)
    boosted = search(kb_db, "退费", "heating_temperature", 10, TODAY)
    assert boosted[0].id == "heating-temperature-refund"
    assert "heating_temperature" in boosted[0].matters
    rank = lambda hits: [h.id for h in hits].index("heating-temperature-refund")  # noqa: E731
    assert rank(boosted) <= rank(plain)


def test_a_matter_alone_lists_its_articles(kb_db):
    hits = search(kb_db, "", "gas_safety", 10, TODAY)
    assert hits and all("gas_safety" in h.matters for h in hits)
    assert search(kb_db, "   ", None) == []


def test_a_single_character_matches_words_that_start_with_it(kb_db):
    assert ids(kb_db, "暖") and ids(kb_db, "暖")[0].startswith("heating")


def test_articles_not_in_force_are_left_out_when_a_day_is_given(kb_db):
    text = "2025—2026供暖季注水试运行安排"
    assert "heating-2025-season-arrangement" in ids(kb_db, text, today=None)
    assert "heating-2025-season-arrangement" not in ids(kb_db, text, today=TODAY)


def test_hits_are_ranked_and_carry_the_standard_answer(kb_db):
    hits = search(kb_db, "燃气泄漏", None, 8, TODAY)
    assert isinstance(hits[0], Hit)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].id == "gas-leak-emergency" and "119" in hits[0].standard_answer
    assert len(search(kb_db, "燃气", None, 3, TODAY)) == 3


@pytest.mark.parametrize(
    "text", ['"', "OR", "NEAR(供暖", "供暖 AND", "*", "^x", "-", "a'b", "{title}:x", "[/]", "\x1b[2J供暖"]
)
def test_query_syntax_in_the_text_is_only_text(kb_db, text):
    search(kb_db, text, None, 5, TODAY)  # must not raise


def test_an_empty_database_answers_nothing(tmp_path: Path):
    assert search(tmp_path / "empty.db", "供暖") == []
    assert make_searcher(tmp_path / "empty.db").article("x") is None


def test_the_common_terms_of_a_long_query_are_left_out_past_the_budget(kb_db, monkeypatch):
    full = ids(kb_db, "家里暖气不热 室温不够 要求测温")
    monkeypatch.setattr(search_module, "POSTINGS_BUDGET", 1)
    conn = connect(kb_db)
    terms = search_module.plan(conn, search_module.query_terms("家里暖气不热 室温不够 要求测温"))
    assert len(terms) == 1  # only the rarest term runs
    assert ids(kb_db, "家里暖气不热 室温不够 要求测温")[0].startswith("heating")
    assert full[0].startswith("heating")


def test_the_searcher_reads_no_dictionary(kb_db):
    code = (
        "import sys; from operator_tui.kb.search import make_searcher; "
        f"s = make_searcher({str(kb_db)!r}); assert s('暖气不热', None); s.article('gas-leak-emergency'); "
        "assert 'jieba' not in sys.modules and 'pypinyin' not in sys.modules and 'textual' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


# --- index upkeep ---------------------------------------------------------------------------

SMALL = [a for a in sample_articles() if a.id.startswith(("heating", "gas", "noise", "air"))]


@pytest.fixture
def small_db(tmp_path: Path):
    conn = connect(tmp_path / "kb.db")
    upsert_articles(conn, SMALL)
    yield conn
    conn.close()


def df(conn, term):
    row = conn.execute("SELECT df FROM kb_terms WHERE term = ?", (term,)).fetchone()
    return row[0] if row else 0


@pytest.mark.rule("R34.1")
def test_reimporting_an_article_replaces_it_and_its_index_rows(small_db):
    article = get_article(small_db, "heating-room-temperature-standard")
    assert article is not None
    before = df(small_db, "供暖")
    upsert_articles(
        small_db, [replace(article, title="冬季室温测量须知", body="测量方法。", standard_answer="请关好门窗。")]
    )
    assert get_article(small_db, article.id).title == "冬季室温测量须知"
    assert len(all_articles(small_db)) == len(SMALL)
    assert ids(small_db, "室温测量")[0] == article.id
    assert df(small_db, "供暖") <= before  # its old tokens were taken out of kb_terms
    assert small_db.execute("SELECT count(*) FROM kb_fts").fetchone()[0] == len(SMALL)


def test_delete_and_schema_are_idempotent(small_db):
    ensure_schema(small_db)
    ensure_schema(small_db)
    assert delete_article(small_db, "heating-room-temperature-standard")
    assert not delete_article(small_db, "heating-room-temperature-standard")
    assert "heating-room-temperature-standard" not in ids(small_db, "暖气不热", limit=len(SMALL))
    assert small_db.execute("SELECT count(*) FROM kb_fts").fetchone()[0] == len(SMALL) - 1


def test_a_new_token_recipe_rebuilds_the_index(small_db, monkeypatch):
    small_db.execute("DELETE FROM kb_fts")  # as if the old index were useless
    small_db.commit()
    assert ids(small_db, "暖气不热") == []
    monkeypatch.setattr(index, "TOKENS_VERSION", "test-next")
    ensure_schema(small_db)
    assert ids(small_db, "暖气不热")[0] == "heating-room-temperature-standard"
    assert df(small_db, "供暖") > 0
