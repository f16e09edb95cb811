"""Risk warnings (R31.1): surges against their own baseline, and class cues in what callers said.

Two kinds of warning, both computed from counts and texts handed in (pure: no I/O, no clock):

- **Surge** (突增): the tickets registered today so far, per matter, per place and per lead unit,
  against the same weekday over the past `baseline_weeks` weeks, each counted up to the same time
  of day. Comparing "today until 10:40" with "the last four Mondays until 10:40" keeps the warning
  meaningful at any hour and gives it a stable window (the day), so it can be decided once. A surge
  needs all of: at least `min_count` tickets (1 → 3 is noise, not a surge), at least `ratio` times
  the baseline mean, and more than `spread_k` robust spreads above it. The spread is the median
  absolute deviation scaled to a standard deviation (×1.4826): one unusual past week does not
  hide the next surge the way a plain standard deviation would.
- **Cue** (类别线索): social stability (社会稳定), public safety (公共安全) and integrity (廉政) words in
  the descriptions of tickets registered in the last `cue_days` days, one warning per class and
  day, carrying the ticket numbers as evidence (never names, phones or addresses). A word the
  caller negates ("没有聚集") does not count: the triage rules' negation cue group decides, the same
  one that keeps "不是着火" from calling 119 (`triage.toml [cues.negation]`, reused, not copied).

A warning's id is derived from its kind, key and window, so every seat and the server name the
same warning the same way and a decision on it (acknowledge or dismiss, R31.1) sticks.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from .errors import Misconfigured
from .triage import TriageRulesError
from .triage_cues import Bounds, Cues
from .triage_parse import _parse_cues

__all__ = [
    "DIMENSIONS",
    "CueClass",
    "RiskSource",
    "assess",
    "CueTicket",
    "RiskPolicy",
    "RiskPolicyError",
    "RiskWarning",
    "Windows",
    "cue_warnings",
    "fold_counts",
    "headline",
    "parse_risk_policy",
    "surge_warnings",
    "warning_id",
    "windows",
]

# The dimensions a surge is looked for in, with their Chinese names for the screen.
DIMENSIONS: dict[str, str] = {"matter": "事项", "place": "地点", "unit": "承办单位"}
KINDS: dict[str, str] = {"surge": "突增", "cue": "类别线索"}
MAD_TO_SD = 1.4826  # the median absolute deviation of a normal sample, scaled to its standard deviation


class RiskPolicyError(Misconfigured, ValueError):
    """The [risks] section is unusable; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class CueClass:
    key: str  # stability | safety | integrity (or a site's own)
    name: str  # 社会稳定 …, as the screen shows it
    scan: re.Pattern[str]  # the class's words and patterns, longest first
    ignore: re.Pattern[str] | None  # phrases that contain a word but are not the risk (集体户口)


@dataclass(frozen=True)
class RiskPolicy:
    baseline_weeks: int = 4
    min_count: int = 5
    ratio: float = 2.0
    spread_k: float = 3.0
    cue_days: int = 3
    max_evidence: int = 20
    classes: tuple[CueClass, ...] = ()
    negation: Cues | None = None


@dataclass(frozen=True)
class RiskWarning:
    id: str
    kind: str  # surge | cue
    dimension: str  # matter | place | unit (surge); the class key (cue)
    subject: str  # the matter, place or unit code; the class's name (cue)
    window: date  # the day the warning is about
    count: int  # tickets in the window (surge) or with the cue (cue)
    baseline: float | None = None  # the mean of the past weeks (surge)
    spread: float | None = None  # their robust spread (surge)
    evidence: tuple[str, ...] = ()  # ticket numbers, newest first
    words: tuple[str, ...] = ()  # the cue words found (cue)
    weeks: int = 0  # how many past weeks the baseline covers (surge)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "kind_name": KINDS[self.kind],
            "dimension": self.dimension,
            "subject": self.subject,
            "window": self.window.isoformat(),
            "count": self.count,
            "baseline": None if self.baseline is None else round(self.baseline, 2),
            "spread": None if self.spread is None else round(self.spread, 2),
            "evidence": list(self.evidence),
            "words": list(self.words),
            "weeks": self.weeks,
        }


@dataclass(frozen=True)
class CueTicket:
    """What the cue scan needs of a ticket: no appellant data goes in, so none can come out."""

    number: str
    registered_at: datetime
    description: str


@dataclass(frozen=True)
class Windows:
    """The instants a risk assessment at `now` counts between (aware datetimes)."""

    day: date
    current: tuple[datetime, datetime]
    baseline: tuple[tuple[datetime, datetime], ...] = field(default=())
    cue_since: datetime | None = None


def warning_id(kind: str, dimension: str, subject: str, window: date) -> str:
    """Stable across seats and refreshes: the same kind, key and day give the same id."""
    digest = hashlib.sha1(f"{kind}|{dimension}|{subject}|{window.isoformat()}".encode()).hexdigest()[:8]
    return f"{kind}-{window:%Y%m%d}-{digest}"


def windows(now: datetime, tz: tzinfo, policy: RiskPolicy) -> Windows:
    """Today (in the centre's zone) so far, and the same stretch of the same weekday N weeks back."""
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), time(), tz)
    elapsed = local - start
    past = tuple(
        (start - timedelta(weeks=k), start - timedelta(weeks=k) + elapsed) for k in range(1, policy.baseline_weeks + 1)
    )
    cue_since = start - timedelta(days=policy.cue_days - 1)
    return Windows(local.date(), (start, now), past, cue_since)


def fold_counts(rows: Iterable[tuple[str, str, str | None, int]]) -> dict[tuple[str, str], int]:
    """(matter, place, lead unit, n) groups → a count per (dimension, code)."""
    out: dict[tuple[str, str], int] = {}
    for matter, place, unit, n in rows:
        for dim, code in (("matter", matter), ("place", place), ("unit", unit)):
            if code:
                out[(dim, code)] = out.get((dim, code), 0) + int(n)
    return out


def surge_warnings(
    current: Mapping[tuple[str, str], int],
    history: Sequence[Mapping[tuple[str, str], int]],
    policy: RiskPolicy,
    day: date,
) -> list[RiskWarning]:
    """The surges in `current` (counts per (dimension, code) today so far) against `history`
    (the same counts for each past week's window; a code missing from a week counted 0)."""
    out: list[RiskWarning] = []
    for (dim, code), n in current.items():
        if n < policy.min_count:
            continue
        past = [week.get((dim, code), 0) for week in history]
        mean = statistics.fmean(past) if past else 0.0
        median = statistics.median(past) if past else 0.0
        spread = MAD_TO_SD * statistics.median(abs(x - median) for x in past) if past else 0.0
        # R31.1: above the baseline by the policy's margin on both scales, and never 1 → 3.
        if n >= policy.ratio * mean and n > mean + policy.spread_k * spread:
            out.append(
                RiskWarning(
                    warning_id("surge", dim, code, day), "surge", dim, code, day, n, mean, spread, weeks=len(past)
                )
            )
    out.sort(key=lambda w: (-(w.count - (w.baseline or 0)), w.dimension, w.subject))
    return out


def cue_warnings(tickets: Iterable[CueTicket], policy: RiskPolicy, tz: tzinfo) -> list[RiskWarning]:
    """One warning per cue class and registration day, with the tickets whose description holds
    one of the class's words, not negated, as evidence (newest first, at most `max_evidence`)."""
    found: dict[tuple[str, date], tuple[list[tuple[datetime, str]], dict[str, None]]] = {}
    for t in tickets:
        for cls, words in _classes_in(t.description, policy):
            hits, seen = found.setdefault((cls.key, t.registered_at.astimezone(tz).date()), ([], {}))
            hits.append((t.registered_at, t.number))
            seen.update(dict.fromkeys(words))
    by_key = {c.key: c for c in policy.classes}
    out = []
    for (key, day), (hits, seen_words) in found.items():
        numbers = tuple(dict.fromkeys(n for _, n in sorted(hits, reverse=True)))
        out.append(
            RiskWarning(
                warning_id("cue", "class", key, day),
                "cue",
                key,
                by_key[key].name,
                day,
                len(numbers),
                evidence=numbers[: policy.max_evidence],
                words=tuple(seen_words),
            )
        )
    out.sort(key=lambda w: (-w.window.toordinal(), [c.key for c in policy.classes].index(w.dimension)))
    return out


def _classes_in(text: str, policy: RiskPolicy) -> list[tuple[CueClass, list[str]]]:
    out = []
    bounds: Bounds | None = None
    for cls in policy.classes:
        scanned = cls.ignore.sub(lambda m: " " * len(m.group()), text) if cls.ignore else text
        words = []
        for m in cls.scan.finditer(scanned):
            if policy.negation is not None:
                bounds = bounds or Bounds(text)
                if policy.negation.fires(bounds, m.start(), m.end()):
                    continue
            words.append(m.group())
        if words:
            out.append((cls, words))
    return out


class RiskSource(Protocol):
    """Where the counts and texts come from: the server's projection or a seat's own store.
    Instants are aware datetimes; each store compares them in its own stored form."""

    def counts(self, lo: datetime, hi: datetime) -> Iterable[tuple[str, str, str | None, int]]:
        """(matter, place, lead unit, n) of the tickets registered in [lo, hi)."""

    def numbers(self, dimension: str, code: str, lo: datetime, hi: datetime, limit: int) -> list[str]:
        """Ticket numbers registered in [lo, hi) with `code` as their matter, place or lead unit, newest first."""

    def cue_tickets(self, lo: datetime, hi: datetime) -> Iterable[CueTicket]:
        """The tickets registered in [lo, hi), as the cue scan needs them."""


def assess(source: RiskSource, policy: RiskPolicy, now: datetime, tz: tzinfo) -> list[RiskWarning]:
    """Every warning at `now`: surges first (largest excess first), then cues (newest day first).
    The same function runs on the server and, over its own store, in a seat's overview."""
    w = windows(now, tz, policy)
    current = fold_counts(source.counts(*w.current))
    history = [fold_counts(source.counts(lo, hi)) for lo, hi in w.baseline]
    surges = [
        replace(s, evidence=tuple(source.numbers(s.dimension, s.subject, *w.current, policy.max_evidence)))
        for s in surge_warnings(current, history, policy, w.day)
    ]
    cues = cue_warnings(source.cue_tickets(w.cue_since or w.current[0], now), policy, tz) if policy.classes else []
    return surges + cues


def headline(w: Mapping[str, Any], name_of: Callable[[str, str], str]) -> str:
    """One line in Chinese for a warning in its JSON form; `name_of(dimension, code)` names a
    matter, place or unit from the taxonomy. The CLI, the API's readers and the overview share it."""
    if w["kind"] == "surge":
        base = w.get("baseline") or 0.0
        return (
            f"{DIMENSIONS[w['dimension']]}「{name_of(w['dimension'], w['subject'])}」今日登记 {w['count']} 件，"
            f"前 {w.get('weeks') or 0} 周同一星期同一时段平均 {base:.1f} 件"
        )
    words = "、".join(w.get("words") or ())
    return f"{w['subject']}类线索：{w['window']} 共 {w['count']} 件" + (f"（{words}）" if words else "")


# --- the [risks] section of the policy file -------------------------------------------------------

_KEYS = {"baseline_weeks", "min_count", "ratio", "spread_k", "cue_days", "max_evidence", "cues"}
_CLASS_KEYS = {"name", "phrases", "patterns", "ignore"}


def parse_risk_policy(policy_text: str, source: str, negation: Mapping[str, Any] | None = None) -> RiskPolicy:
    """The [risks] section of the policy file. `negation` is the triage rules' [cues.negation]
    table (the loader reads it from triage.toml), so a negated cue word reads the same everywhere."""
    try:
        doc = tomllib.loads(policy_text)
    except tomllib.TOMLDecodeError as exc:
        raise RiskPolicyError(f"{source}: not valid TOML: {exc}") from None
    table = doc.get("risks", {})
    if not isinstance(table, dict):
        raise RiskPolicyError(f"{source}: [risks] must be a table")
    unknown = set(table) - _KEYS
    if unknown:
        raise RiskPolicyError(
            f"{source}: risks: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_KEYS))}"
        )
    d = RiskPolicy()
    weeks = _number(table, "baseline_weeks", d.baseline_weeks, source, whole=True, low=1, high=52)
    classes = []
    for key, body in (table.get("cues") or {}).items():
        classes.append(_cue_class(key, body, f"{source}: risks.cues.{key}"))
    neg = None
    if negation is not None:
        try:
            neg = _parse_cues(dict(negation), "negation", f"{source}: negation cues")
        except TriageRulesError as exc:
            raise RiskPolicyError(str(exc)) from None
    return RiskPolicy(
        baseline_weeks=int(weeks),
        min_count=int(_number(table, "min_count", d.min_count, source, whole=True, low=1, high=100_000)),
        ratio=_number(table, "ratio", d.ratio, source, low=1.0, high=1000.0),
        spread_k=_number(table, "spread_k", d.spread_k, source, low=0.0, high=100.0),
        cue_days=int(_number(table, "cue_days", d.cue_days, source, whole=True, low=1, high=31)),
        max_evidence=int(_number(table, "max_evidence", d.max_evidence, source, whole=True, low=1, high=1000)),
        classes=tuple(classes),
        negation=neg,
    )


def _cue_class(key: str, body: Any, where: str) -> CueClass:
    if not isinstance(body, dict) or set(body) - _CLASS_KEYS:
        raise RiskPolicyError(f"{where}: must be a table with keys {', '.join(sorted(_CLASS_KEYS))}")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise RiskPolicyError(f"{where}: 'name' must be the class's Chinese name, like \"社会稳定\"")
    lists = {}
    for k in ("phrases", "patterns", "ignore"):
        value = body.get(k, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise RiskPolicyError(f"{where}: '{k}' must be a list of non-empty strings")
        lists[k] = value
    alternatives = [re.escape(p) for p in sorted(set(lists["phrases"]), key=len, reverse=True)] + [
        f"(?:{p})" for p in lists["patterns"]
    ]
    if not alternatives:
        raise RiskPolicyError(f"{where}: give at least one entry in 'phrases' or 'patterns'")
    try:
        scan = re.compile("|".join(alternatives))
        ignore = re.compile("|".join(re.escape(p) for p in lists["ignore"])) if lists["ignore"] else None
    except re.error as exc:
        raise RiskPolicyError(f"{where}: a pattern is not a valid regular expression ({exc})") from None
    if scan.match(""):
        raise RiskPolicyError(f"{where}: a pattern matches empty text; make each require at least one character")
    return CueClass(key, name, scan, ignore)


def _number(
    table: Mapping[str, Any], key: str, default: float, source: str, *, whole: bool = False, low: float, high: float
) -> float:
    value = table.get(key, default)
    ok = isinstance(value, int) if whole else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise RiskPolicyError(f"{source}: risks.{key}: must be {kind} from {low:g} to {high:g} (got {value!r})")
    return float(value)
