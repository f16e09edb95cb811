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
        "tests/data/classify_holdout.jsonl changed: it is frozen (tests/data/README.md); report a wrong label, do not edit it"
    )
    cases = _load(HOLDOUT)
    matters, types, places = _codes()
    assert len(cases) >= 200
    assert {c["matter"] for c in cases} == matters  # every matter of the taxonomy is asked about
    assert {c["type"] for c in cases} == types
    assert all(c["place"] is None or c["place"] in places for c in cases)
    assert sum(c["place"] is not None for c in cases) >= 80


# --- the suggester ------------------------------------------------------------------------------

from operator_tui.domain.classify import build_suggester  # noqa: E402


@pytest.mark.rule("R19.1")
def test_the_heating_call_proposes_heating_complaint_and_the_street_with_the_words_that_led(suggester):
    got = suggester.suggest("家里暖气还是不热，卧室只有十五度，老人冻感冒了", "铁东区站前街道54号楼5单元101")
    assert got.matters[0].code == "heating_temperature" and "不热" in got.matters[0].words
    assert got.types[0].code == "complaint"
    assert got.places[0].code == "tiedong.站前街道" and "站前街道" in got.places[0].words
    assert got.places[1].code == "tiedong"  # the district as the next choice
    assert all(a.score >= b.score for a, b in zip(got.matters, got.matters[1:]))


@pytest.mark.rule("R18.1")
@pytest.mark.parametrize(
    ("text", "address", "place"),
    [
        ("八卦街那块儿啥时候来暖气", "", "tiexi.八卦街街道"),  # a street stem in the words
        ("停电了", "岫岩", "xiuyan"),  # an alias in the address
        ("去千山风景区玩被宰了", "", "qianshan_scenic"),  # longest name wins over 千山
        ("路灯不亮", "立山区立山街道", "lishan.立山街道"),  # street named like its district
    ],
)
def test_places_from_the_address_and_the_words(suggester, text, address, place):
    assert suggester.suggest(text, address).places[0].code == place


@pytest.mark.rule("R18.1")
def test_no_place_is_proposed_when_none_is_named(suggester):
    assert suggester.suggest("出租车司机拒载，说去那边太远不去", "").places == ()


@pytest.mark.rule("R19.1")
@pytest.mark.parametrize(
    ("text", "type_code"),
    [
        ("我要举报饭店卖过期的肉", "whistleblow"),
        ("社保卡丢了咋办，要带啥材料", "consult"),
        ("建议在小区门口设个公交站", "suggestion"),
    ],
)
def test_the_appeal_type_follows_how_the_caller_asks(suggester, text, type_code):
    assert suggester.suggest(text).types[0].code == type_code


def test_empty_words_propose_no_matter_and_bad_model_is_a_clear_error():
    assert build_suggester("", "", "", "{}").suggest("").matters == ()
    with pytest.raises(ValueError, match="not JSON"):
        build_suggester("", "", "", "{oops")


@pytest.mark.rule("R19.1")
def test_matter_top3_on_the_frozen_hold_out_meets_the_issue_target(suggester):
    cases = _load(HOLDOUT)
    top3 = sum(c["matter"] in [s.code for s in suggester.suggest(c["text"], c["address"]).matters[:3]] for c in cases)
    assert top3 / len(cases) >= 0.85


def test_the_tuning_set_is_apart_from_the_hold_out():
    assert not {c["text"] for c in _load(DATA / "classify_tuning.jsonl")} & {c["text"] for c in _load(HOLDOUT)}
