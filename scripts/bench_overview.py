#!/usr/bin/env python3
"""Benchmark: the supervisor overview's refresh over a city's worth of tickets.

Builds a seat database with N tickets (default 1,000,000, of which 10% open) in a temp dir, then
times `store.overview.compute` — what the overview screen runs every few seconds — and prints the
median and p95. Target (issue 7): ≤ 200 ms.

    .venv/bin/python scripts/bench_overview.py [--tickets 1000000] [--open 100000] [--runs 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from operator_tui.config import load_rules  # noqa: E402
from operator_tui.domain.model import Status  # noqa: E402
from operator_tui.store import overview  # noqa: E402
from operator_tui.store.db import Store  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
OPEN_STATUSES = [
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.IN_PROGRESS,
    Status.IN_PROGRESS,
    Status.EXTENSION_REQUESTED,
    Status.RESPONDED,
    Status.AWAITING_CALLBACK,
    Status.RATED,
    Status.RETURNED,
    Status.RATING_DISPUTED,
]
CLOCK = {
    Status.REGISTERED: "acceptance",
    Status.ACCEPTED: "dispatch",
    Status.RETURNED: "dispatch",
    Status.DISPATCHED: "resolution",
    Status.IN_PROGRESS: "resolution",
    Status.EXTENSION_REQUESTED: "resolution",
}


def build(path: Path, total: int, open_count: int, now: datetime) -> None:
    rules = load_rules()
    matters, places = list(rules.taxonomy.matters), [p for p in rules.taxonomy.places]
    units = list(rules.taxonomy.units)
    rng = random.Random(7)
    store = Store.open(path)
    iso = lambda dt: dt.astimezone(UTC).isoformat()  # noqa: E731
    with store.connect() as db:
        conn = db.conn
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        batch = []
        for i in range(total):
            is_open = i < open_count
            registered = now - timedelta(days=rng.uniform(0, 30 if is_open else 365))
            status = (
                rng.choice(OPEN_STATUSES)
                if is_open
                else rng.choice([Status.ARCHIVED, Status.ANSWERED, Status.REFUSED, Status.ADVISED])
            )
            clock = CLOCK.get(status)
            due = iso(registered + timedelta(days=rng.uniform(3, 12))) if clock else None
            responded = (
                iso(registered + timedelta(days=rng.uniform(1, 6)))
                if status in (Status.RESPONDED, Status.ARCHIVED)
                else None
            )
            batch.append(
                (
                    f"T{i:08d}",
                    f"2{i:012d}",
                    f"139{i % 10**8:08d}",
                    status.value,
                    rng.choice(matters),
                    rng.choice(places),
                    "complaint",
                    rng.choice(units),
                    0,
                    int(rng.random() < 0.002),
                    iso(registered),
                    iso(registered),
                    int(not is_open),
                    clock,
                    due,
                    0,
                    3,
                    "{}",
                    f"{rng.randrange(1, 40):03d}",
                    None if is_open else iso(registered + timedelta(days=3)),
                    due,
                    responded,
                    (int(rng.random() < 0.85) if responded else None),
                    int(is_open and rng.random() < 0.001),
                    int(is_open and rng.random() < 0.01),
                    0,
                )
            )
            if len(batch) == 50_000:
                _insert(conn, batch)
                batch.clear()
        _insert(conn, batch)
        events = [
            (
                f"E{i:08d}",
                f"T{i:08d}",
                "referral",
                "op",
                "operator",
                "001",
                iso(now - timedelta(hours=rng.uniform(0, 30))),
                "{}",
            )
            for i in range(2000)
        ]
        conn.executemany(
            "INSERT INTO events (id, ticket_id, kind, actor, role, seat, at, payload) VALUES (?,?,?,?,?,?,?,?)", events
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")


def _insert(conn, rows) -> None:
    conn.executemany(
        "INSERT INTO tickets (id, number, phone, status, matter, place, appeal_type, lead_unit, priority, referrals,"
        " registered_at, updated_at, closed, clock, due_at, due_provisional, version, data, seat, closed_at,"
        " resolution_due, responded_at, on_time, open_demands, supervision_level, coordination_level)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--open", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    now = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seat.db"
        t0 = time.perf_counter()
        build(path, args.tickets, args.open, now)
        print(f"built {args.tickets:,} tickets ({args.open:,} open) in {time.perf_counter() - t0:.1f} s")
        store = Store(path)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            with store.connect() as db:  # the screen opens a connection per refresh, so we do too
                result = overview.compute(db, now, TZ)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(
            f"overview refresh: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms "
            f"over {args.runs} runs (target ≤ 200 ms)"
        )
        print(
            f"  open overdue {result.open_overdue:,}, referrals today {result.referrals_today}, "
            f"units {len(result.units)}, hot spots {len(result.hot_spots)}, queue {len(result.queue)}"
        )


if __name__ == "__main__":
    main()
