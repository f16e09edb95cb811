"""Recall of the labelled operator queries over the sample knowledge base (issue 4: recall@5
≥ 0.9). The same file drives the latency figures of scripts/bench_kb.py."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from operator_tui.kb.parse import load_codes
from operator_tui.kb.sample import load_sample_kb, sample_articles
from operator_tui.kb.search import search

QUERIES = tomllib.loads((Path(__file__).parent / "labelled_queries.toml").read_text("utf-8"))["query"]


def test_the_labelled_set_is_big_enough_and_points_at_real_articles():
    known = {a.id for a in sample_articles()}
    assert len(QUERIES) >= 60
    assert len([q for q in QUERIES if q.get("set") == "holdout"]) >= 20
    assert [q["expected"] for q in QUERIES if q["expected"] not in known] == []
    assert all(q.get("matter") in (None, *load_codes().matters) for q in QUERIES)


@pytest.mark.rule("R19.3")
@pytest.mark.rule("R20.1")
def test_recall_at_5_is_at_least_0_9(tmp_path: Path):
    db = tmp_path / "seat.db"
    load_sample_kb(db)
    holdout = [q for q in QUERIES if q.get("set") == "holdout"]
    for subset in (QUERIES, holdout):  # the held-out ones were never tuned on (README.md)
        misses = []
        for q in subset:
            found = [h.id for h in search(db, q["text"], q.get("matter"), 5, date(2026, 11, 26))]
            if q["expected"] not in found:
                misses.append((q["text"], q["expected"], found))
        recall = 1 - len(misses) / len(subset)
        assert recall >= 0.9, f"recall@5 {recall:.3f}; misses: {misses}"


# --- issue 13: the frozen hold-out, written before the articles that answer it -----------------

FROZEN = Path(__file__).parents[1] / "data" / "kb_holdout.toml"
FROZEN_SHA256 = "75d3e0bc7d4fc9886b4552e1bc991d58a9c23e62bfe2120737ab8c33bc89a83f"  # as first committed


def test_the_frozen_hold_out_is_unchanged_and_names_real_articles():
    import hashlib

    assert hashlib.sha256(FROZEN.read_bytes()).hexdigest() == FROZEN_SHA256, (
        "tests/data/kb_holdout.toml is frozen (tests/data/README.md); report a wrong label, do not edit it"
    )
    queries = tomllib.loads(FROZEN.read_text("utf-8"))["query"]
    known = {a.id for a in sample_articles()}
    assert len(queries) >= 100
    assert [q for q in queries if not set(q["expected"]) <= known] == []


@pytest.mark.rule("R19.3")
@pytest.mark.rule("R34.1")
def test_frozen_hold_out_recall_at_5_does_not_fall_below_what_was_reached(tmp_path: Path):
    # Measured after the issue-13 articles were written (before them: 0.632; after them 0.939),
    # and after round 2's colloquial map, tuned on tests/data/kb_tuning2/3.toml only: 0.982. A
    # regression guard; on failure it counts the misses and never shows the hold-out's questions.
    db = tmp_path / "seat.db"
    load_sample_kb(db)
    queries = tomllib.loads(FROZEN.read_text("utf-8"))["query"]
    misses = []
    for q in queries:
        found = [h.id for h in search(db, q["text"], q.get("matter"), 5, date(2026, 11, 26))]
        if not set(q["expected"]) & set(found):
            misses.append(q["text"])
    assert 1 - len(misses) / len(queries) >= 0.97, f"{len(misses)} hold-out questions missed"
