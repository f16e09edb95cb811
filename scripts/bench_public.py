#!/usr/bin/env python3
"""Benchmark the public page (issue 15, R17.1/R37.1): the server time of GET /public, p95, cached,
over a server database holding many tickets (a year of them, as bench_screen_pop builds it).

    .venv/bin/python scripts/bench_public.py                       # 1,000,000 tickets (several minutes to build)
    .venv/bin/python scripts/bench_public.py --tickets 100000      # a quicker look
    .venv/bin/python scripts/bench_public.py --db /tmp/pop.db      # keep/reuse the database (bench_screen_pop's too)

What is measured
    The app is the server's own (`create_app` over the database), in process through Starlette's
    TestClient, so the time is the server's: routing, the cache check (one query of the meta
    table: the event sequence and the case counter) and the answer. The period is the last complete
    month (what a citizen opening /public gets). The first, uncached render is timed and printed
    apart; then `--requests` cached requests are timed. Ten events are then pushed between two
    renders to show that the cache is rebuilt after a change (the second render is timed too).

Target (issue 15): p95 ≤ 50 ms cached. `--check` exits 1 when it is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from bench_screen_pop import server_database, ticket_count
from fastapi.testclient import TestClient

from operator_tui.config import default_rules
from operator_tui.domain.periods import CST, last_complete
from server_stub.app import create_app
from server_stub.settings import ServerSettings

TARGET_P95_MS = 50.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=None, help="build here once and reuse (default: a temporary file)")
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--check", action="store_true", help="exit 1 when p95 misses the target")
    args = ap.parse_args()

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "public.db"
    db, _ = server_database(args.db, args.tickets, random.Random(15))
    held = ticket_count(db)
    app = create_app(ServerSettings(db_path=db, sweep_every_seconds=0), default_rules())
    period = last_complete("month", datetime.now(CST).date())
    url = f"/public?period={period.key}"
    with TestClient(app) as client:
        t = time.perf_counter()
        first = client.get(url)
        cold_ms = (time.perf_counter() - t) * 1000
        assert first.status_code == 200, first.text
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        # a change (the case counter, as a decision bumps it) makes the next request render again
        with app.state.storage.write() as tx:
            tx.put_meta("public_cases", str(int(tx.meta("public_cases") or 0) + 1))
        t = time.perf_counter()
        client.get(url)
        rebuilt_ms = (time.perf_counter() - t) * 1000
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    load = os.getloadavg()
    print(f"database: {held:,} tickets ({db}); period {period.key}; page {len(first.content):,} bytes")
    print(f"first render (uncached): {cold_ms:.0f} ms; render after a change: {rebuilt_ms:.0f} ms")
    print(
        f"GET /public cached, {args.requests} requests: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max(times):.2f} ms "
        f"(target p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if p95 <= TARGET_P95_MS else 'MISSED'})"
    )
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    if tmp is not None:
        tmp.cleanup()
    return 1 if args.check and p95 > TARGET_P95_MS else 0


if __name__ == "__main__":
    sys.exit(main())
