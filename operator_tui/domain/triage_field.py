"""Triage in the field (R20.3, issue 13): what the emergency banner says on the centre's own
tickets, against what the operator recorded with F9.

The labelled sets were written by outside authors and the rules were tuned on some of them; the
centre's real calls are the data nobody tuned on. Per ticket and referral target:

- 确认 (confirmed): the banner calls for the target and the operator referred it (已转接/已告知拨打);
- 误报 (declared false alarm): the operator recorded 误报 for it, whatever the banner says now;
- 漏报 (missed): the operator referred it and the banner does not call for it;
- 未处置 (unanswered): the banner calls for it and nothing at all was recorded for it.

The operator's last record for a target counts: a 误报 followed by a transfer (the caller called
back) is a referral, a transfer followed by 误报 (a prank found out) is a false alarm.

What the second opinion's veto (round 12) costs: when it reads a whole text as ordinary, the rules'
targets are withdrawn and the seat shows their words as a grey hint instead of the alarm. A target
withdrawn so that the operator referred anyway is 漏报 like any other (the alarm did not go up), and
is also listed apart as 否决后转介 (`overruled_referred`), so supervisors can see the veto's share of
the misses; `hinted_tickets` counts the tickets that now show the grey hint at all.

Figures are kept as running sums (`FieldTally.add`), so the server can read a year of tickets in
batches; every category lists ticket numbers only, never words. Pure: the banner is `triage()`
with the rules passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .redact import Known, redact
from .triage import TARGET_NAMES, TARGETS, TriageRules, triage

__all__ = [
    "CATEGORIES",
    "DISAGREEMENTS",
    "OVERRULED_REFERRED",
    "FieldReport",
    "FieldTally",
    "FieldTicket",
    "TargetFigures",
    "Verdict",
    "export_line",
    "judge",
]

CATEGORIES: dict[str, str] = {"confirmed": "确认", "missed": "漏报", "false_alarm": "误报", "unanswered": "未处置"}
# Not a category of its own: a subset of 漏报, so the categories still add up per (ticket, target).
OVERRULED_REFERRED = "否决后转介"
DISAGREEMENTS: tuple[str, ...] = ("missed", "false_alarm", "unanswered")  # what maintainers learn from
REFERRED: frozenset[str] = frozenset({"transferred", "told_to_dial"})


@dataclass(frozen=True)
class FieldTicket:
    number: str
    registered_at: datetime
    description: str
    referrals: tuple[tuple[str, str], ...]  # (target, outcome), in the order they were recorded


@dataclass(frozen=True)
class Verdict:
    """One ticket judged: the banner's targets, the operator's, and each target's category."""

    number: str
    banner: tuple[str, ...]
    referred: tuple[str, ...]  # the operator's last word was 已转接 or 已告知拨打
    declared_false: tuple[str, ...]  # the operator's last word was 误报
    categories: dict[str, str]  # target → category key (targets in neither are absent)
    overruled: tuple[str, ...] = ()  # the rules named it, the second opinion withdrew it (TARGETS order)

    @property
    def hinted(self) -> bool:
        """The seat shows the grey hint: the banner is down and the rules' words were overruled."""
        return not self.banner and bool(self.overruled)

    @property
    def overruled_referred(self) -> tuple[str, ...]:
        """Targets the veto withdrew and the operator referred anyway: the veto's misses."""
        return tuple(t for t in self.overruled if self.categories.get(t) == "missed")

    @property
    def disagrees(self) -> bool:
        return any(c in DISAGREEMENTS for c in self.categories.values())

    @property
    def doubtful(self) -> bool:
        """The banner went up and the operator declared it false or did nothing with it."""
        return bool(self.banner) and any(c in ("false_alarm", "unanswered") for c in self.categories.values())


def judge(ticket: FieldTicket, rules: TriageRules) -> Verdict:
    result = triage(ticket.description, rules)
    banner = result.referrals
    withdrawn = {m.target for m in result.overruled}
    last: dict[str, str] = {}
    for target, outcome in ticket.referrals:
        last[target] = outcome
    categories: dict[str, str] = {}
    for target in TARGETS:
        said = last.get(target)
        if said == "false_alarm":
            categories[target] = "false_alarm"
        elif said in REFERRED:
            categories[target] = "confirmed" if target in banner else "missed"
        elif said is None and target in banner:
            categories[target] = "unanswered"
    return Verdict(
        number=ticket.number,
        banner=banner,
        referred=tuple(t for t in TARGETS if last.get(t) in REFERRED),
        declared_false=tuple(t for t in TARGETS if last.get(t) == "false_alarm"),
        categories=categories,
        overruled=tuple(t for t in TARGETS if t in withdrawn),
    )


@dataclass
class TargetFigures:
    """One target's counts (a ticket counts once per target) and the ticket numbers behind them."""

    numbers: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    overruled_referred: list[str] = field(default_factory=list)  # of numbers["missed"]: withdrawn by the veto

    def count(self, category: str) -> int:
        return len(self.numbers[category])

    @property
    def recall(self) -> float | None:
        """现场召回率: of the referrals the operator made, the share the banner called for."""
        found, missed = self.count("confirmed"), self.count("missed")
        return found / (found + missed) if found + missed else None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            **{c: self.count(c) for c in CATEGORIES},
            "recall": self.recall,
            "numbers": {c: list(v) for c, v in self.numbers.items()},
            "overruled_referred": len(self.overruled_referred),
            "overruled_referred_numbers": list(self.overruled_referred),
        }


@dataclass(frozen=True)
class FieldReport:
    tickets: int  # tickets read in the period
    banner_tickets: int  # tickets the banner raises on now
    referred_tickets: int  # tickets with at least one referral made
    doubtful_tickets: int  # of banner_tickets: at least one 误报 or 未处置 target
    hinted_tickets: int  # the banner is down and shows the overruled words as a grey hint
    targets: dict[str, TargetFigures]
    total: TargetFigures  # every (ticket, target) pair: counts are sums over the targets

    @property
    def doubtful_share(self) -> float | None:
        return self.doubtful_tickets / self.banner_tickets if self.banner_tickets else None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "banner_tickets": self.banner_tickets,
            "referred_tickets": self.referred_tickets,
            "doubtful_tickets": self.doubtful_tickets,
            "doubtful_share": self.doubtful_share,
            "hinted_tickets": self.hinted_tickets,
            "categories": dict(CATEGORIES),
            "targets": {t: {"name": TARGET_NAMES[t], **f.to_json_dict()} for t, f in self.targets.items()},
            "total": self.total.to_json_dict(),
        }


class FieldTally:
    """The running sums; `add` each verdict as its batch is read, `report()` at the end."""

    def __init__(self) -> None:
        self.tickets = self.banner_tickets = self.referred_tickets = self.doubtful_tickets = 0
        self.hinted_tickets = 0
        self.targets = {t: TargetFigures() for t in TARGETS}
        self.total = TargetFigures()

    def add(self, verdict: Verdict) -> None:
        self.tickets += 1
        self.banner_tickets += bool(verdict.banner)
        self.referred_tickets += bool(verdict.referred)
        self.doubtful_tickets += verdict.doubtful
        self.hinted_tickets += verdict.hinted
        for target, category in verdict.categories.items():
            self.targets[target].numbers[category].append(verdict.number)
            # The total counts (ticket, target) pairs, so a ticket missed on two targets counts twice.
            self.total.numbers[category].append(verdict.number)
        for target in verdict.overruled_referred:
            self.targets[target].overruled_referred.append(verdict.number)
            self.total.overruled_referred.append(verdict.number)

    def add_all(self, verdicts: Iterable[Verdict]) -> FieldTally:
        for v in verdicts:
            self.add(v)
        return self

    def report(self) -> FieldReport:
        return FieldReport(
            self.tickets,
            self.banner_tickets,
            self.referred_tickets,
            self.doubtful_tickets,
            self.hinted_tickets,
            self.targets,
            self.total,
        )


def export_line(verdict: Verdict, description: str, known: Known) -> dict[str, Any]:
    """A disagreement in the labelled sets' line shape (tests/data/README.md), the caller's words
    redacted of what the ticket knows of the appellant and of what redaction recognises. Still
    callers' words: a person reviews the lines before they tune anything, and they are never a
    hold-out (the rules will be changed on them)."""
    return {
        "id": verdict.number,
        "kind": "field",
        "text": redact(description, known).text,
        "expect": sorted(verdict.referred),
        "banner": sorted(verdict.banner),
        "false_alarm": sorted(verdict.declared_false),
        "overruled": sorted(verdict.overruled),
    }
