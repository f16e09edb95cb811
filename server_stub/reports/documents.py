"""What a periodic report (R31.1, R35.1) and a topic analysis (R31.2) hold, gathered from the server's
projection; `xlsx.py` and `html.py` only lay it out.

A document carries no caller's name, phone or address in any case: tickets appear by number,
matter, place and unit only (R26.1, R33.1). A report made for one unit (`unit=`) holds only the
lines of tickets that unit handles, and of the rates only its own line and rank.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from operator_tui.config import Rules
from operator_tui.domain.periods import CST, Period, week_of
from operator_tui.domain.risks import headline
from operator_tui.risk_rules import load_risk_policy

from ..storage import Storage, Tx, utc
from .doc_rates import RankLine, RateLine, ranking, unit_rates
from .risks import DECISIONS, decisions_since, listing

Kind = Literal["daily", "weekly", "monthly", "topic"]
KIND_NAMES = {"daily": "日报", "weekly": "周报", "monthly": "月报", "topic": "专题分析"}
PERIOD_KINDS: dict[str, Literal["day", "week", "month"]] = {"daily": "day", "weekly": "week", "monthly": "month"}
CENTRE = "鞍山市群众工作服务中心"
HOT_SPOTS = 20  # the sheet an office reads, not a dump
OVERDUE_ROWS = 500


@dataclass(frozen=True)
class HotSpot:
    matter: str
    place: str
    count: int
    previous: int


@dataclass(frozen=True)
class OverdueLine:
    number: str
    unit: str
    matter: str
    due: datetime  # Asia/Shanghai
    days: int  # whole days past the limit, counted up (an hour late is 1 day)


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class RiskLine:
    kind: str
    subject: str
    detail: str
    tickets: int


@dataclass(frozen=True)
class Topic:
    """R31.2: a common, prominent or source problem (a matter, optionally in one place)."""

    matter: str
    place: str | None
    main_to: tuple[str, ...]  # 主送: the units concerned, most tickets first
    copy_to: tuple[str, ...]  # 抄送: the city government and the commission (policy [reports])
    total: int
    previous: int
    by_week: tuple[Count, ...]
    places: tuple[Count, ...]
    units: tuple[tuple[str, int, int, int], ...]  # (unit name, tickets, not yet archived, open past limit)
    typical: tuple[tuple[str, str, str], ...]  # (number, matter, place): nothing else


@dataclass(frozen=True)
class Document:
    kind: Kind
    period: Period
    recipient: str  # 报送对象: the centre's leadership, or one unit
    unit: str | None  # the unit code a unit's report is limited to
    produced_at: datetime
    rates: tuple[RateLine, ...] = ()
    ranking: tuple[RankLine, ...] = ()
    units_ranked: int = 0  # how many units the ranking has (a unit sees its place among them)
    hot_spots: tuple[HotSpot, ...] = ()
    risks: tuple[RiskLine, ...] = ()
    overdue: tuple[OverdueLine, ...] = ()
    trend: tuple[Count, ...] = ()  # tickets registered per week, the last weeks up to the period's end
    topic: Topic | None = None
    registered: int = 0
    previous_registered: int = 0
    names: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:
        if self.topic:
            return f"8890平台专题分析：{self.topic.matter}" + (f"（{self.topic.place}）" if self.topic.place else "")
        return f"8890平台诉求办理{KIND_NAMES[self.kind]}"

    @property
    def stem(self) -> str:
        """The file name without extension: kind, period, and the unit or topic it is for."""
        if self.topic:
            return (
                f"8890-topic-{self.names['matter_code']}"
                + (f"-{self.names['place_code']}" if self.topic.place else "")
                + f"-{self.period.key}"
            )
        return f"8890-{self.kind}-{self.period.key}" + (f"-{self.unit}" if self.unit else "")


class Names:
    """Codes as the office reads them (taxonomy names); an unknown code is shown as it is."""

    def __init__(self, rules: Rules):
        self.tax = rules.taxonomy

    def unit(self, code: str | None) -> str:
        return self.tax.units[code].name if code is not None and code in self.tax.units else (code or "")

    def matter(self, code: str) -> str:
        return self.tax.matters[code].name if code in self.tax.matters else code

    def place(self, code: str) -> str:
        district, _, street = code.partition(".")  # "tiedong.站前街道" → 铁东区站前街道
        if street:
            return self.place(district) + (self.tax.places[code].name if code in self.tax.places else street)
        return self.tax.places[code].name if code in self.tax.places else code


def _unit_filter(tx: Tx, unit: str | None) -> tuple[str, tuple[Any, ...]]:
    return (f" AND {tx._holds('units')}", (f"|{unit}|",)) if unit else ("", ())


def _registered(
    tx: Tx, lo: datetime, hi: datetime, unit: str | None, extra: str = "", args: tuple[Any, ...] = ()
) -> int:
    cond, uargs = _unit_filter(tx, unit)
    row = tx._one(
        f"SELECT count(*) FROM tickets WHERE registered_at >= ? AND registered_at < ?{cond}{extra}",
        (utc(lo), utc(hi), *uargs, *args),
    )
    return int(row[0]) if row else 0


def _hot_spots(tx: Tx, period: Period, unit: str | None, names: Names) -> list[HotSpot]:
    """R31.1: matter × place counts over the period, most first, with the previous period's."""
    cond, uargs = _unit_filter(tx, unit)

    def counts(p: Period) -> list[tuple[str, str, int]]:
        lo, hi = p.bounds()
        return [
            (m, pl, int(n))
            for m, pl, n in tx._all(
                f"SELECT matter, place, count(*) FROM tickets WHERE registered_at >= ? AND registered_at < ?{cond} "
                "GROUP BY matter, place",
                (utc(lo), utc(hi), *uargs),
            )
        ]

    before = {(m, p): n for m, p, n in counts(period.previous())}
    now = sorted(counts(period), key=lambda x: (-x[2], x[0], x[1]))[:HOT_SPOTS]
    return [HotSpot(names.matter(m), names.place(p), n, before.get((m, p), 0)) for m, p, n in now]


def _overdue(tx: Tx, cutoff: datetime, unit: str | None, names: Names) -> list[OverdueLine]:
    """Tickets still open whose running limit had passed at `cutoff` (the period's end, or now)."""
    cond, uargs = _unit_filter(tx, unit)
    out = []
    for number, lead, matter, due in tx._all(
        f"SELECT number, lead_unit, matter, due_at FROM tickets WHERE closed = 0 AND due_at IS NOT NULL "
        f"AND due_at < ?{cond} ORDER BY due_at, number LIMIT ?",
        (utc(cutoff), *uargs, OVERDUE_ROWS),
    ):
        at = datetime.fromisoformat(due).astimezone(CST)
        out.append(
            OverdueLine(
                number, names.unit(lead), names.matter(matter), at, max(1, math.ceil((cutoff - at) / timedelta(days=1)))
            )
        )
    return out


def _trend(tx: Tx, period: Period, unit: str | None, weeks: int) -> list[Count]:
    last = week_of(period.end)
    points = []
    for i in range(weeks - 1, -1, -1):
        w = Period("week", last.start - timedelta(days=7 * i), last.end - timedelta(days=7 * i))
        lo, hi = w.bounds()
        points.append(Count(f"{w.start:%m-%d}", _registered(tx, lo, hi, unit)))
    return points


def _risks(storage: Storage, period: Period, now: datetime, unit: str | None, names: Names) -> tuple[RiskLine, ...]:
    """R31.1: the risk warnings (server_stub/reports/risks.py) as they stood at the period's last
    moment, and those decided during the period. A unit's report holds only warnings about that
    unit (a matter's or a place's surge, and a cue's evidence, span other units' tickets). The
    supervisor's reason for a decision is free text and is left out; its outcome is shown."""
    policy = load_risk_policy()
    _, hi = period.bounds()
    found = {
        x.warning["id"]: (x.warning, x.decision["decision"] if x.decision else None)
        for x in listing(storage, policy, min(hi - timedelta(seconds=1), now), CST)
    }
    with storage.read() as tx:
        for wid, d in decisions_since(tx, period.start).items():
            if wid not in found and d["window_day"] <= period.end.isoformat():
                found[wid] = (json.loads(d["warning"]), d["decision"])
    name_of = {"matter": names.matter, "place": names.place, "unit": names.unit}
    out = []
    for w, decision in found.values():
        if unit and not (w["kind"] == "surge" and w["dimension"] == "unit" and w["subject"] == unit):
            continue
        subject = name_of[w["dimension"]](w["subject"]) if w["kind"] == "surge" else w["subject"]
        text = headline(w, lambda dim, code: name_of.get(dim, str)(code))
        evidence = "、".join(w.get("evidence", [])[:5])
        out.append(
            RiskLine(
                w.get("kind_name", w["kind"]),
                subject,
                text
                + (f"；涉及受理编号 {evidence}" if evidence else "")
                + (f"；{DECISIONS[decision]}" if decision else "；待处置"),
                int(w["count"]),
            )
        )
    return tuple(sorted(out, key=lambda r: (-r.tickets, r.kind, r.subject)))


def periodic(
    storage: Storage,
    rules: Rules,
    kind: Kind,
    period: Period,
    now: datetime,
    *,
    unit: str | None = None,
    trend_weeks: int = 8,
) -> Document:
    """The daily, weekly or monthly report over `period`, for the centre or for one unit."""
    names = Names(rules)
    lines = unit_rates(storage, rules, period)
    ranked = ranking(lines, unit_rates(storage, rules, period.previous()))
    if unit:  # R26.1/R35.1: a unit sees its own line and its place, never another unit's figures
        lines = [r for r in lines if r.code == unit]
        mine = [r for r in ranked if r.line.code == unit]
    else:
        mine = ranked
    lo, hi = period.bounds()
    plo, phi = period.previous().bounds()
    with storage.read() as tx:
        doc = Document(
            kind=kind,
            period=period,
            unit=unit,
            produced_at=now.astimezone(CST),
            recipient=names.unit(unit) if unit else f"{CENTRE}及市群众工作委员会办公室",
            rates=tuple(lines),
            ranking=tuple(mine),
            units_ranked=len(ranked),
            hot_spots=tuple(_hot_spots(tx, period, unit, names)),
            overdue=tuple(_overdue(tx, min(hi, now), unit, names)),
            trend=tuple(_trend(tx, period, unit, trend_weeks)),
            registered=_registered(tx, lo, hi, unit),
            previous_registered=_registered(tx, plo, phi, unit),
        )
    return replace(doc, risks=_risks(storage, period, now, unit, names))


def topic(
    storage: Storage,
    rules: Rules,
    matter: str,
    place: str | None,
    period: Period,
    now: datetime,
    *,
    copy_to: tuple[str, ...],
    typical: int = 5,
) -> Document:
    """R31.2: a topic analysis of `matter` (in `place` and the places under it) over `period`, naming
    the units it goes back to (主送) and the bodies it is reported to (抄送)."""
    names = Names(rules)
    where = " AND matter = ?"
    args: tuple[Any, ...] = (matter,)
    if place:
        where += " AND (place = ? OR place LIKE ?)"
        args += (place, place.replace("%", "").replace("_", "") + ".%")
    lo, hi = period.bounds()
    plo, phi = period.previous().bounds()
    with storage.read() as tx:
        rows = list(
            tx._all(
                f"SELECT number, place, lead_unit, units, closed, due_at, registered_at FROM tickets "
                f"WHERE registered_at >= ? AND registered_at < ?{where} ORDER BY registered_at DESC",
                (utc(lo), utc(hi), *args),
            )
        )
        previous = _registered(tx, plo, phi, None, where, args)
    weeks: dict[str, int] = {}
    places: dict[str, int] = {}
    units: dict[str, list[int]] = {}
    cutoff = utc(min(hi, now))  # overdue as the periodic list counts it: open past its limit at the end
    for _number, pl, lead, readers, closed, due_at, registered in rows:
        overdue = bool(due_at and due_at < cutoff)
        at = datetime.fromisoformat(registered).astimezone(CST)
        wk = week_of(at.date()).start.strftime("%m-%d")
        weeks[wk] = weeks.get(wk, 0) + 1
        places[pl] = places.get(pl, 0) + 1
        for u in {lead, *[x for x in readers.split("|") if x]} - {None, ""}:
            n = units.setdefault(u, [0, 0, 0])
            n[0] += 1
            n[1] += 0 if closed else 1
            n[2] += 1 if overdue and not closed else 0
    # every week of the period, also those without a ticket (a trend needs its zeros)
    by_week, w = [], week_of(period.start)
    while w.start <= period.end:
        by_week.append(Count(f"{w.start:%m-%d}", weeks.get(f"{w.start:%m-%d}", 0)))
        w = week_of(w.end + timedelta(days=1))
    unit_name, place_name, matter_name = names.unit, names.place, names.matter(matter)
    ordered = sorted(units.items(), key=lambda kv: (-kv[1][0], kv[0]))
    t = Topic(
        matter=matter_name,
        place=place_name(place) if place else None,
        main_to=tuple(unit_name(u) for u, _ in ordered),
        copy_to=copy_to,
        total=len(rows),
        previous=previous,
        by_week=tuple(by_week),
        places=tuple(Count(place_name(p), n) for p, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))),
        units=tuple((unit_name(u), n[0], n[1], n[2]) for u, n in ordered),
        typical=tuple((number, matter_name, place_name(pl)) for number, pl, *_ in rows[:typical]),
    )
    return Document(
        kind="topic",
        period=period,
        unit=None,
        produced_at=now.astimezone(CST),
        recipient="、".join(t.main_to) or "（本时段无相关诉求）",
        topic=t,
        registered=len(rows),
        previous_registered=previous,
        trend=t.by_week,
        names={"matter_code": matter, "place_code": place or ""},
    )
