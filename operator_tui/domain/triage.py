"""Emergency triage of what the operator types (R20.3, 《条例》第二十条).

Natural disasters, accident disasters, public-health and social-security events go at once to the
emergency departments (应急); a life-threatening call goes to 110, 119, 120 or 122. The seat runs
:func:`triage` on every keystroke, so the rules are compiled once by :func:`parse_rules` and a call
costs a handful of precompiled regex scans (well under 2 ms for 500 characters).

(About 590 lines, over the project's usual size: the rule language's parser and its matcher have
changed together every round. The sound matching lives apart in ``triage_sounds.py``, where a cue
looks in ``triage_cues.py``; the parser, from "parsing and validation" down, is the next piece to
move out, with the rule types it builds.)

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
  match's ``rule_id`` is ``<target>.model``.

Pure: no I/O, no clock; the loader (``operator_tui.triage_rules``) hands in the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Misconfigured
from .regex_first import first_chars
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
_RULE_ID = re.compile(r"^(110|119|120|122|应急)\.[a-z][a-z0-9_]*$")
_CUE_KEYS = {
    "scope",
    "before",
    "before_window",
    "after",
    "after_window",
    "exceptions",
    "cancel",
    "cancel_after",
    "both",
    "for_rules",
    "inside_exceptions",
}
_RULE_KEYS = {
    "id",
    "targets",
    "what",
    "phrases",
    "patterns",
    "suppress",
    "unless_before",
    "unless_after",
    "unless_window",
    "unless_scope",
    "require_before",
    "require_window",
    "require_scope",
    "context",
    "context_window",
    "context_scope",
    "only_with",
}


class _AnySyllable(dict[str, str]):
    """Stands in for the syllable table when none is given: shape checks pass, nothing is matched."""

    def __contains__(self, key: object) -> bool:
        return True


_ANY_SYLLABLE = _AnySyllable()


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

    def phrases(self, target: str) -> tuple[str, ...]:
        """The distinct words that called for ``target``, in text order."""
        return tuple(dict.fromkeys(m.phrase for m in self.matches if m.target == target))

    def to_json_dict(self) -> dict[str, Any]:
        """The shape ``hotline triage --json`` prints and other tools rely on (issue 5)."""
        return {
            "referrals": list(self.referrals),
            "emergency": self.emergency,
            "matches": [
                {
                    "target": m.target,
                    "phrase": m.phrase,
                    "start": m.start,
                    "end": m.end,
                    "rule_id": m.rule_id,
                    "heard_as": m.heard_as,
                }
                for m in self.matches
            ],
            "rule_ids": list(self.rule_ids),
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


def _scanner(alternatives: str) -> tuple[re.Pattern[str], int]:
    """A regex that finds ``alternatives`` fast.

    Python's regex engine skips ahead with a character-set scan only when every alternative starts
    with a plain character; with patterns among the phrases it tries all ~100 alternatives at every
    position (4 ms per 500 characters for the whole rule set). So the set F of characters a trigger
    can start with is read from the pattern text (:mod:`.regex_first`) and put in front: ``[F](?<=(?=(ALTS)).)``
    consumes one character of F and looks ahead from it for the real trigger, in group 1.
    """
    alternatives = _uncaptured(alternatives)  # only the whole match is used; groups cost time
    first, nullable = first_chars(alternatives)
    if first is None or nullable or re.compile(alternatives).flags & re.IGNORECASE:  # F is per case
        return re.compile(alternatives), 0
    charset = "".join(re.escape(c) for c in sorted(first))
    return re.compile(f"[{charset}](?<=(?=({alternatives})).)"), 1


def _uncaptured(pattern: str) -> str:
    """``pattern`` with every ``(`` that opens a capturing group turned into ``(?:``."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]" or out[-1] in ("[", "[^")
        elif c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
        elif c == "(" and not pattern.startswith("(?", i):
            c = "(?:"
        out.append(c)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class TriageRules:
    """Compiled, validated rules; build with :func:`parse_rules`."""

    rules: tuple[_Rule, ...]
    source: str
    sounds: Sounds | None = None
    model: SecondOpinion | None = None  # adds targets the rules missed (triage_model.py)
    default_cues: tuple[_Cues, ...] = ()  # `default_suppress`: they silence the model's guesses too

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)


def triage(text: str, rules: TriageRules) -> TriageResult:
    """The referrals ``text`` calls for, with the words that called for them."""
    found: dict[tuple[str, int, int], Match] = {}
    _scan(text, rules.rules, found, None)
    variant = rules.sounds.variant(text) if rules.sounds is not None else None
    if variant is not None:  # a same-sound typo or typed pinyin: read the text as the rules expect
        # Only the sentences holding the rewritten words: cues never look across a sentence end,
        # so elsewhere the second reading would find what the first did (a 500-character call
        # with one typo paid a second full scan, ~0.7 ms). `tests/domain/test_triage_sounds.py`
        # checks the shortcut against a whole second scan on every labelled call.
        at, to = _sentences_around(variant.text, *variant.changed)
        named = {k[0] for k in found}
        window: dict[tuple[str, int, int], Match] = {}
        _scan(variant.text[at:to], rules.rules, window, named)
        heard = {(k[0], k[1] + at, k[2] + at): m for k, m in window.items()}
        if {k[0] for k in heard} - named:
            # What the typo named lets a combination count anywhere ("没气味…。人躺那不动" adds 120).
            combinations = tuple(r for r in rules.rules if r.only_with)
            _scan(variant.text, combinations, heard, named)
        for k, m in heard.items():
            start, end = variant.span(k[1], k[2])
            said = text[start:end]
            found.setdefault(
                (m.target, start, end),
                Match(m.target, said, start, end, m.rule_id, "" if said == m.phrase else m.phrase),
            )
    if rules.model is not None:
        named = {k[0] for k in found}
        bounds = None
        for o in rules.model.opinions(text):
            if o.target in named:
                continue
            bounds = bounds or _Bounds(text)
            # The past, negation, drills, hearsay and hypotheticals silence a guess as they do a rule.
            rid = f"{o.target}.model"
            if not any(c.applies(rid) and c.fires(bounds, o.start, o.end) for c in rules.default_cues):
                found[(o.target, o.start, o.end)] = Match(
                    o.target, text[o.start : o.end], o.start, o.end, f"{o.target}.model"
                )
    matches = tuple(sorted(found.values(), key=lambda m: (m.start, m.end, TARGETS.index(m.target))))
    hit = {m.target for m in matches}
    referrals = tuple(t for t in TARGETS if t in hit)
    return TriageResult(referrals, bool(referrals), matches, tuple(dict.fromkeys(m.rule_id for m in matches)))


def _sentences_around(text: str, lo: int, hi: int) -> tuple[int, int]:
    """The span of the sentences of ``text`` that ``text[lo:hi]`` touches."""
    marks = _BREAKS["sentence"]
    at = max((m.end() for m in marks.finditer(text, 0, lo)), default=0)
    found = marks.search(text, hi)
    return at, found.end() if found else len(text)


def _scan(text: str, rules: tuple[_Rule, ...], found: dict[tuple[str, int, int], Match], also: set[str] | None) -> None:
    """Add the matches of ``rules`` in ``text`` to ``found``; combinations (``only_with``) run
    last and count beside the targets found so far or in ``also``.

    A combination may call for what another one needs (a storm beside a crash adds 应急, and 应急
    lets "people still inside" add 119), so the combinations run again while they add a target:
    the result is then the same whichever order they stand in, and the same whether a second
    reading scans the whole text or only the sentences around a typo (round 7)."""
    bounds: _Bounds | None = None  # most texts have no trigger at all: find breaks only when needed
    combinations = tuple(r for r in rules if r.only_with)
    todo: tuple[_Rule, ...] = rules
    while todo:
        bounds, grew = _scan_once(text, todo, found, also, bounds)
        todo = combinations if grew else ()


def _scan_once(
    text: str,
    rules: tuple[_Rule, ...],
    found: dict[tuple[str, int, int], Match],
    also: set[str] | None,
    bounds: _Bounds | None,
) -> tuple[_Bounds | None, bool]:
    """One pass of ``rules``; also says whether a combination called for a target not named before."""
    grew = False
    for rule in rules:
        named: set[str] = set()
        if rule.only_with:  # only combinations look at what was found (a set per rule would cost)
            named = {k[0] for k in found}
            if not rule.only_with & (named | (also or set())):
                continue
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
            if any(c.fires(bounds, start, end) for c in rule.cues):
                continue
            for target in rule.targets:
                found.setdefault((target, start, end), Match(target, text[start:end], start, end, rule.id))
        if rule.only_with and not grew:
            grew = bool({k[0] for k in found} - named - (also or set()))
    return bounds, grew


# --- parsing and validation -------------------------------------------------------------------


def parse_rules(toml_text: str, source: str, pinyin: Mapping[str, str] | None = None) -> TriageRules:
    """Parse and validate triage rules; every error names ``source``, the entry and the fix.

    ``pinyin`` (syllable → characters, ``data/pinyin_syllables.json``) turns on the ``[sounds]``
    words; without it they are checked for shape only and the rules match characters alone.
    """
    try:
        doc = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise TriageRulesError(f"{source}: not valid TOML: {exc}; fix the syntax there") from None
    _unknown_keys(doc, {"version", "default_suppress", "cues", "rule", "sounds"}, f"{source}: top level")
    if doc.get("version") != 1:
        raise TriageRulesError(f"{source}: top level: 'version' must be 1 (got {doc.get('version')!r})")
    cue_tables = doc.get("cues", {})
    if not isinstance(cue_tables, dict):
        raise TriageRulesError(f"{source}: 'cues' must be a table of [cues.<name>] sections")
    cues = {name: _parse_cues(body, name, f"{source}: cues '{name}'") for name, body in cue_tables.items()}
    default = _str_list(doc, "default_suppress", f"{source}: top level")
    for name in default:
        if name not in cues:
            raise TriageRulesError(
                f"{source}: top level: default_suppress names '{name}', which has no [cues.{name}] section"
            )
    entries = doc.get("rule")
    if not isinstance(entries, list) or not entries:
        raise TriageRulesError(f"{source}: no rules; add [[rule]] entries with id, targets and phrases")
    rules: list[_Rule] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        rule = _parse_rule(entry, n, source, cues, default)
        if rule.id in seen:
            raise TriageRulesError(f"{source}: rule '{rule.id}': the id is used twice; give each rule its own id")
        seen.add(rule.id)
        rules.append(rule)
    for rule in rules:
        if rule.only_with and not any(set(other.targets) & rule.only_with for other in rules if not other.only_with):
            raise TriageRulesError(
                f"{source}: rule '{rule.id}': 'only_with' names {sorted(rule.only_with)}, which no other rule calls for"
            )
    rules.sort(key=lambda r: bool(r.only_with))  # combinations last: they look at what was found
    sounds = None
    if "sounds" in doc:
        body = doc["sounds"]
        if not isinstance(body, dict) or set(body) - {"words"}:
            raise TriageRulesError(f"{source}: [sounds] holds one key, 'words'")
        table = pinyin if pinyin is not None else _ANY_SYLLABLE
        sounds = Sounds.build(body.get("words", []), table, f"{source}: [sounds]", TriageRulesError)
        if pinyin is None:
            sounds = None
    return TriageRules(tuple(rules), source, sounds, None, tuple(cues[name] for name in default))


def _parse_rule(entry: Any, n: int, source: str, cues: dict[str, _Cues], default: list[str]) -> _Rule:
    if not isinstance(entry, dict):
        raise TriageRulesError(f"{source}: rule #{n}: must be a [[rule]] table")
    rid = entry.get("id")
    where = f"{source}: rule '{rid}'" if isinstance(rid, str) and rid else f"{source}: rule #{n}"
    if not isinstance(rid, str) or not _RULE_ID.match(rid):
        raise TriageRulesError(
            f"{where}: 'id' must look like '119.fire': a target ({', '.join(TARGETS)}), a dot, a lower-case name"
        )
    _unknown_keys(entry, _RULE_KEYS, where)
    targets = _str_list(entry, "targets", where)
    if not targets or any(t not in TARGETS for t in targets) or len(set(targets)) != len(targets):
        raise TriageRulesError(
            f"{where}: 'targets' must list distinct codes among {', '.join(TARGETS)} (got {targets!r})"
        )
    if rid.split(".")[0] not in targets:
        raise TriageRulesError(f"{where}: the id's prefix '{rid.split('.')[0]}' must be one of its targets {targets!r}")
    phrases = _str_list(entry, "phrases", where)
    patterns = _str_list(entry, "patterns", where)
    if not phrases and not patterns:
        raise TriageRulesError(
            f"{where}: give at least one entry in 'phrases' (plain words) or 'patterns' (regular expressions)"
        )
    # Longest phrase first, so that "着火了" is reported rather than its prefix "着火".
    alternatives = [re.escape(p) for p in sorted(set(phrases), key=len, reverse=True)]
    for i, pat in enumerate(patterns):
        compiled = _compile([pat], f"{where}: patterns[{i}]")
        if compiled is not None and compiled.match(""):
            raise TriageRulesError(
                f"{where}: patterns[{i}] '{pat}' matches empty text; make it require at least one character"
            )
        if compiled is not None and compiled.groups and re.search(r"\\[1-9]|\(\?P=", pat):
            raise TriageRulesError(
                f"{where}: patterns[{i}] '{pat}' refers back to a group; backreferences are not supported"
            )
        alternatives.append(f"(?:{pat})")
    scan, group = _scanner("|".join(alternatives))
    names = _str_list(entry, "suppress", where) if "suppress" in entry else default
    chosen = []
    for name in names:
        if name not in cues:
            raise TriageRulesError(
                f"{where}: 'suppress' names '{name}', which has no [cues.{name}] section (known: {', '.join(cues)})"
            )
        if cues[name].applies(rid):
            chosen.append(cues[name])
    if "unless_before" in entry or "unless_after" in entry:
        window = _window(entry, "unless_window", where, 10)
        own = {
            "scope": entry.get("unless_scope", "clause"),
            "before": entry.get("unless_before", []),
            "after": entry.get("unless_after", []),
            "before_window": window,
            "after_window": window,
        }
        chosen.append(_parse_cues(own, "unless", where))
    elif "unless_window" in entry or "unless_scope" in entry:
        raise TriageRulesError(f"{where}: 'unless_window'/'unless_scope' need 'unless_before' or 'unless_after'")
    requires = None
    if "require_before" in entry:
        # A rare trigger word checked for a common context word is much cheaper to find than
        # the context word followed by a long gap (see _scanner).
        own = {
            "scope": entry.get("require_scope", "sentence"),
            "before": entry["require_before"],
            "before_window": _window(entry, "require_window", where, 30),
            "after_window": 0,
        }
        requires = _parse_cues(own, "require", where)
        if requires.before is None:
            raise TriageRulesError(f"{where}: 'require_before' must list at least one context word")
    elif "require_window" in entry or "require_scope" in entry:
        raise TriageRulesError(f"{where}: 'require_window'/'require_scope' need 'require_before'")
    context = None
    if "context" in entry:
        needs = _str_list(entry, "context", where)
        if not needs:
            raise TriageRulesError(f"{where}: 'context' must list at least one regular expression")
        scope = entry.get("context_scope", "sentence")
        if scope not in _BREAKS:
            raise TriageRulesError(f'{where}: \'context_scope\' must be "clause" or "sentence", got {scope!r}')
        context = _Context(
            tuple(_compile([n], f"{where}: context") for n in needs),  # type: ignore[misc]
            _window(entry, "context_window", where, 40),
            scope,
        )
    elif "context_window" in entry or "context_scope" in entry:
        raise TriageRulesError(f"{where}: 'context_window'/'context_scope' need 'context'")
    only_with = _str_list(entry, "only_with", where)
    if any(t not in TARGETS for t in only_with):
        raise TriageRulesError(f"{where}: 'only_with' must list codes among {', '.join(TARGETS)} (got {only_with!r})")
    return _Rule(rid, tuple(targets), scan, group, tuple(chosen), requires, context, frozenset(only_with))


def _parse_cues(body: Any, name: str, where: str) -> _Cues:
    if not isinstance(body, dict):
        raise TriageRulesError(f"{where}: must be a table with before/after cue lists")
    _unknown_keys(body, _CUE_KEYS, where)
    scope = body.get("scope", "clause")
    if scope not in _BREAKS:
        raise TriageRulesError(
            f'{where}: \'scope\' must be "clause" (up to a comma) or "sentence" (up to 。！？), got {scope!r}'
        )
    before_window, after_window = _window(body, "before_window", where, 8), _window(body, "after_window", where, 8)
    return _Cues(
        name=name,
        scope=scope,
        before=_compile(_str_list(body, "before", where), f"{where}: before") if before_window else None,
        before_window=before_window,
        after=_compile(_str_list(body, "after", where), f"{where}: after") if after_window else None,
        after_window=after_window,
        exceptions=_compile(_str_list(body, "exceptions", where), f"{where}: exceptions"),
        cancel=_compile(_str_list(body, "cancel", where), f"{where}: cancel"),
        cancel_after=_window(body, "cancel_after", where, 0),
        both=_both(body, where),
        for_rules=tuple(_str_list(body, "for_rules", where)),
        inside_exceptions=_compile(_str_list(body, "inside_exceptions", where), f"{where}: inside_exceptions"),
    )


def _both(body: dict[str, Any], where: str) -> bool:
    both = body.get("both", False)
    if not isinstance(both, bool):
        raise TriageRulesError(f"{where}: 'both' must be true or false (got {both!r})")
    if both and not (body.get("before") and body.get("after")):
        raise TriageRulesError(f"{where}: 'both = true' needs cue words in both 'before' and 'after'")
    return both


def _compile(items: list[str], where: str) -> re.Pattern[str] | None:
    if not items:
        return None
    try:
        return re.compile("|".join(f"(?:{i})" for i in items))
    except re.error:
        pass  # find the item to blame, so the message names it (compiling each costs start-up time)
    for i, item in enumerate(items):
        try:
            re.compile(item)
        except re.error as exc:
            raise TriageRulesError(
                f"{where}[{i}]: '{item}' is not a valid regular expression ({exc}); "
                "escape special characters such as ( ) [ ] . * + ? with a backslash"
            ) from None
    raise TriageRulesError(f"{where}: the patterns do not combine into one expression; check for unbalanced ( )")


def _str_list(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TriageRulesError(f'{where}: \'{key}\' must be a list of non-empty strings, like ["着火", "起火"]')
    return value


def _window(table: dict[str, Any], key: str, where: str, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 200:
        raise TriageRulesError(f"{where}: '{key}' must be a whole number of characters from 0 to 200 (got {value!r})")
    return value


def _unknown_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise TriageRulesError(f"{where}: unknown key '{key}'; allowed keys are {', '.join(sorted(allowed))}")
