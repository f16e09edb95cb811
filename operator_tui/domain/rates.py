"""The assessment rates (R35.1): 按时办结率, 解决率, 满意率 and, where the policy defines it, 响应率.

Two halves, both pure:
- `rate_facts(ticket, ...)`: what one ticket contributes — for each rate whether it is counted, on
  which local day, and whether it met the rate. The server stores these as columns of its ticket
  projection, so that a rate over any period is a plain SUM/COUNT … GROUP BY in SQL.
- The shapes every reader shares (`RateFigure`, `RateLine`, `RateReport`) and the arithmetic that
  turns counts into a report (values, ranks, period-over-period change).

The definitions themselves (thresholds, the response limit, what is excluded) are the policy file's
`[rates]` section, read by `parse_rate_rules`; each key there cites the rule it serves.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from .deadlines import Clocks, limit_clock, pauses_of
from .periods import Period
from .policy import LIMIT_UNITS, Limit, PolicyError
from .states import Status
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    from .model import Ticket

# The order rates are shown in, and their names on screen and in reports.
RATES: tuple[str, ...] = ("on_time", "resolution", "satisfaction", "response")
RATE_NAMES: dict[str, str] = {
    "on_time": "按时办结率",
    "resolution": "解决率",
    "satisfaction": "满意率",
    "response": "响应率",
}
# What each line is grouped by, and what the office calls it.
GROUPINGS: dict[str, str] = {
    "unit": "承办单位",
    "district": "区县",
    "matter": "诉求事项",
    "operator": "话务员",
    "all": "全市",
}

# Tickets closed at intake (R20.1, R20.2, R20.5/R20.6): the centre's own, never a unit's.
INTAKE_CLOSURES: dict[Status, str] = {
    Status.ANSWERED: "answered_on_spot",
    Status.REFUSED: "refused",
    Status.ADVISED: "advised",
}
# A unit has given its result (R21.1) and it stands: the on-time rate counts the ticket.
RESPONDED = frozenset(
    {Status.RESPONDED, Status.AWAITING_CALLBACK, Status.RATED, Status.RATING_DISPUTED, Status.RERATED, Status.ARCHIVED}
)


@dataclass(frozen=True)
class RateRules:
    """The `[rates]` section of the policy file (defaults: the packaged policy)."""

    resolved_min_result: int = 4
    satisfied_min_overall: int = 4
    response_limit: Limit | None = Limit("workdays", 1)
    # Named exclusions: "refused", "advised", "answered_on_spot", "disputed_ratings".
    exclude: frozenset[str] = frozenset({"refused", "advised", "answered_on_spot", "disputed_ratings"})

    @property
    def rates(self) -> tuple[str, ...]:
        """The rates defined: response only where the policy gives its limit."""
        return tuple(r for r in RATES if r != "response" or self.response_limit is not None)


EXCLUSIONS = ("refused", "advised", "answered_on_spot", "disputed_ratings")


def parse_rate_rules(text: str, source: str) -> RateRules:
    """The `[rates]` section of a policy file's text; a missing section means the defaults."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    section = doc.get("rates", {})
    if not isinstance(section, dict):
        raise PolicyError(f"{source}: [rates] must be a table")
    d = RateRules()

    def stars(key: str, default: int) -> int:
        v = section.get(key, default)
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5:
            raise PolicyError(f"{source}: rates.{key}: must be a number of stars, 1–5")
        return v

    limit: Limit | None = d.response_limit
    if "response_limit" in section:
        row = section["response_limit"]
        if row is False:
            limit = None  # the response rate is not defined at this site
        elif (
            not isinstance(row, dict)
            or row.get("unit") not in LIMIT_UNITS
            or not isinstance(row.get("value"), int)
            or isinstance(row.get("value"), bool)
            or row["value"] <= 0
        ):
            raise PolicyError(
                f'{source}: rates.response_limit: must be {{ unit = "workdays"|"hours"|…, value = N }} or false'
            )
        else:
            limit = Limit(row["unit"], row["value"])
    excluded = set(d.exclude)
    for name in EXCLUSIONS:
        key = f"exclude_{name}"
        if key in section:
            if not isinstance(section[key], bool):
                raise PolicyError(f"{source}: rates.{key}: must be true or false")
            (excluded.add if section[key] else excluded.discard)(name)
    unknown = set(section) - {
        "resolved_min_result",
        "satisfied_min_overall",
        "response_limit",
        *(f"exclude_{n}" for n in EXCLUSIONS),
    }
    if unknown:
        raise PolicyError(f"{source}: rates: unknown key(s) {', '.join(sorted(unknown))}")
    return RateRules(
        stars("resolved_min_result", d.resolved_min_result),
        stars("satisfied_min_overall", d.satisfied_min_overall),
        limit,
        frozenset(excluded),
    )


@dataclass(frozen=True)
class RateFacts:
    """What one ticket contributes to the rates. A rate's `*_on` is the local day the ticket counts
    on (None: not counted); its flag says whether it met the rate."""

    unit: str | None  # the lead unit (R24.2): the unit that answers for the ticket
    district: str
    matter: str
    operator: str
    ontime_on: date | None = None
    ontime_met: bool = False
    response_on: date | None = None
    response_met: bool = False
    rated_on: date | None = None
    resolved: bool = False
    satisfied: bool = False


def rate_facts(ticket: Ticket, rr: RateRules, clocks: Clocks, taxonomy: Taxonomy) -> RateFacts:
    """The rate facts of `ticket` as it stands (its events so far).

    - 按时办结率 (R22.1): a ticket counts on the day its lead unit responded (R21.1), met when the
      response came within the resolution limit in force then — an approved extension's limit
      (R22.2), a rework's fresh limit (R23.1), shifted by recusal pauses (R27.1), exactly as the
      running clock computes it. A ticket closed at intake counts (for the centre, no unit) only
      when the policy does not exclude its kind, met when closed within the acceptance limit (R20.2).
    - 响应率 (R22.1: the limit runs from dispatch, so signing is the unit's first act): a dispatched
      ticket counts on its (latest) dispatch day, met when the unit signed for it (签收) within the
      policy's response limit.
    - 解决率 / 满意率 (R23.2): a rated ticket counts on the day of its callback; resolved when the
      办理结果 stars reach the threshold, satisfied when the overall stars do. A rating under
      dispute (R23.3: disputed and not yet confirmed by the office) counts in neither, if excluded.
    """
    tz = clocks.policy.tz
    district = taxonomy.district_of(ticket.place) or ticket.place.split(".")[0]
    base = RateFacts(unit=ticket.lead_unit, district=district, matter=ticket.matter, operator=ticket.operator)
    closure = INTAKE_CLOSURES.get(ticket.status)
    if closure is not None:
        if closure in rr.exclude or ticket.closed_at is None:
            return base
        start = ticket.submitted_at or ticket.registered_at  # R20.7
        due = clocks.due(start, clocks.policy.limits["acceptance"], pauses_of(ticket), ticket.closed_at)
        return replace(base, ontime_on=_day(ticket.closed_at, tz), ontime_met=ticket.closed_at <= due.at)
    facts: dict[str, Any] = {}
    if ticket.responded_at is not None and ticket.lead_unit and ticket.status in RESPONDED:
        # The clock as it ran just before the response: the same fields, status still in handling.
        handling = ticket.model_copy(update={"status": Status.IN_PROGRESS})
        clock = limit_clock(handling, ticket.responded_at, clocks, taxonomy)
        facts["ontime_on"] = _day(ticket.responded_at, tz)
        facts["ontime_met"] = clock is None or ticket.responded_at <= clock.due.at
    if rr.response_limit is not None and ticket.dispatched_at is not None and ticket.lead_unit:
        now = ticket.received_at or ticket.updated_at
        due = clocks.due(ticket.dispatched_at, rr.response_limit, pauses_of(ticket), max(now, ticket.dispatched_at))
        facts["response_on"] = _day(ticket.dispatched_at, tz)
        facts["response_met"] = ticket.received_at is not None and ticket.received_at <= due.at
    rating = ticket.rating
    disputed = bool(ticket.rating_dispute) and not ticket.rating_final
    if rating is not None and not (disputed and "disputed_ratings" in rr.exclude):
        reached = [c.at for c in ticket.callbacks if c.reached]
        facts["rated_on"] = _day(reached[-1] if reached else ticket.updated_at, tz)
        facts["resolved"] = rating.result >= rr.resolved_min_result
        facts["satisfied"] = rating.overall >= rr.satisfied_min_overall
    return replace(base, **facts)


def _day(at: datetime, tz: tzinfo) -> date:
    return at.astimezone(tz).date()


# --- the report shapes ---------------------------------------------------------------------


@dataclass(frozen=True)
class RateFigure:
    """One rate on one line: met / counted, the value (None when nothing was counted), the line's
    rank among the lines (1 = best; ties share a rank; None without a value) and the change from
    the previous period in percentage points (None when either period has no value)."""

    numerator: int
    denominator: int
    value: float | None
    rank: int | None = None
    change: float | None = None
    previous: float | None = None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else self.value * 100


@dataclass(frozen=True)
class RateLine:
    key: str  # unit code, district code, matter code, operator id, or "all"
    name: str  # what the screen shows (Chinese)
    figures: Mapping[str, RateFigure] = field(default_factory=dict)

    def _get(self, rate: str) -> RateFigure | None:
        return self.figures.get(rate)

    # The rates by name, for readers that take a line's attributes (the documents, the public page).
    on_time = property(lambda self: self._get("on_time"))
    resolution = property(lambda self: self._get("resolution"))
    satisfaction = property(lambda self: self._get("satisfaction"))
    response = property(lambda self: self._get("response"))

    @property
    def tickets(self) -> int:
        """The line's largest population (the most tickets any one rate counted): a size to sort by."""
        return max((f.denominator for f in self.figures.values()), default=0)


@dataclass(frozen=True)
class RateReport:
    period: Period
    by: str
    rates: tuple[str, ...]
    lines: tuple[RateLine, ...]
    total: RateLine  # the whole scope of the report in one line (not ranked)

    def __iter__(self) -> Iterator[RateLine]:
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def line(self, key: str) -> RateLine | None:
        return next((ln for ln in self.lines if ln.key == key), None)


Counts = Mapping[str, Mapping[str, tuple[int, int]]]  # line key -> rate -> (numerator, denominator)


def figure(numerator: int, denominator: int) -> RateFigure:
    return RateFigure(numerator, denominator, numerator / denominator if denominator else None)


def build_report(
    period: Period, by: str, rates: Iterable[str], current: Counts, previous: Counts, names: Mapping[str, str]
) -> RateReport:
    """Counts → a report: values, ranks among the lines, change against the previous period.
    Lines are ordered by the first rate's rank, then by key, so the order is stable."""
    rates = tuple(rates)
    keys = sorted(current)
    ranks = {r: _ranks({k: figure(*current[k].get(r, (0, 0))).value for k in keys}) for r in rates}
    lines = []
    for k in keys:
        figs = {}
        for r in rates:
            f = figure(*current[k].get(r, (0, 0)))
            pv = figure(*previous.get(k, {}).get(r, (0, 0))).value
            change = None if f.value is None or pv is None else round((f.value - pv) * 100, 10)
            figs[r] = RateFigure(f.numerator, f.denominator, f.value, ranks[r].get(k), change, pv)
        lines.append(RateLine(k, names.get(k, k), figs))
    first = rates[0] if rates else None
    lines.sort(
        key=lambda ln: (ln.figures[first].rank is None, ln.figures[first].rank or 0, ln.key) if first else ln.key
    )
    return RateReport(period, by, rates, tuple(lines), _total(rates, current, previous))


def _total(rates: tuple[str, ...], current: Counts, previous: Counts) -> RateLine:
    figs = {}
    for r in rates:
        n = sum(c.get(r, (0, 0))[0] for c in current.values())
        d = sum(c.get(r, (0, 0))[1] for c in current.values())
        pn = sum(c.get(r, (0, 0))[0] for c in previous.values())
        pd = sum(c.get(r, (0, 0))[1] for c in previous.values())
        f, p = figure(n, d), figure(pn, pd)
        change = None if f.value is None or p.value is None else round((f.value - p.value) * 100, 10)
        figs[r] = RateFigure(n, d, f.value, None, change, p.value)
    return RateLine("all", GROUPINGS["all"], figs)


def _ranks(values: Mapping[str, float | None]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4), highest value first; lines without a value are unranked."""
    ranked = sorted((v for v in values.values() if v is not None), reverse=True)
    return {k: ranked.index(v) + 1 for k, v in values.items() if v is not None}
