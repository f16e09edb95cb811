"""The supervisor's queue overview (R30.1): every stage, every deadline, what is overdue, what needs
supervision — computed from the ticket projection with indexed queries, so it stays fast over a
city's year of tickets (see scripts/bench_overview.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    import sqlite_utils

    from ..domain.deadlines import Clocks
    from ..domain.risks import CueTicket, RiskPolicy, RiskWarning
    from ..domain.taxonomy import Taxonomy

from ..domain.model import Status

# The stages a supervisor watches, in the order a ticket moves (status values they cover).
STAGES: tuple[tuple[str, str, tuple[Status, ...]], ...] = (
    ("awaiting_acceptance", "待受理", (Status.REGISTERED,)),
    ("awaiting_dispatch", "待转办", (Status.ACCEPTED, Status.RETURNED)),
    ("with_units", "承办中", (Status.DISPATCHED, Status.IN_PROGRESS)),
    ("extension_asked", "延期申请", (Status.EXTENSION_REQUESTED,)),
    ("awaiting_review", "待审核", (Status.RESPONDED,)),
    ("awaiting_callback", "待回访", (Status.AWAITING_CALLBACK,)),
    ("rating_disputed", "评价异议", (Status.RATING_DISPUTED, Status.RERATED)),
    ("rated", "待归档", (Status.RATED,)),
)


@dataclass(frozen=True)
class StageHeat:
    key: str
    name: str
    count: int
    due_today: int
    overdue: int
    worst_overdue: timedelta | None  # how late the latest-running ticket is
    clocks: tuple[str, ...]  # which clocks run in this stage


@dataclass(frozen=True)
class UnitLoad:
    unit: str
    open: int
    overdue: int
    on_time_rate: float | None  # responded on time / responded, last 30 days


@dataclass(frozen=True)
class HotSpot:
    matter: str
    place: str
    open: int


@dataclass(frozen=True)
class QueueItem:
    id: str
    number: str
    status: Status
    matter: str
    lead_unit: str | None
    due_at: datetime | None
    clock: str | None
    priority: int
    referrals: int
    supervision_level: int
    open_demands: int
    due_provisional: bool = False  # counted on the Mon–Fri fallback: shown as 暂定


@dataclass(frozen=True)
class Overview:
    at: datetime
    registered_today: int
    closed_today: int
    stages: tuple[StageHeat, ...]
    referrals_today: int
    open_overdue: int
    under_supervision: int
    open_demands: int
    units: tuple[UnitLoad, ...]
    seats: tuple[tuple[str, int], ...]
    hot_spots: tuple[HotSpot, ...]
    queue: tuple[QueueItem, ...] = field(default=())
    # R31.1: risk warnings over this store's tickets (the server's list adds the decisions).
    risks: tuple[RiskWarning, ...] = field(default=())


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


# INDEXED BY below: SQLite's planner prefers the narrower (closed, due_at) index for `closed = 0`,
# which then reads every open row; the covering partial indexes answer from index pages alone.
def compute(
    db: sqlite_utils.Database,
    now: datetime,
    tz: tzinfo,
    *,
    hot_spot_threshold: int = 3,
    queue_limit: int = 200,
    clocks: Clocks | None = None,
    taxonomy: Taxonomy | None = None,
    risk_policy: RiskPolicy | None = None,
) -> Overview:
    """With `clocks` and `taxonomy`, stale stored deadlines are refreshed first (tickets.refresh_deadlines):
    holiday data that arrived, recusal pauses that held a limit. With `risk_policy`, the risk
    warnings (R31.1) are computed by the same function the server runs, over this store."""
    conn = db.conn
    if clocks is not None and taxonomy is not None:
        from .tickets import refresh_deadlines

        refresh_deadlines(db, clocks, taxonomy, now)
    local = now.astimezone(tz)
    day_start = _utc(local.replace(hour=0, minute=0, second=0, microsecond=0))
    day_end = _utc(local.replace(hour=23, minute=59, second=59, microsecond=999999))
    now_s = _utc(now)

    # One pass over the open tickets' covering index, grouped finely; stages, units and the
    # supervision count are folded from these few hundred groups in Python.
    by_status: dict[str, list[Any]] = {}  # [count, due today, late, first due, {clock}]
    by_unit: dict[str, list[int]] = {}
    under_supervision = 0
    for status, unit, clock, n, due_today, late, first_due, supervised in conn.execute(
        "SELECT status, lead_unit, clock, count(*), sum(due_at <= ? AND due_at >= ?), sum(due_at < ?), min(due_at),"
        " sum(supervision_level > 0) FROM tickets INDEXED BY tickets_open_cover WHERE closed = 0"
        " GROUP BY status, lead_unit, clock",
        (day_end, now_s, now_s),
    ):
        agg = by_status.setdefault(status, [0, 0, 0, None, set()])
        agg[0] += n
        agg[1] += due_today or 0
        agg[2] += late or 0
        if first_due and (agg[3] is None or first_due < agg[3]):
            agg[3] = first_due
        if clock:
            agg[4].add(clock)
        if unit:
            u = by_unit.setdefault(unit, [0, 0])
            u[0] += n
            u[1] += late or 0
        under_supervision += supervised or 0
    stages = []
    for key, name, statuses in STAGES:
        rows = [by_status[s.value] for s in statuses if s.value in by_status]
        worst = min((r[3] for r in rows if r[3] and r[3] < now_s), default=None)
        stage_clocks = sorted({c for r in rows for c in r[4]})
        stages.append(
            StageHeat(
                key,
                name,
                sum(r[0] for r in rows),
                sum(r[1] or 0 for r in rows),
                sum(r[2] or 0 for r in rows),
                now - datetime.fromisoformat(worst) if worst else None,
                tuple(stage_clocks),
            )
        )

    def one(sql: str, *args: str) -> int:
        return int(conn.execute(sql, args).fetchone()[0] or 0)

    registered_today = one("SELECT count(*) FROM tickets WHERE registered_at >= ?", day_start)
    closed_today = one("SELECT count(*) FROM tickets WHERE closed_at >= ?", day_start)
    referrals_today = one("SELECT count(*) FROM events WHERE kind = 'referral' AND at >= ?", day_start)
    open_overdue = one("SELECT count(*) FROM tickets WHERE closed = 0 AND due_at < ?", now_s)
    open_demands = one("SELECT count(*) FROM tickets WHERE open_demands > 0")

    month_ago = _utc(now - timedelta(days=30))
    rates = {
        u: (n, ok)
        for u, n, ok in conn.execute(
            "SELECT lead_unit, count(on_time), sum(on_time) FROM tickets WHERE responded_at >= ? GROUP BY lead_unit",
            (month_ago,),
        )
    }
    units = [
        UnitLoad(u, n, late, (rates[u][1] / rates[u][0]) if u in rates and rates[u][0] else None)
        for u, (n, late) in sorted(by_unit.items(), key=lambda kv: -kv[1][0])
    ]
    seats = tuple(
        conn.execute(
            "SELECT seat, count(*) FROM tickets WHERE registered_at >= ? GROUP BY seat ORDER BY count(*) DESC",
            (day_start,),
        ).fetchall()
    )
    # R25.1 (2), R31.1: the same matter in the same place piling up within 24 hours.
    hot = tuple(
        HotSpot(m, p, n)
        for m, p, n in conn.execute(
            "SELECT matter, place, count(*) FROM tickets WHERE closed = 0 AND registered_at >= ?"
            " GROUP BY matter, place HAVING count(*) >= ? ORDER BY count(*) DESC LIMIT 20",
            (_utc(now - timedelta(hours=24)), hot_spot_threshold),
        )
    )
    risks: tuple[RiskWarning, ...] = ()
    if risk_policy is not None:
        from ..domain.risks import assess

        risks = tuple(assess(StoreRiskSource(conn), risk_policy, now, tz))
    return Overview(
        now,
        registered_today,
        closed_today,
        tuple(stages),
        referrals_today,
        open_overdue,
        under_supervision,
        open_demands,
        tuple(units),
        seats,
        hot,
        queue(db, now, queue_limit),
        risks,
    )


class StoreRiskSource:
    """`domain.risks.RiskSource` over the seat's store: ranges on its `tickets_registered` index,
    and only the description taken out of each recent ticket's JSON (no appellant data read)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def counts(self, lo: datetime, hi: datetime) -> list[tuple[str, str, str | None, int]]:
        return self.conn.execute(
            "SELECT matter, place, lead_unit, count(*) FROM tickets WHERE registered_at >= ? AND registered_at < ?"
            " GROUP BY matter, place, lead_unit",
            (_utc(lo), _utc(hi)),
        ).fetchall()

    def numbers(self, dimension: str, code: str, lo: datetime, hi: datetime, limit: int) -> list[str]:
        column = {"matter": "matter", "place": "place", "unit": "lead_unit"}[dimension]
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT number FROM tickets WHERE registered_at >= ? AND registered_at < ? AND {column} = ?"
                " ORDER BY registered_at DESC, number DESC LIMIT ?",
                (_utc(lo), _utc(hi), code, limit),
            )
        ]

    def cue_tickets(self, lo: datetime, hi: datetime) -> Iterator[CueTicket]:
        from ..domain.risks import CueTicket

        for number, registered, description in self.conn.execute(
            "SELECT number, registered_at, json_extract(data, '$.description') FROM tickets"
            " WHERE registered_at >= ? AND registered_at < ?",
            (_utc(lo), _utc(hi)),
        ):
            yield CueTicket(number, datetime.fromisoformat(registered), description or "")


_QUEUE_COLS = (
    "id, number, status, matter, lead_unit, due_at, clock, priority, referrals, supervision_level,"
    " open_demands, due_provisional"
)


def _item(r: Sequence[Any]) -> QueueItem:
    return QueueItem(
        r[0],
        r[1],
        Status(r[2]),
        r[3],
        r[4],
        datetime.fromisoformat(r[5]) if r[5] else None,
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
        bool(r[11]),
    )


def queue(
    db: sqlite_utils.Database, now: datetime, limit: int = 200, status: Status | None = None
) -> tuple[QueueItem, ...]:
    """The work list: open tickets with emergency referrals first (R20.3), then those with open
    explanation demands (R10.2), then the raised priority of vulnerable appellants (R9.1), then by
    deadline — the most overdue first."""
    conn = db.conn
    where, args = "closed = 0", []
    if status is not None:
        where += " AND status = ?"
        args.append(status.value)
    urgent = conn.execute(
        f"SELECT {_QUEUE_COLS} FROM tickets INDEXED BY tickets_urgent WHERE {where} AND (referrals > 0 OR open_demands > 0)"
        " ORDER BY referrals > 0 DESC, due_at LIMIT ?",
        (*args, limit),
    ).fetchall()
    # R9.1: raised priority (a few per cent of the open tickets) read along the open-deadline index.
    prior = conn.execute(
        f"SELECT {_QUEUE_COLS} FROM tickets INDEXED BY tickets_open_due WHERE {where} AND priority > 0"
        " ORDER BY due_at LIMIT ?",
        (*args, limit),
    ).fetchall()
    first = {r[0]: r for r in urgent + prior}
    seen = set(first)
    # Two index-ordered reads (dated, then undated) rather than one sort of every open ticket.
    rest = conn.execute(
        f"SELECT {_QUEUE_COLS} FROM tickets WHERE {where} AND due_at IS NOT NULL ORDER BY due_at LIMIT ?",
        (*args, limit + len(seen)),
    ).fetchall()
    if len(rest) < limit + len(seen):
        rest += conn.execute(
            f"SELECT {_QUEUE_COLS} FROM tickets WHERE {where} AND due_at IS NULL LIMIT ?",
            (*args, limit + len(seen) - len(rest)),
        ).fetchall()
    # referrals, then open demands, then priority; within each, the earliest deadline (undated last)
    ordered = sorted(first.values(), key=lambda r: (r[8] == 0, r[10] == 0, -r[7], r[5] is None, r[5] or ""))
    rows = ordered + [r for r in rest if r[0] not in seen]
    return tuple(_item(r) for r in rows[:limit])
