"""Issue 13 part 4: the ticket classified from the caller's words (seat assist, R19.1, R18.1).

`tests/data/classify_holdout.jsonl` is the frozen hold-out (tests/data/README.md): written before
the suggester, never tuned on, never edited. Each line: ``id``, ``text`` (the caller's words),
``address`` (as the operator would type it, may be empty), ``matter`` (matters.toml code), ``type``
(appeal_types.toml code) and ``place`` (places.toml code, ``district.street`` where a street is
named, or null when neither the text nor the address names a place).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data"
PACKAGE_DATA = Path(__file__).parents[2] / "operator_tui" / "data"
HOLDOUT = DATA / "classify_holdout.jsonl"
# Its bytes as first committed: a changed hash means someone edited a frozen set.
HOLDOUT_SHA256 = "3e21aef2dee1b44bab99ae7164b0e1347605df46ccb1dd35fde0a900b4c48752"


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _codes() -> tuple[set[str], set[str], set[str]]:
    def load(name: str) -> dict:
        return tomllib.loads((PACKAGE_DATA / name).read_text(encoding="utf-8"))

    matters = {m["code"] for m in load("matters.toml")["matter"]}
    types = {t["code"] for t in load("appeal_types.toml")["type"]}
    places = set()
    for p in load("places.toml")["place"]:
        places |= {p["code"]} | {f"{p['code']}.{s}" for s in p.get("streets", [])}
    return matters, types, places


@pytest.mark.rule("R18.1")
def test_the_hold_out_is_frozen_big_and_labelled_with_real_codes():
    assert hashlib.sha256(HOLDOUT.read_bytes()).hexdigest() == HOLDOUT_SHA256, (
        "tests/data/classify_holdout.jsonl changed: it is frozen (tests/data/README.md); report a wrong label, do not edit it")
    cases = _load(HOLDOUT)
    matters, types, places = _codes()
    assert len(cases) >= 200
    assert {c["matter"] for c in cases} == matters  # every matter of the taxonomy is asked about
    assert {c["type"] for c in cases} == types
    assert all(c["place"] is None or c["place"] in places for c in cases)
    assert sum(c["place"] is not None for c in cases) >= 80
