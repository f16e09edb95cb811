"""Emergency triage of what the operator types (R20.3, 《条例》第二十条).

Natural disasters, accident disasters, public-health and social-security events go at once to the
emergency departments (应急); a life-threatening call goes to 110, 119, 120 or 122. The seat runs
:func:`triage` on every keystroke, so the rules are compiled once by :func:`parse_rules` and a call
costs a handful of precompiled regex scans (well under 2 ms for 500 characters).

(The rules file is parsed and validated in ``triage_parse.py``; the sound matching lives in
``triage_sounds.py`` and where a cue looks in ``triage_cues.py``. This module holds the rule types
and runs them.)

The rules are data (``operator_tui/data/triage.toml``, described in its header). Each rule has
trigger phrases and patterns; a trigger is dropped when one of the rule's *cue groups* fires near
it: negation (不是着火), the past (去年着火的那栋楼), hypotheticals and fears (万一着火), fees,
services and advice (煤气费, 防火宣传), habit (经常冒烟) or a settled aftermath (车祸赔偿).
Cues never look across a sentence end, and clause-scoped cues never across a comma, so
"没人管，楼道着火了" is still a fire.
A cue that governs a whole clause (a worry, a question, hearsay, advice, a plain denial) is also
read inside a long match, ahead of its last word (round 6): "炉子，我怕他煤烟中毒" matches from 炉子.

Issue 13 adds three things, all driven by the rules file:

- *Sound*: ``[sounds]`` lists cue words compared in pinyin (:mod:`.triage_sounds`); a text with a
  same-sound typo (没气味) or typed pinyin (ranqi) is read a second time with the word as the
  rules expect it, and a match found that way reports the caller's characters and ``heard_as``.
- *Frames*: a rule's ``context`` lists regexes that must all stand in the same sentence, before or
  after the trigger (a child + taken away + by a stranger), for situations no one word names.
- *Combinations*: a rule with ``only_with`` counts only when another rule already called for one
  of those targets (an accident where someone is trapped adds 119; someone hurt adds 120).
- *A second opinion* (round 2): with the packaged rules, a character n-gram model
  (:mod:`.triage_model`) may add a target the rules did not call for, when it is sure; its
  match's ``rule_id`` is ``<target>.model``. Since round 12 it may also overrule the rules on a
  text it reads as ordinary beyond doubt: their matches move to ``TriageResult.overruled``, which
  the banner shows in grey, and nothing is referred.

Pure: no I/O, no clock; the loader (``operator_tui.triage_rules``) hands in the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import Misconfigured
from .regex_needs import Prefilter
from .triage_cues import BREAKS as _BREAKS
from .triage_cues import Bounds as _Bounds
from .triage_cues import Cues as _Cues
from .triage_model import SecondOpinion
from .triage_sounds import Sounds

__all__ = [
    "OUTCOMES",
    "TARGETS",
    "TARGET_NAMES",
    "Match",
    "ReferralInput",
    "TriageResult",
    "TriageRules",
    "TriageRulesError",
    "parse_rules",
    "triage",
]

TARGETS: tuple[str, ...] = ("110", "119", "120", "122", "应急")
TARGET_NAMES: dict[str, str] = {"110": "报警", "119": "火警", "120": "急救", "122": "交通事故", "应急": "应急部门"}
OUTCOMES: dict[str, str] = {"transferred": "已转接", "told_to_dial": "已告知拨打", "false_alarm": "误报"}


# Where a cue's reach ends. Full- and half-width punctuation both occur in typed text.
class TriageRulesError(Misconfigured, ValueError):
    """The triage rules are unusable; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class Match:
    """One trigger that survived its cues: ``text[start:end] == phrase``."""

    target: str
    phrase: str
    start: int
    end: int
    rule_id: str
    heard_as: str = ""  # the cue word a same-sound typo or typed pinyin was read as ("" if typed as is)


@dataclass(frozen=True)
class TriageResult:
    referrals: tuple[str, ...]
    emergency: bool
    matches: tuple[Match, ...]
    rule_ids: tuple[str, ...]
    # The rules' matches the second opinion withdrew: the whole text reads as ordinary to it
    # (triage_model.py, SecondOpinion.overrules), so nothing is referred and the banner shows them grey.
    overruled: tuple[Match, ...] = ()

    def phrases(self, target: str) -> tuple[str, ...]:
        """The distinct words that called for ``target``, in text order."""
        return tuple(dict.fromkeys(m.phrase for m in self.matches if m.target == target))

    def to_json_dict(self) -> dict[str, Any]:
        """The shape ``hotline triage --json`` prints and other tools rely on (issue 5)."""
        return {
            "referrals": list(self.referrals),
            "emergency": self.emergency,
            "matches": [asdict(m) for m in self.matches],
            "rule_ids": list(self.rule_ids),
            "overruled": [asdict(m) for m in self.overruled],
        }


@dataclass(frozen=True)
class ReferralInput:
    """What the operator records for one referral (R20.3: target and outcome; time and operator are
    added by the screen). A false alarm (误报) must say why, or the record proves nothing."""

    target: str
    outcome: str
    reason: str = ""

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"转介对象必须是 {'、'.join(TARGETS)} 之一")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"处理结果必须是 {'、'.join(OUTCOMES)} 之一")
        if self.outcome == "false_alarm" and not self.reason.strip():
            raise ValueError("误报必须填写原因")


@dataclass(frozen=True)
class _Rule:
    id: str
    targets: tuple[str, ...]
    scan: re.Pattern[str]  # finds the triggers; the match itself is group `group`
    group: int
    cues: tuple[_Cues, ...]
    requires: _Cues | None  # context that must stand before the trigger ("孩子……没回家")
    context: _Context | None = None  # a frame: words that must all stand around the trigger
    only_with: frozenset[str] = frozenset()  # a combination: counts only beside these targets
    needs: frozenset[str] | None = None  # one of these stands in every match (regex_needs.py)


@dataclass(frozen=True)
class _Context:
    """Regexes that must each match within ``window`` characters of the trigger, either side."""

    needs: tuple[re.Pattern[str], ...]
    window: int
    scope: str

    def holds(self, bounds: _Bounds, start: int, end: int) -> bool:
        lo = bounds.back(start, self.window, self.scope)
        hi = bounds.forward(end, self.window, self.scope)
        return all(rx.search(bounds.text, lo, hi) is not None for rx in self.needs)


@dataclass(frozen=True)
class TriageRules:
    """Compiled, validated rules; build with :func:`parse_rules`."""

    rules: tuple[_Rule, ...]
    source: str
    sounds: Sounds | None = None
    model: SecondOpinion | None = None  # adds targets the rules missed (triage_model.py)
    default_cues: tuple[_Cues, ...] = ()  # `default_suppress`: they silence the model's guesses too
    # Which rules can match a text, from the words each needs: most rules find nothing in a given
    # description, and a scan costs a pass over it (issue 13's speed round).
    prefilter: Prefilter = field(init=False, repr=False, compare=False)
    bits: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prefilter", Prefilter([r.needs for r in self.rules]))
        object.__setattr__(self, "bits", {r.id: 1 << i for i, r in enumerate(self.rules)})

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)


def triage(text: str, rules: TriageRules) -> TriageResult:
    """The referrals ``text`` calls for, with the words that called for them."""
    found: dict[tuple[str, int, int], Match] = {}
    _scan(text, rules.rules, found, None, rules)
    variant = rules.sounds.variant(text) if rules.sounds is not None else None
    if variant is not None:  # a same-sound typo or typed pinyin: read the text as the rules expect
        # Only the sentences holding the rewritten words: cues never look across a sentence end,
        # so elsewhere the second reading would find what the first did (a 500-character call
        # with one typo paid a second full scan, ~0.7 ms). `tests/domain/test_triage_sounds.py`
        # checks the shortcut against a whole second scan on every labelled call.
        at, to = _sentences_around(variant.text, *variant.changed)
        named = {k[0] for k in found}
        window: dict[tuple[str, int, int], Match] = {}
        _scan(variant.text[at:to], rules.rules, window, named, rules)
        heard = {(k[0], k[1] + at, k[2] + at): m for k, m in window.items()}
        if {k[0] for k in heard} - named:
            # What the typo named lets a combination count anywhere ("没气味…。人躺那不动" adds 120).
            combinations = tuple(r for r in rules.rules if r.only_with)
            _scan(variant.text, combinations, heard, named, rules)
        for k, m in heard.items():
            start, end = variant.span(k[1], k[2])
            said = text[start:end]
            found.setdefault(
                (m.target, start, end),
                Match(m.target, said, start, end, m.rule_id, "" if said == m.phrase else m.phrase),
            )
    overruled: tuple[Match, ...] = ()
    if rules.model is not None:
        named = {k[0] for k in found}
        bounds = None
        opinions, ordinary = rules.model.judge(text, named)
        if ordinary:  # the model is sure the whole text needs nobody (round 12's veto)
            overruled = tuple(sorted(found.values(), key=_order))
            found = {}
        for o in opinions:
            bounds = bounds or _Bounds(text)
            # The past, negation, drills, hearsay and hypotheticals silence a guess as they do a rule.
            rid = f"{o.target}.model"
            if not any(c.applies(rid) and c.fires(bounds, o.start, o.end) for c in rules.default_cues):
                found[(o.target, o.start, o.end)] = Match(
                    o.target, text[o.start : o.end], o.start, o.end, f"{o.target}.model"
                )
    matches = tuple(sorted(found.values(), key=_order))
    hit = {m.target for m in matches}
    referrals = tuple(t for t in TARGETS if t in hit)
    rule_ids = tuple(dict.fromkeys(m.rule_id for m in matches))
    return TriageResult(referrals, bool(referrals), matches, rule_ids, overruled)


def _order(m: Match) -> tuple[int, int, int]:
    return m.start, m.end, TARGETS.index(m.target)


def _sentences_around(text: str, lo: int, hi: int) -> tuple[int, int]:
    """The span of the sentences of ``text`` that ``text[lo:hi]`` touches."""
    marks = _BREAKS["sentence"]
    at = max((m.end() for m in marks.finditer(text, 0, lo)), default=0)
    found = marks.search(text, hi)
    return at, found.end() if found else len(text)


def _scan(
    text: str,
    rules: tuple[_Rule, ...],
    found: dict[tuple[str, int, int], Match],
    also: set[str] | None,
    compiled: TriageRules,
) -> None:
    """Add the matches of ``rules`` in ``text`` to ``found``; combinations (``only_with``) run
    last and count beside the targets found so far or in ``also``.

    A combination may call for what another one needs (a storm beside a crash adds 应急, and 应急
    lets "people still inside" add 119), so the combinations run again while they add a target:
    the result is then the same whichever order they stand in, and the same whether a second
    reading scans the whole text or only the sentences around a typo (round 7). A combination
    that has run once is not run again: its matches depend on the text alone, not on what was
    found, so a second run would add nothing (issue 13's speed round). A rule none of whose
    needed words stand in ``text`` (``compiled.prefilter``) cannot match and is not scanned."""
    bounds: _Bounds | None = None  # most texts have no trigger at all: find breaks only when needed
    combinations = tuple(r for r in rules if r.only_with)
    ran: set[str] = set()
    todo: tuple[_Rule, ...] = rules
    may = compiled.prefilter.possible(text)
    while todo:
        bounds, grew = _scan_once(text, todo, found, also, bounds, ran, may, compiled.bits)
        todo = tuple(r for r in combinations if r.id not in ran) if grew else ()


def _scan_once(
    text: str,
    rules: tuple[_Rule, ...],
    found: dict[tuple[str, int, int], Match],
    also: set[str] | None,
    bounds: _Bounds | None,
    ran: set[str],
    may: int,
    bits: dict[str, int],
) -> tuple[_Bounds | None, bool]:
    """One pass of ``rules``; also says whether a combination called for a target not named
    before, and adds to ``ran`` the combinations that ran. A rule whose bit (``bits``) is not in
    ``may`` cannot match ``text``."""
    grew = False
    for rule in rules:
        bit = bits.get(rule.id)
        if bit is not None and not may & bit:
            continue
        named: set[str] = set()
        if rule.only_with:  # only combinations look at what was found (a set per rule would cost)
            named = {k[0] for k in found}
            if not rule.only_with & (named | (also or set())):
                continue
            ran.add(rule.id)
        last_end = 0
        for m in rule.scan.finditer(text):
            start, end = m.span(rule.group)
            if start < last_end:  # the scanner steps one character at a time: no overlaps
                continue
            last_end = end
            if bounds is None:
                bounds = _Bounds(text)
            if rule.requires is not None and not rule.requires.fires(bounds, start, end):
                continue
            if rule.context is not None and not rule.context.holds(bounds, start, end):
                continue
            if _silenced(rule.cues, bounds, start, end):
                continue
            for target in rule.targets:
                if (target, start, end) not in found:  # the first rule to name a span keeps it
                    found[target, start, end] = Match(target, text[start:end], start, end, rule.id)
        if rule.only_with and not grew:
            grew = bool({k[0] for k in found} - named - (also or set()))
    return bounds, grew


def _silenced(cues: tuple[_Cues, ...], bounds: _Bounds, start: int, end: int) -> bool:
    """Whether one of ``cues`` silences ``text[start:end]`` (a loop: cheaper than any() over a
    generator, and this runs ~85 times per 500 characters)."""
    for c in cues:
        if c.fires(bounds, start, end):
            return True
    return False


def parse_rules(toml_text: str, source: str, pinyin: Mapping[str, str] | None = None) -> TriageRules:
    """Parse and validate triage rules (:mod:`.triage_parse`); every error names ``source``, the
    entry and the fix."""
    from .triage_parse import parse  # a cycle: the parser builds this module's types

    return parse(toml_text, source, pinyin)
