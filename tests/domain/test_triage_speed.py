"""Issue 13's speed round: each shortcut triage takes finds what the plain way finds.

R20.3: the seat flags life-threatening calls while the operator types, so triage runs on every
keystroke. The shortcuts (a rule not scanned when the text lacks every word it needs, cue windows
searched with the fast scanner, sound-alike neighbours checked with one regex) are checked here
against the plain computation on every labelled call, hold-outs included. Failures name a rule
and a call's position, never a call's text (the hold-outs are never read by whoever tunes).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operator_tui.domain.regex_needs import Prefilter, needs
from operator_tui.domain.regex_scan import scanner
from operator_tui.triage_rules import load_triage_rules, pinyin_table

pytestmark = pytest.mark.rule("R20.3")
ROOT = Path(__file__).resolve().parents[2]
CALL_FILES = [
    ROOT / "tests" / "domain" / "triage_calls.jsonl",
    *sorted((ROOT / "tests" / "data").glob("triage_*.jsonl")),
]
_HEAD = "(?<=(?=("


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = []
    for path in CALL_FILES:
        out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _alternatives(rule) -> str:
    """The rule's plain pattern (its scanner without the first-character wrapper)."""
    pattern = rule.scan.pattern
    return pattern[pattern.index(_HEAD) + len(_HEAD) : -len(")).)")] if rule.group else pattern


def _spans(rx: re.Pattern[str], group: int, text: str) -> list[tuple[int, int]]:
    """What triage keeps of a scanner's finds: each starting at or after the last kept one's end."""
    out, last_end = [], 0
    for m in rx.finditer(text):
        if m.start(group) >= last_end:
            out.append(m.span(group))
            last_end = m.end(group)
    return out


# --- the prefilter (regex_needs.py) ------------------------------------------------------------


def test_a_rule_the_prefilter_rules_out_finds_nothing_on_any_labelled_call(rules, texts):
    assert texts and all(rule.needs is not None for rule in rules.rules)  # every rule has its words
    skipped = 0
    for n, text in enumerate(texts):
        may = rules.prefilter.possible(text)
        for rule in rules.rules:
            if not may & rules.bits[rule.id]:
                skipped += 1
                assert next(rule.scan.finditer(text), None) is None, (rule.id, n)
    assert skipped > len(texts) * len(rules.rules) // 3  # and it does skip most scans


@pytest.mark.parametrize(
    "pattern, strings",
    [
        ("着火|起火", {"着火", "起火"}),
        ("(砍|捅)(伤|死)", {"砍伤", "砍死", "捅伤", "捅死"}),
        ("(?<!是)不是", {"不是"}),  # a lookbehind consumes nothing
        ("[^，。！？\\s]{0,3}(硫酸|盐酸)", {"硫酸", "盐酸"}),  # an optional item needs nothing
        ("(?:孩子|小孩).{0,6}(?:丢了|不见了)", {"孩子", "小孩"}),
        ("打人(?![社民])", {"打人"}),
        ("[]a]b", {"ab", "]b"}),  # a "]" right after "[" is a character
        ("\\d+人", {"人"}),
        ("[a-c]d", {"ad", "bd", "cd"}),
        ("x{1}y", {"xy"}),
        ("\\.火", {".火"}),
    ],
)
def test_the_words_a_pattern_needs(pattern, strings):
    assert needs(pattern) == frozenset(strings)


def test_what_consumes_nothing_stands_between_two_characters():
    # In "a(?=x)b" nothing matches at all, but a pair across a lookahead would be unsound in general.
    assert needs("a(?=x)b") in (frozenset("a"), frozenset("b"))
    assert needs("a\\bb") in (frozenset("a"), frozenset("b"))


@pytest.mark.parametrize(
    "pattern",
    ["a|.", "x{0,2}", "(?i)fire", "(a)\\1", "\\x41b", "a|", "(?P=x)", "[[a]b", "(ab", "\\N{BLACK STAR}"],
)
def test_a_pattern_whose_matches_need_nothing_known_has_no_prefilter(pattern):
    assert needs(pattern) is None  # None: the rule is always scanned


def test_a_pattern_with_no_words_is_always_possible():
    prefilter = Prefilter([frozenset({"着火"}), None])
    assert prefilter.possible("下雨了") == 0b10
    assert prefilter.possible("着火了") == 0b11


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_of_a_rule_holds_one_of_its_words(rules, data):
    # Independent of the reader: hypothesis builds matching texts from the pattern itself.
    rule = data.draw(st.sampled_from(rules.rules))
    text = data.draw(st.from_regex(re.compile(_alternatives(rule)), fullmatch=True))
    assert any(s in text for s in rule.needs), rule.id


# --- the cue windows' scanners (regex_scan.py, triage_cues.py) --------------------------------


def test_a_cue_scanner_finds_what_the_plain_cue_pattern_finds(rules, texts):
    groups = {c.name: c for rule in rules.rules for c in rule.cues} | {c.name: c for c in rules.default_cues}
    patterns = [rx for c in groups.values() for rx in (c.before, c.after) if rx is not None]
    assert patterns
    fast = [scanner(rx.pattern) for rx in patterns]
    assert sum(group for _, group in fast) >= len(patterns) // 2  # most take the fast form
    for n, text in enumerate(texts):
        # Cues read windows of a clause or less: every clause, and the whole text.
        pieces = [text, *re.split("[，,。！!？?；;\n]", text)]
        for rx, (scan, group) in zip(patterns, fast, strict=True):
            for piece in pieces:
                assert _spans(scan, group, piece) == [m.span() for m in rx.finditer(piece)], (rx.pattern[:40], n)


def test_a_pattern_that_can_match_empty_text_or_refers_back_stays_plain():
    assert scanner("a*")[1] == 0
    assert scanner("(a)b\\1")[1] == 0
    assert scanner("(?:着火|起火)")[1] == 1


# --- sound-alike neighbours (triage_sounds.py) ---------------------------------------------------


def test_the_sound_regex_accepts_exactly_the_characters_that_sound_alike(rules, texts):
    table = pinyin_table()
    sounds = rules.sounds
    checked = 0
    for n, text in enumerate(texts):
        for a in sounds._anchors.finditer(text):
            for w, i, regex in sounds._at[a.group()]:
                start = a.start() - i
                if start < 0 or start + len(w.word) > len(text):
                    continue
                classes = [frozenset(table.get(s, "")) | {c} for s, c in zip(w.syllables, w.word, strict=True)]
                plain = all(text[start + j] in cls for j, cls in enumerate(classes))
                assert (regex.match(text, start) is not None) == plain, (w.word, n)
                checked += 1
    assert checked > 1000
