"""The figures the public page publishes for one period (R17.1, R37.1), read from the projection.

Only counts leave here: how many tickets came in through each channel and in each scope category,
how they were handled, the three rates, and the hot issues (matter × place with at least the
policy's minimum of tickets, so that a count cannot point at one caller). No ticket's words, no
appellant field is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from operator_tui.config import Rules
from operator_tui.domain.periods import Period

from ..reports.rates import compute_rates
from ..storage import Storage, utc
from .policy import PublicPolicy

# The handling counts, in the order the page shows them (R17.1 受理、办理情况).
HANDLING: tuple[tuple[str, str], ...] = (
    ("received", "受理诉求总数"),
    ("accepted", "予以受理"),
    ("refused", "不予受理"),
    ("advised", "告知办理途径"),
    ("answered", "当场答复办结"),
    ("dispatched", "转办承办单位"),
    ("closed", "已办结"),
)
RATE_NAMES = {"on_time": "按时办结率", "resolution": "解决率", "satisfaction": "满意率", "response": "响应率"}


@dataclass(frozen=True)
class Rate:
    key: str
    name: str
    numerator: int
    denominator: int
    value: float | None  # 0..1, None when nothing was counted
    change: float | None = None  # percentage points against the period before


@dataclass(frozen=True)
class Figures:
    period: Period
    channels: tuple[tuple[str, int], ...]  # (channel name, tickets), every channel the centre accepts
    scopes: tuple[tuple[str, int], ...]  # (scope name, tickets): 受理范围 (R6.1)
    handling: tuple[tuple[str, int], ...]  # (label, count) in HANDLING order
    rates: tuple[Rate, ...]
    hot: tuple[tuple[str, str, int], ...]  # (matter name, place name, tickets)
    notes: tuple[str, ...] = field(default=())


def _range(period: Period) -> tuple[str, str]:
    start, end = period.bounds()
    return utc(start), utc(end)


def _json_text(storage: Storage, key: str) -> str:
    """SQL for one top-level key of a ticket's JSON, as text, in the engine's dialect."""
    return f"(data::json ->> '{key}')" if storage.engine == "postgresql" else f"json_extract(data, '$.{key}')"


def handling_counts(tx: Any, period: Period) -> dict[str, int]:
    rows = tx._all(
        "SELECT status, CASE WHEN lead_unit IS NULL THEN 0 ELSE 1 END, closed, count(*) FROM tickets "
        "WHERE registered_at >= ? AND registered_at < ? GROUP BY 1, 2, 3",
        _range(period),
    )
    out = dict.fromkeys((k for k, _ in HANDLING), 0) | {"registered": 0}
    for status, dispatched, closed, n in rows:
        n = int(n)
        out["received"] += n
        out["dispatched"] += n if dispatched else 0
        out["closed"] += n if closed else 0
        if status in ("refused", "advised", "answered", "registered"):
            out[status] += n
    # accepted: taken on (R20.2) — everything past intake except what was refused or only advised
    out["accepted"] = out["received"] - out["refused"] - out["advised"] - out.pop("registered")
    return out


def channel_scope_counts(storage: Storage, tx: Any, period: Period) -> list[tuple[str, str, int]]:
    sql = (
        f"SELECT {_json_text(storage, 'channel')}, {_json_text(storage, 'scope')}, count(*) FROM tickets "
        "WHERE registered_at >= ? AND registered_at < ? GROUP BY 1, 2"
    )
    return [(str(c or ""), str(s or ""), int(n)) for c, s, n in tx._all(sql, _range(period))]


def hot_issues(tx: Any, period: Period, rules: Rules, policy: PublicPolicy) -> list[tuple[str, str, int]]:
    rows = tx._all(
        "SELECT matter, place, count(*) FROM tickets WHERE registered_at >= ? AND registered_at < ? "
        "GROUP BY matter, place HAVING count(*) >= ? ORDER BY count(*) DESC, matter, place LIMIT ?",
        (*_range(period), policy.hot_min_tickets, policy.hot_issues),
    )
    return [(_matter_name(rules, m), place_name(rules, p), int(n)) for m, p, n in rows]


def _matter_name(rules: Rules, code: str) -> str:
    m = rules.taxonomy.matters.get(code)
    return m.name if m else "其他事项"


def place_name(rules: Rules, code: str) -> str:
    """ "tiedong.站前街道" → "铁东区站前街道"; an unknown code is not echoed (it is free text)."""
    district, _, street = code.partition(".")
    p = rules.taxonomy.places.get(district)
    return (p.name + street) if p else "其他地区"


def rates(storage: Storage, rules: Rules, period: Period) -> tuple[tuple[Rate, ...], tuple[str, ...]]:
    """The city-wide rates, from the RATES part's `compute_rates` (server_stub/reports/rates.py)."""
    report = compute_rates(storage, rules, period, by="all")
    total = getattr(report, "total", None) or next(iter(report), None)
    figures = getattr(total, "figures", {}) or {}
    out = tuple(
        Rate(k, RATE_NAMES.get(k, k), f.numerator, f.denominator, f.value, getattr(f, "change", None))
        for k, f in figures.items()
        if k in RATE_NAMES
    )
    return out, ()


def figures_for(storage: Storage, rules: Rules, period: Period, policy: PublicPolicy) -> Figures:
    with storage.read() as tx:
        handling = handling_counts(tx, period)
        by = channel_scope_counts(storage, tx, period)
        hot = hot_issues(tx, period, rules, policy)
    per_channel: dict[str, int] = {}
    per_scope: dict[str, int] = {}
    for channel, scope, n in by:
        per_channel[channel] = per_channel.get(channel, 0) + n
        per_scope[scope] = per_scope.get(scope, 0) + n
    tax = rules.taxonomy
    channels = tuple((c.name, per_channel.get(code, 0)) for code, c in tax.channels.items())
    scopes = tuple((s.name, per_scope.get(str(code), 0)) for code, s in sorted(tax.scopes.items()))
    rate_rows, notes = rates(storage, rules, period)
    return Figures(
        period, channels, scopes, tuple((label, handling[k]) for k, label in HANDLING), rate_rows, tuple(hot), notes
    )
