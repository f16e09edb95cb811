"""The rates (R35.1) over a period, from the projection's rate columns (schema _004).

`compute_rates(storage, rules, period, by)` is what the API, the CLI, the periodic documents and
the public page call: one SUM/COUNT … GROUP BY per rate, on a partial covering index, for the period
and for the one before it; the arithmetic (values, ranks, change) is `domain/rates.build_report`.

What counts and what is excluded was decided per ticket when it was projected
(`domain/rates.rate_facts`, the policy's [rates]); `reproject_rates` recomputes those columns for
every ticket, after an upgrade or a change of [rates] or of the limits.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from operator_tui.config import Rules
from operator_tui.domain.errors import BadInput
from operator_tui.domain.model import Ticket
from operator_tui.domain.periods import Period
from operator_tui.domain.rates import GROUPINGS, Counts, RateLine, RateReport, RateRules, build_report, figure
from operator_tui.rate_rules import load_rate_rules

from ..projection import row_for
from ..storage import Storage, Tx

# The column each grouping reads; `None` for the one line of the whole city.
GROUP_COLUMNS: dict[str, str | None] = {
    "unit": "lead_unit",
    "district": "district",
    "matter": "matter",
    "operator": "operator",
    "all": None,
}


class RatesError(BadInput, ValueError):
    """A request the rates cannot answer; the message (Chinese) says what to write instead."""


def check_by(by: str) -> str:
    if by not in GROUP_COLUMNS:
        raise RatesError(
            f"分组 {by!r} 无法识别；请写 {' / '.join(GROUP_COLUMNS)}"
            f"（{'、'.join(GROUPINGS[g] for g in GROUP_COLUMNS)}）"
        )
    return by


def check_period(period: Period) -> Period:
    """A period whose previous period exists too (a report compares the two): year 1 has none."""
    try:
        period.previous()
    except (ValueError, OverflowError):
        raise RatesError(f"时段 {period.key!r} 超出可统计的范围（没有上一时段可比）") from None
    return period


def compute_rates(
    storage: Storage, rules: Rules, period: Period, by: str = "unit", *, rate_rules: RateRules | None = None
) -> RateReport:
    """The rates of every line of `by` (unit | district | matter | operator | all) over `period`,
    ranked, with the change from `period.previous()` in percentage points. A unit's line counts the
    tickets it led (R24.2); tickets closed at intake have no unit and appear only in the other
    groupings, and only when the policy does not exclude them."""
    column = GROUP_COLUMNS[check_by(by)]
    check_period(period)
    rr = rate_rules or load_rate_rules()
    with storage.read() as tx:
        current = _counts(tx, column, period, rr)
        previous = _counts(tx, column, period.previous(), rr)
        names = _names(tx, rules, by, set(current) | set(previous))
    return build_report(period, by, rr.rates, current, previous, names)


def only_line(report: RateReport, key: str, name: str | None = None) -> RateReport:
    """The report cut to one line (a unit reads its own line only), that line as the total too."""
    line = report.line(key) or RateLine(key, name or key, {r: figure(0, 0) for r in report.rates})
    return replace(report, lines=(line,), total=line)


def _counts(tx: Tx, column: str | None, period: Period, rr: RateRules) -> Counts:
    lo, hi = period.start.isoformat(), period.end.isoformat()
    out: dict[str, dict[str, tuple[int, int]]] = {}

    def query(day: str, sums: str) -> list[tuple[Any, ...]]:
        # Grouped by (day, line) first: each rate's index holds the day then the unit, so the units'
        # report reads its index in order without sorting a year's entries; the outer GROUP BY then
        # sorts only one row per day and line.
        if column is None:
            return list(tx._all(f"SELECT 'all', {sums} FROM tickets WHERE {day} >= ? AND {day} <= ?", (lo, hi)))
        inner = ", ".join(f"{s} AS s{i}" for i, s in enumerate(sums.split(", ")))
        outer = ", ".join(f"sum(s{i})" for i in range(sums.count(",") + 1))
        return list(
            tx._all(
                f"SELECT k, {outer} FROM (SELECT {day}, {column} AS k, {inner} FROM tickets "
                f"WHERE {day} >= ? AND {day} <= ? AND {column} IS NOT NULL GROUP BY {day}, {column}) AS d "
                "GROUP BY k",
                (lo, hi),
            )
        )

    def add(rate: str, rows: Any) -> None:
        for k, met, n in rows:
            if n:
                out.setdefault(str(k), {})[rate] = (int(met or 0), int(n))

    add("on_time", query("ontime_on", "sum(ontime_met), count(*)"))
    if "response" in rr.rates:
        add("response", query("response_on", "sum(response_met), count(*)"))
    rated = query("rated_on", "sum(resolved), sum(satisfied), count(*)")
    add("resolution", [(k, res, n) for k, res, _, n in rated])
    add("satisfaction", [(k, sat, n) for k, _, sat, n in rated])
    return out


def _names(tx: Tx, rules: Rules, by: str, keys: set[str]) -> dict[str, str]:
    tax = rules.taxonomy
    if by == "unit":
        return {k: tax.units[k].name for k in keys if k in tax.units}
    if by == "district":
        return {k: tax.places[k].name for k in keys if k in tax.places}
    if by == "matter":
        return {k: tax.matters[k].name for k in keys if k in tax.matters}
    if by == "operator":
        # An operator is recorded by staff number (工号) when the token has one, else by name.
        people = {p["staff_no"]: p["name"] for p in tx.principals() if p.get("staff_no")}
        return {k: f"{people[k]}（{k}）" if k in people else k for k in keys}
    return {"all": GROUPINGS["all"]}


def reproject_rates(storage: Storage, rules: Rules, *, rate_rules: RateRules | None = None, batch: int = 2000) -> int:
    """Recompute the rate columns of every ticket from its JSON (after the upgrade to schema _004,
    or when [rates] or the limits change); returns the number of tickets rewritten. Batches of
    `batch` tickets, one write each, so the server keeps serving in between."""
    rr = rate_rules or load_rate_rules()
    after, done = "", 0
    while True:
        with storage.read() as tx:
            rows = list(tx._all("SELECT id, data, seq FROM tickets WHERE id > ? ORDER BY id LIMIT ?", (after, batch)))
        if not rows:
            return done
        updates = []
        for ticket_id, data, seq in rows:
            r = row_for(Ticket.model_validate_json(data), seq, None, rules, rr)
            updates.append(
                (
                    r.district,
                    r.operator,
                    r.ontime_on,
                    int(r.ontime_met),
                    r.response_on,
                    int(r.response_met),
                    r.rated_on,
                    int(r.resolved),
                    int(r.satisfied),
                    ticket_id,
                )
            )
        with storage.write() as tx:
            tx._many(
                "UPDATE tickets SET district = ?, operator = ?, ontime_on = ?, ontime_met = ?, response_on = ?, "
                "response_met = ?, rated_on = ?, resolved = ?, satisfied = ? WHERE id = ?",
                updates,
            )
        done += len(rows)
        after = rows[-1][0]
