"""The labelled triage sets as the tests read them (tests/data/README.md): one loader, one scorer
and one shape check for a frozen hold-out, instead of a copy in each round's test file."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

from operator_tui.domain.triage import TARGETS, triage

DATA = Path(__file__).parent / "data"
SCRIPTS = Path(__file__).parents[1] / "scripts"
CODES = set(TARGETS)
# The ordinary kinds of a hold-out: innocent mentions of alarming words, none carrying a code.
ORDINARY_KINDS = {"complaint", "drill", "tapwater", "past", "negation", "fiction", "hypothetical", "rumour", "question"}
# The urgent kinds: those issue 13 names as missed, plus the rest of a hold-out's emergencies.
URGENT_KINDS = {
    "property",
    "child_taken",
    "stalking",
    "child_abuse",
    "weapon",
    "gas",
    "fire",
    "rescue",
    "poisoning",
    "collapse",
    "disaster",
    "medical",
    "traffic",
    "fight",
}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def referrals(text: str, rules: Any) -> set[str]:
    return set(triage(text, rules).referrals)


def figures(calls: list[dict], rules: Any) -> tuple[float, float, list[tuple[str, str]], list[str]]:
    """(recall of needed referrals, false-alarm rate, the missed (id, code) pairs, the ids of the
    ordinary calls that raised the banner)."""
    needed = got = ordinary = 0
    misses: list[tuple[str, str]] = []
    false_alarms: list[str] = []
    for call in calls:
        found = referrals(call["text"], rules)
        if not call["expect"]:
            ordinary += 1
            if found:
                false_alarms.append(call["id"])
            continue
        for target in call["expect"]:
            needed += 1
            got += target in found
            if target not in found:
                misses.append((call["id"], target))
    return got / needed, len(false_alarms) / ordinary, misses, false_alarms


def assert_labelled(cases: list[dict]) -> None:
    """A hold-out's lines: the four fields, unique ids and texts, known codes sorted without
    repeats (so a comparison with the triage's codes is a plain equality)."""
    assert all(set(c) == {"id", "kind", "text", "expect"} for c in cases)
    ids = [c["id"] for c in cases]
    assert len(set(ids)) == len(ids)
    assert all(c["text"].strip() for c in cases)
    assert len({c["text"] for c in cases}) == len(cases)
    for c in cases:
        assert set(c["expect"]) <= CODES, c["id"]
        assert c["expect"] == sorted(set(c["expect"])), c["id"]


def assert_apart_from_holdouts(mine: dict[str, str], at_least: set[str]) -> None:
    """No text of a tuning set (`mine`: text → id) is in any hold-out; a failure names tuning ids
    only, never a hold-out's call."""
    holdouts = sorted(DATA.glob("triage_holdout*.jsonl"))
    assert {p.name for p in holdouts} >= at_least
    for path in holdouts:
        shared = {c["text"] for c in load(path)} & mine.keys()
        assert not shared, (path.name, sorted(mine[t] for t in shared))


def assert_frozen(path: Path, sha256: str) -> None:
    """A hold-out's bytes are those first committed: a changed hash means someone edited it."""
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, (
        f"tests/data/{path.name} changed: it is frozen (tests/data/README.md); report a wrong label, do not edit it"
    )


def assert_every_kind(cases: list[dict], urgent_at_least: int, ordinary_at_least: int, urgent_kinds: set[str]) -> None:
    """Emergencies and ordinary calls, each kind present; no code under an ordinary kind and no
    emergency hidden under one; every referral code needed somewhere."""
    urgent = [c for c in cases if c["expect"]]
    ordinary = [c for c in cases if not c["expect"]]
    assert len(urgent) >= urgent_at_least and len(ordinary) >= ordinary_at_least
    assert {c["kind"] for c in ordinary} == ORDINARY_KINDS
    assert {c["kind"] for c in urgent} == urgent_kinds
    assert {code for c in urgent for code in c["expect"]} == CODES


def assert_apart_from_every_set(path: Path, at_least: set[str]) -> None:
    """No call of the hold-out at ``path`` is in another triage set: one copied from a tuning set
    would be measured on wording the rules were tuned on, one from another hold-out would count
    twice. A failure names this set's ids only, never another set's call."""
    mine = {c["text"].strip(): c["id"] for c in load(path)}
    others = [p for p in sorted(DATA.glob("triage_*.jsonl")) if p != path]
    assert {p.name for p in others} >= at_least
    for other in others:
        shared = {c["text"].strip() for c in load(other)} & mine.keys()
        assert not shared, (other.name, sorted(mine[t] for t in shared))


def unpunctuated(text: str) -> bool:
    """No mark at all: Unicode's punctuation categories cover both ASCII (, . ! ?) and Chinese
    (，。！？、；：“”（）…) marks, so a rushed line with only spaces between its words counts."""
    return not any(unicodedata.category(ch).startswith("P") for ch in text)


def assert_keeps_unpunctuated(cases: list[dict], share: float) -> None:
    """At least ``share`` of the lines are rushed typing with no marks, on both sides of the banner."""
    bare = [c for c in cases if unpunctuated(c["text"])]
    assert len(bare) >= share * len(cases)
    assert any(c["expect"] for c in bare) and any(not c["expect"] for c in bare)


def training_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` (train_triage_model, triage_cv) imported as a module, once."""
    sys.path.insert(0, str(SCRIPTS))
    if name in sys.modules:  # triage_cv imports train_triage_model itself
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
