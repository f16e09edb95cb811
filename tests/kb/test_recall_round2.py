"""Issue 13, round 2: caller-worded questions reach an article in the top 5 (R34.1, R19.3).

tests/data/kb_tuning2.toml and kb_tuning3.toml were each committed before the colloquial map
(synonyms.toml) was changed for them, and the map was then tuned on them; this guards what was
reached. The frozen hold-out's figure is guarded in test_recall.py.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from operator_tui.kb.sample import load_sample_kb, sample_articles
from operator_tui.kb.search import search

DATA = Path(__file__).parents[1] / "data"
SETS = ["kb_tuning2.toml", "kb_tuning3.toml"]


def _queries(name: str) -> list[dict]:
    return tomllib.loads((DATA / name).read_text("utf-8"))["query"]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "seat.db"
    load_sample_kb(path)
    return path


@pytest.mark.parametrize("name", SETS)
def test_round_two_questions_name_real_articles_and_stay_apart_from_the_hold_out(name):
    queries = _queries(name)
    known = {a.id for a in sample_articles()}
    assert len(queries) >= 60
    assert [q["text"] for q in queries if not set(q["expected"]) <= known] == []
    frozen = {q["text"] for q in tomllib.loads((DATA / "kb_holdout.toml").read_text("utf-8"))["query"]}
    shared = sorted(frozen & {q["text"] for q in queries})
    assert shared == []  # names only the shared questions, never the rest of the hold-out


@pytest.mark.rule("R19.3")
@pytest.mark.rule("R34.1")
@pytest.mark.parametrize("name", SETS)
def test_round_two_recall_at_5(db, name):
    misses = []
    queries = _queries(name)
    for q in queries:
        found = [h.id for h in search(db, q["text"], q.get("matter"), 5, date(2026, 11, 26))]
        if not set(q["expected"]) & set(found):
            misses.append((q["text"], found))
    assert 1 - len(misses) / len(queries) >= 0.97, misses


@pytest.mark.rule("R34.1")
@pytest.mark.parametrize(
    "text, article",
    [
        ("住十八楼水流一点劲没有", "water-low-pressure-high-rise"),
        ("补习班黄了不给退钱", "education-training-refund"),
        ("车堵我家门口好几天不挪", "traffic-illegal-parking"),
        ("想去上访找谁", "petition-procedure"),
        ("买的洗衣机坏了商家不给修", "consumer-appliance-warranty"),
    ],
)
def test_colloquial_wordings_find_their_article(db, text, article):
    assert article in [h.id for h in search(db, text, None, 5, date(2026, 11, 26))]
