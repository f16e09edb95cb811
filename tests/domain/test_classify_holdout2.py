"""The second frozen classify hold-out (issue 13 part 4): descriptions in the operator's register.

The first hold-out has the caller's own words; at a real seat the operator often types a
third-person summary ("来电人反映：…", "诉求：…；要求…"). This set measures the suggester on that
register, so it must stay exactly as first committed and must not leak into what is tuned on.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data"
PACKAGE_DATA = Path(__file__).parents[2] / "operator_tui" / "data"
HOLDOUT2 = DATA / "classify_holdout2.jsonl"
# Its bytes as first committed: a changed hash means someone edited a frozen set.
HOLDOUT2_SHA256 = "a2e7de23b1bf349cafac9016213e217dc991221660dace493cf56bae6a26cf12"
# The summary boilerplate an operator starts a description with; the rest is the caller's words.
OPERATOR_OPENING = re.compile(r"^(来电人|市民|该户|该市民|据来电人|诉求：)")


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _codes() -> tuple[set[str], set[str], dict[str, str]]:
    """Matter codes, type codes, and every place code mapped to the street name it ends in."""

    def load(name: str) -> dict:
        return tomllib.loads((PACKAGE_DATA / name).read_text(encoding="utf-8"))

    matters = {m["code"] for m in load("matters.toml")["matter"]}
    types = {t["code"] for t in load("appeal_types.toml")["type"]}
    places: dict[str, str] = {}
    for p in load("places.toml")["place"]:
        places[p["code"]] = ""
        places.update({f"{p['code']}.{s}": s for s in p.get("streets", [])})
    return matters, types, places


@pytest.fixture(scope="module")
def holdout2() -> list[dict]:
    return _load(HOLDOUT2)


@pytest.mark.rule("R18.1")
def test_the_second_hold_out_is_frozen():
    assert hashlib.sha256(HOLDOUT2.read_bytes()).hexdigest() == HOLDOUT2_SHA256, (
        "tests/data/classify_holdout2.jsonl changed: it is frozen (tests/data/README.md); report a wrong label, do not edit it"
    )


@pytest.mark.rule("R18.1")
def test_the_second_hold_out_is_big_and_labelled_with_real_codes(holdout2):
    matters, types, places = _codes()
    assert len(holdout2) >= 200
    assert all(set(c) == {"id", "text", "address", "matter", "type", "place"} for c in holdout2)
    ids = [c["id"] for c in holdout2]
    assert len(set(ids)) == len(ids) and all(i.startswith("c2h-") for i in ids)
    assert len({c["text"] for c in holdout2}) == len(holdout2)
    assert {c["matter"] for c in holdout2} == matters  # every matter of the taxonomy is asked about
    assert {c["type"] for c in holdout2} == types
    assert all(c["place"] is None or c["place"] in places for c in holdout2)


@pytest.mark.rule("R18.1")
def test_a_street_named_in_the_words_or_the_address_is_the_labelled_place(holdout2):
    _, _, places = _codes()
    streets = {street: code for code, street in places.items() if street}
    for case in holdout2:
        named = {code for street, code in streets.items() if street in case["text"] + case["address"]}
        if named:
            assert case["place"] in named, case["id"]


@pytest.mark.rule("R18.1")
def test_the_second_hold_out_is_mostly_the_operators_summary_with_and_without_address(holdout2):
    operator = sum(bool(OPERATOR_OPENING.match(c["text"])) for c in holdout2)
    # About 70% summaries, the rest the caller's words typed fast: both registers are measured.
    assert 0.6 <= operator / len(holdout2) <= 0.85
    no_address = sum(c["address"] == "" for c in holdout2)
    assert 0.2 <= no_address / len(holdout2) <= 0.5
    assert sum(c["place"] is not None for c in holdout2) >= 80


@pytest.mark.rule("R18.1")
def test_no_description_of_the_second_hold_out_is_in_a_set_that_may_be_tuned_on(holdout2):
    texts = {c["text"] for c in holdout2}
    others = [p for p in DATA.glob("classify_*.jsonl") if p != HOLDOUT2]
    assert {p.name for p in others} >= {"classify_tuning.jsonl", "classify_tuning2.jsonl", "classify_holdout.jsonl"}
    for path in others:
        assert texts.isdisjoint(c["text"] for c in _load(path)), path.name


@pytest.mark.rule("R18.1")
def test_the_second_tuning_set_uses_real_codes_too():
    matters, types, places = _codes()
    tuning2 = _load(DATA / "classify_tuning2.jsonl")
    assert len(tuning2) >= 200 and all(c["id"].startswith("c2t-") for c in tuning2)
    assert all(c["matter"] in matters and c["type"] in types for c in tuning2)
    assert all(c["place"] is None or c["place"] in places for c in tuning2)
