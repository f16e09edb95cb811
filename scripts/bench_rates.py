#!/usr/bin/env python3
"""Benchmark the assessment rates (issue 15, R35.1): the time `compute_rates` takes for all units
over a year of 1,000,000 tickets. Target ≤ 2 s.

    .venv/bin/python scripts/bench_rates.py                        # builds a 1,000,000-ticket SQLite database in a temp folder
    .venv/bin/python scripts/bench_rates.py --db /tmp/rates.db     # build it there once, reuse it afterwards
    .venv/bin/python scripts/bench_rates.py --tickets 100000       # a quick look
    .venv/bin/python scripts/bench_rates.py --db postgresql://user@host/db   # PostgreSQL (an empty, UTF8 database)
    .venv/bin/python scripts/bench_rates.py --pg                   # PostgreSQL 15, a throwaway cluster (server_stub/pg_cluster.py)

How the database is built
    A real server database (`Storage.open`: the server's schema and migrations, _004's rate columns
    and indexes included). Its ticket rows are written in bulk, as bench_screen_pop.py does: one real
    projection row (`projection.row_for` of a ticket walked through the workflow) is the template
    for its JSON and columns, and each clone gets its own id, number, phone, registration time
    (uniform over the year 2025), matter, place (a street of a real district) and lead unit (one of
    the matter's units in the taxonomy), operator (80 staff), and rate facts drawn at realistic
    proportions (8% closed at intake and excluded; of the rest, 90% signed in time, 85% responded,
    88% of those on time, 60% rated, 80% resolved, 85% satisfied). No events are written: the rates
    never read them.

What is timed
    `compute_rates(storage, rules, year 2025, "unit")`: every unit's four rates, ranked, with the
    change from 2024 (which is also queried, and empty); then the same by district, matter, operator
    and for the whole city, once each for the record. Five runs of the unit report after one warm-up;
    median and max, with the load average of the machine. `--check` exits 1 when the median misses 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from operator_tui.config import default_rules  # noqa: E402
from operator_tui.domain.periods import parse_period  # noqa: E402
from server_stub.reports.rates import compute_rates  # noqa: E402
from server_stub.storage import _TICKET_COLS, Storage, TicketRow, is_postgres  # noqa: E402

TARGET_S = 2.0
CHUNK = 50_000
YEAR = 2025
OPERATORS = [str(1001 + i) for i in range(80)]


def template_row() -> TicketRow:
    """One real projection row: a ticket registered, dispatched, handled, rated and archived."""
    from server_stub.projection import row_for

    rules = default_rules()
    wf = rules.workflow
    from operator_tui.domain.model import Event, Role

    at = datetime(YEAR, 3, 2, 9, 0, tzinfo=rules.policy.tz)
    form = {
        "appellant": {
            "name": "王先生",
            "phone": "13912345678",
            "address": "铁东区站前街道1号楼2单元301",
            "kind": "person",
            "vulnerable": [],
        },
        "appeal_type": "complaint",
        "matter": "heating_temperature",
        "place": "tiedong.站前街道",
        "description": "家里暖气不热，室温只有15度，已经持续三天，老人孩子受冻，请尽快处理。",
        "channel": "hotline_8890",
        "number": "2503020010001",
    }
    steps = [
        ("register", Role.OPERATOR, form),
        ("accept", Role.SUPERVISOR, {}),
        ("dispatch", Role.SUPERVISOR, {"lead_unit": "heat_group", "co_units": []}),
        ("receive", Role.UNIT, {"unit": "heat_group"}),
        (
            "respond",
            Role.UNIT,
            {"unit": "heat_group", "result": "已派人维修，室温恢复到20度，并电话告知诉求人。", "told_appellant": True},
        ),
        ("review_pass", Role.SUPERVISOR, {}),
        (
            "callback",
            Role.SUPERVISOR,
            {"ratings": {"timeliness": 5, "result": 4, "attitude": 5, "overall": 5}, "words": "处理得挺快，满意。"},
        ),
        ("archive", Role.SUPERVISOR, {}),
    ]
    ticket = None
    for n, (kind, role, payload) in enumerate(steps):
        when = at + timedelta(hours=n)
        ticket = wf.apply(
            ticket,
            Event(
                id=f"01JTEMPLATE{n:015d}",
                ticket_id="01JTEMPLATETICKET000000000",
                kind=kind,
                actor="1001",
                role=role,
                seat="100",
                at=when,
                payload=payload,
            ),
            when,
        )
    return row_for(ticket, 1, None, rules)


def clones(total: int, rng: random.Random):
    """`total` projection rows as tuples in the storage's column order, registration time ascending."""
    rules = default_rules()
    tax = rules.taxonomy
    t = template_row()
    streets = [p for p in tax.places.values() if p.parent]
    matters = list(tax.matters.values())
    units = list(tax.units)
    start = datetime(YEAR, 1, 1, tzinfo=rules.policy.tz)
    step = 365 * 86400 / total
    for i in range(total):
        at = start + timedelta(seconds=i * step + rng.random() * step)
        day = at.date()
        matter = rng.choice(matters)
        place = rng.choice(streets)
        unit = rng.choice(matter.units) if matter.units else rng.choice(units)
        intake = rng.random() < 0.08

        def on(d: int, day: date = day) -> str:
            return (day + timedelta(days=d)).isoformat()

        responded = not intake and rng.random() < 0.85
        rated = responded and rng.random() < 0.60
        reply = rng.randint(1, 10)
        row = TicketRow(
            id=f"01J{i:023d}",
            number=f"{day:%y%m%d}{100 + i % 20}{i:07d}",
            phone=f"139{i:08d}",
            seat=str(100 + i % 20),
            status="archived" if rated else ("answered" if intake else "in_progress"),
            appeal_type=t.appeal_type,
            confidential=False,
            matter=matter.code,
            place=place.code,
            lead_unit=None if intake else unit,
            units=() if intake else (unit,),
            closed=rated or intake,
            clock=None,
            due_at=None,
            overdue=False,
            registered_at=at.astimezone(UTC).isoformat(),
            updated_at=at.astimezone(UTC).isoformat(),
            seq=i + 1,
            version=t.version,
            data=t.data,
            name=t.name,
            address=t.address,
            vulnerable=(),
            credit_marks=0,
            district=place.parent,
            operator=rng.choice(OPERATORS),
            ontime_on=on(reply) if responded else None,
            ontime_met=responded and rng.random() < 0.88,
            response_on=None if intake else on(rng.randint(0, 2)),
            response_met=not intake and rng.random() < 0.90,
            rated_on=on(reply + rng.randint(1, 3)) if rated else None,
            resolved=rated and rng.random() < 0.80,
            satisfied=rated and rng.random() < 0.85,
        )
        values = list(astuple(row))
        values[10] = "|" + "|".join(row.units) + "|"
        values[22] = ""
        yield tuple(int(v) if isinstance(v, bool) else v for v in values)


def build(target: str | Path, total: int, rng: random.Random) -> None:
    cols = [c.strip() for c in _TICKET_COLS.split(",")]
    storage = Storage.open(target)  # creates and migrates
    storage.close()
    started = time.perf_counter()
    if is_postgres(target):
        import psycopg

        with psycopg.connect(str(target)) as conn, conn.cursor() as cur:
            with cur.copy(f"COPY tickets ({', '.join(cols)}) FROM STDIN") as copy:
                for n, row in enumerate(clones(total, rng), 1):
                    copy.write_row(row)
                    if n % CHUNK == 0:
                        print(f"\r  building: {n:,} / {total:,} tickets", end="", file=sys.stderr, flush=True)
            cur.execute("UPDATE meta SET value = %s WHERE key = 'seq'", (str(total),))
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE tickets")  # the visibility map index-only scans need
    else:
        import sqlite3

        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = 'tickets'"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        sql = f"INSERT INTO tickets ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        rows = clones(total, rng)
        for lo in range(0, total, CHUNK):
            conn.execute("BEGIN")
            conn.executemany(sql, (next(rows) for _ in range(min(CHUNK, total - lo))))
            conn.execute("COMMIT")
            print(f"\r  building: {min(lo + CHUNK, total):,} / {total:,} tickets", end="", file=sys.stderr, flush=True)
        for _, sql_ in indexes:
            conn.execute(sql_)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (str(total),))
        conn.execute("ANALYZE")
        conn.close()
    print(f"\n  built {total:,} tickets in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def count(storage: Storage) -> int:
    with storage.read() as tx:
        return tx.table_count("tickets")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="SQLite file (built if absent, reused if present) or postgresql:// URL")
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--check", action="store_true", help="exit 1 when the median misses the target")
    ap.add_argument(
        "--pg", action="store_true", help="a throwaway PostgreSQL cluster (durable settings), removed after"
    )
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    tmp = cluster = None
    if args.pg:
        from server_stub.pg_cluster import Cluster

        cluster = Cluster.create(durable=True, settings=("shared_buffers = 512MB", "work_mem = 64MB"))
        target = cluster.create_database("rates")
    elif args.db is None:
        tmp = tempfile.TemporaryDirectory()
        target: str | Path = Path(tmp.name) / "rates.db"
    else:
        target = args.db if is_postgres(args.db) else Path(args.db)
    try:
        fresh = isinstance(target, Path) and not target.exists()
        if not fresh:
            storage = Storage.open(target)
            fresh = count(storage) == 0
            storage.close()
        if fresh:
            build(target, args.tickets, rng)
        rules = default_rules()
        storage = Storage.open(target)
        held = count(storage)
        year = parse_period(str(YEAR))
        compute_rates(storage, rules, year, "unit")  # warm-up: the first read pages the indexes in
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            report = compute_rates(storage, rules, year, "unit")
            times.append(time.perf_counter() - t)
        others = {}
        for by in ("district", "matter", "operator", "all"):
            t = time.perf_counter()
            compute_rates(storage, rules, year, by)
            others[by] = time.perf_counter() - t
        month = parse_period(f"{YEAR}-10")
        t = time.perf_counter()
        compute_rates(storage, rules, month, "unit")
        month_s = time.perf_counter() - t
        storage.close()
        engine = "PostgreSQL" if is_postgres(target) else "SQLite"
        median = statistics.median(times)
        total = report.total
        print(
            f"rates, all units over {YEAR} ({held:,} tickets, {engine}, {len(report.lines)} units): "
            f"median {median:.3f} s, max {max(times):.3f} s over {args.runs} runs (target ≤ {TARGET_S:.0f} s)"
        )
        print("  city: " + ", ".join(f"{r} {f.numerator:,}/{f.denominator:,}" for r, f in total.figures.items()))
        print(
            "  other groupings, one run each: "
            + ", ".join(f"{k} {v:.3f} s" for k, v in others.items())
            + f"; one month by unit {month_s:.3f} s"
        )
        print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 1 if args.check and median > TARGET_S else 0
    finally:
        if tmp is not None:
            tmp.cleanup()
        if cluster is not None:
            cluster.destroy()


if __name__ == "__main__":
    raise SystemExit(main())
