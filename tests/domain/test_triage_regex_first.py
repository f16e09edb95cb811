"""R20.3: the triage scanner's first-character prefilter, read without CPython's private parser (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from operator_tui.domain.regex_first import first_chars

pytestmark = pytest.mark.rule("R20.3")


@pytest.mark.parametrize(
    "pattern, chars, empty",
    [
        ("着火|起火", "着起", False),
        ("(?:冒|窜)[黑白]?烟", "冒窜", False),
        ("[黑白]?烟", "黑白烟", False),
        ("(?<!是)不是", "不", False),  # a lookbehind consumes nothing
        ("(?=快)快来", "快", False),
        ("^救命", "救", False),
        ("a{0,3}b", "ab", False),
        ("a{2}b", "a", False),
        ("x{,3}", "x", True),
        ("a*", "a", True),
        ("[a-c\\]]", "abc]", False),
        ("\\u706bx", "火", False),
        ("\\bfoo", "f", False),
        ("(?P<who>孩子|娃)丢了", "孩娃", False),
        ("a+?b", "a", False),
        ("{x", "{", False),  # a brace that is no quantifier is a literal
    ],
)
def test_first_characters_of_patterns(pattern, chars, empty):
    assert first_chars(pattern) == (frozenset(chars), empty)


@pytest.mark.parametrize("pattern", [".a", "\\d+", "[^a]b", "(?i)a", "x|.", "[\\w]", "[\x00-\uffff]"])
def test_unbounded_starts_give_none(pattern):
    # None means "could start with anything": the caller scans without the shortcut.
    assert first_chars(pattern)[0] is None


@pytest.mark.parametrize("pattern", ["(ab", "ab)", "[ab", "*a"])
def test_malformed_patterns_give_none_rather_than_raising(pattern):
    assert first_chars(pattern) == (None, False)


def test_triage_uses_no_private_regex_api():
    source = (Path(__file__).parents[2] / "operator_tui" / "domain" / "triage.py").read_text(encoding="utf-8")
    assert "re._parser" not in source and "sre_parse" not in source


def test_effects_takes_referral_codes_from_triage():
    from operator_tui.domain import effects, triage

    assert effects.REFERRAL_TARGETS is triage.TARGETS
    assert set(effects.REFERRAL_OUTCOMES) == set(triage.OUTCOMES)
