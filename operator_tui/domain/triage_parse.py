"""Parsing and validating the triage rules file (``operator_tui/data/triage.toml``; issue 5, 13).

Split from triage.py, which runs the rules: here the TOML becomes compiled rules, cue groups, the
sound words and the model, and every mistake in the file becomes one message that names the file,
the entry and the fix (:class:`~.triage.TriageRulesError`). :func:`~.triage.parse_rules` is the
public door; it calls :func:`parse`.

Pure: the loader (``operator_tui.triage_rules``) hands in the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

from .regex_needs import needs as _needs
from .regex_scan import scanner as _scanner  # the rules' triggers are found with it
from .triage import TARGETS, TriageRules, TriageRulesError, _Context, _Rule
from .triage_cues import BREAKS as _BREAKS
from .triage_cues import Cues as _Cues
from .triage_sounds import Sounds

__all__ = ["parse"]

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


# --- parsing and validation -------------------------------------------------------------------


def parse(toml_text: str, source: str, pinyin: Mapping[str, str] | None = None) -> TriageRules:
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
    wanted = _needs("|".join(alternatives))  # a text holding none of these is not scanned
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
    return _Rule(rid, tuple(targets), scan, group, tuple(chosen), requires, context, frozenset(only_with), wanted)


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
