#!/usr/bin/env python3
"""Benchmark the seat's store at scale: one ticket save and one caller-history lookup over 1,000,000 tickets.

    .venv/bin/python scripts/bench_store.py                 # 1,000,000 tickets (a few minutes)
    .venv/bin/python scripts/bench_store.py --tickets 50000 # a quick run

How the database is built
    A temporary seat database is created through `Store.open` (so it has the real schema and
    migrations) and seeded with the demo tickets (`operator_tui.demo.seed`), which go through the real
    workflow and cover every stage. Those rows — projections and their events, with every column the
    current schema has — are the templates: the remaining tickets are clones with a new ULID, number,
    seat code, caller phone and times (every time column shifted with the registration time), written
    with `executemany` in large transactions with the secondary indexes dropped and rebuilt at the end.
    The JSON body keeps the template's texts and inner timestamps; the identity fields are rewritten.
    Callers have 1–5 tickets each. Bulk tickets count as already synced (no outbox rows).

What is measured (after a short warm-up, on the finished database, in WAL with synchronous=FULL)
    save    `Desk.register`: validation, number allocation, workflow, and the one transaction that
            writes event + projection + outbox row, committed with synchronous=FULL. Half the callers
            are returning callers, half new.
    lookup  `tickets.caller_history` for a known caller's phone, on a connection opened for the
            lookup (one connection per unit of work, as the seat does); the query alone is also shown.

Targets (issue 2): save p95 ≤ 5 ms, lookup p95 ≤ 10 ms. `--check` exits 1 when one is missed.
The temporary directory is deleted at the end unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from operator_tui.config import load_rules  # noqa: E402
from operator_tui.demo import seed  # noqa: E402
from operator_tui.desk import Desk  # noqa: E402
from operator_tui.store import tickets  # noqa: E402
from operator_tui.store.db import Store  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHUNK = 50_000
BULK_SEATS = 20  # bulk tickets come from seats 100–119, so their numbers never meet the bench seat's
TARGET_SAVE_MS = 5.0
TARGET_LOOKUP_MS = 10.0


def ulid(ms: int, rand: int) -> str:
    """A ULID string from a millisecond timestamp and an 80-bit 'random' part."""
    value = (ms << 80) | rand
    out = []
    for _ in range(26):
        out.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 19 or value[4] != "-" or "T" not in value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else None


def recipe(columns: list[str], row: tuple, base: datetime, fixed: dict[str, str]) -> list[Callable[[dict], Any]]:
    """How to build each column of a clone from the template `row`: a fixed field, a time shifted
    like the registration time, or the template's value."""
    steps: list[Callable[[dict], Any]] = []
    for col, value in zip(columns, row):
        if col in fixed:
            key = fixed[col]
            steps.append(lambda c, key=key: c[key])
            continue
        dt = parse_time(value)
        if dt is not None:
            delta, tz = dt - base, dt.tzinfo
            steps.append(lambda c, delta=delta, tz=tz: (c["at"] + delta).astimezone(tz).isoformat())
        else:
            steps.append(lambda c, value=value: value)
    return steps


class Templates:
    """The demo tickets and their events, turned into recipes for clones."""

    def __init__(self, conn: sqlite3.Connection):
        self.ticket_cols = [r[1] for r in conn.execute("PRAGMA table_info(tickets)")]
        self.event_cols = [r[1] for r in conn.execute("PRAGMA table_info(events)") if r[1] != "seq"]
        rows = conn.execute(f"SELECT {', '.join(self.ticket_cols)} FROM tickets").fetchall()
        self.items = []
        for row in rows:
            t = dict(zip(self.ticket_cols, row))
            base = datetime.fromisoformat(t["registered_at"])
            fixed = {"id": "id", "number": "number", "phone": "phone", "data": "data", "seat": "seat"}
            ticket = recipe(self.ticket_cols, row, base, {k: v for k, v in fixed.items() if k in self.ticket_cols})
            events = []
            for erow in conn.execute(
                f"SELECT {', '.join(self.event_cols)} FROM events WHERE ticket_id = ? ORDER BY seq", (t["id"],)
            ):
                e = dict(zip(self.event_cols, erow))
                efixed = {"id": "event_id", "ticket_id": "id", "seat": "seat"}
                if e["kind"] == "register":
                    efixed["payload"] = "register_payload"
                events.append((recipe(self.event_cols, erow, base, efixed), e["payload"]))
            self.items.append({"t": t, "ticket": ticket, "events": events})

    def clone(self, k: int, c: dict) -> tuple[tuple, list[tuple]]:
        item = self.items[k % len(self.items)]
        t = item["t"]
        c["data"] = (
            t["data"]
            .replace(t["id"], c["id"])
            .replace(t["number"], c["number"])
            .replace(f'"phone":"{t["phone"]}"', f'"phone":"{c["phone"]}"')
        )
        row = tuple(step(c) for step in item["ticket"])
        events = []
        for n, (steps, payload) in enumerate(item["events"]):
            c["event_id"] = c["id"][:24] + CROCKFORD[n // 32] + CROCKFORD[n % 32]
            c["register_payload"] = payload.replace(t["number"], c["number"]).replace(t["phone"], c["phone"])
            events.append(tuple(step(c) for step in steps))
        return row, events


def caller_phones(n: int, rng: random.Random) -> list[str]:
    """One phone per ticket: callers with 1–5 tickets each, in random order."""
    seen: set[str] = set()
    phones: list[str] = []
    while len(phones) < n:
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if phone in seen:
            continue
        seen.add(phone)
        phones.extend([phone] * rng.randint(1, 5))
    del phones[n:]
    rng.shuffle(phones)
    return phones


def write_clones(
    conn: sqlite3.Connection,
    templates: Templates,
    phones: list[str],
    now: datetime,
    rng: random.Random,
    *,
    done: int,
    total: int,
) -> None:
    """One clone of a random template per phone, registered over the year before `now` by the bulk
    seats, written in transactions of CHUNK tickets. Shared with
    bench_screen_pop.py, which builds a server database the same way."""
    bulk = len(phones)
    start, step = now - timedelta(days=366), timedelta(days=365).total_seconds() / max(bulk, 1)
    seq: dict[tuple[str, str], int] = {}
    t_sql = f"INSERT INTO tickets ({', '.join(templates.ticket_cols)}) VALUES ({', '.join('?' * len(templates.ticket_cols))})"
    e_sql = (
        f"INSERT INTO events ({', '.join(templates.event_cols)}) VALUES ({', '.join('?' * len(templates.event_cols))})"
    )
    for lo in range(0, bulk, CHUNK):
        t_rows, e_rows = [], []
        for i in range(lo, min(lo + CHUNK, bulk)):
            at = start + timedelta(seconds=i * step + rng.random() * step * 0.9)
            seat = str(100 + i % BULK_SEATS)
            day = (at + timedelta(hours=8)).strftime("%y%m%d")  # Asia/Shanghai has no DST
            n = seq[(day, seat)] = seq.get((day, seat), 0) + 1
            ms = int(at.timestamp() * 1000)
            c = {
                "at": at,
                "id": ulid(ms, (i + 1) << 10),
                "number": f"{day}{seat}{n:04d}",
                "phone": phones[i],
                "seat": seat,
            }
            row, events = templates.clone(rng.randrange(len(templates.items)), c)
            t_rows.append(row)
            e_rows.extend(events)
        conn.execute("BEGIN")
        conn.executemany(t_sql, t_rows)
        conn.executemany(e_sql, e_rows)
        conn.execute("COMMIT")
        print(
            f"\r  building: {min(lo + CHUNK, bulk) + done:,} / {total:,} tickets", end="", file=sys.stderr, flush=True
        )
    print(file=sys.stderr)


def build(path: Path, total: int, rng: random.Random) -> dict[str, Any]:
    started = time.perf_counter()
    rules = load_rules()
    store = Store.open(path)
    now = datetime.now(UTC)
    demo = seed(store, rules, now)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        templates = Templates(conn)
        conn.execute("PRAGMA journal_mode=OFF")  # bulk load only; the store is reopened in WAL below
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")
        conn.execute("PRAGMA temp_store=MEMORY")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('tickets', 'events')"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        bulk = max(total - demo, 0)
        phones = caller_phones(bulk, rng)
        write_clones(conn, templates, phones, now, rng, done=demo, total=total)
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute("PRAGMA journal_mode=WAL")
        counts = conn.execute("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM events)").fetchone()
    finally:
        conn.close()
    Store.open(path)
    # The bulk load ran with synchronous=OFF: push its gigabytes to disk now, so the timed fsyncs
    # measure a seat's steady state rather than waiting behind the kernel's writeback of the build.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.sync()
    return {
        "tickets": counts[0],
        "events": counts[1],
        "seconds": time.perf_counter() - started,
        "phones": sorted(set(phones)) or ["13912345678"],
        "rules": rules,
    }


def form(rng: random.Random, phone: str) -> dict[str, Any]:
    return {
        "appellant": {
            "name": rng.choice("王李张刘陈杨") + rng.choice(["先生", "女士"]),
            "phone": phone,
            "address": f"铁东区站前街道{rng.randrange(1, 60)}号楼",
            "kind": "person",
            "vulnerable": [],
        },
        "appeal_type": "complaint",
        "matter": rng.choice(["heating_temperature", "water_outage", "garbage"]),
        "place": "tiedong.站前街道",
        "description": "暖气不热，室温只有15度，请尽快处理。",
        "channel": "hotline_8890",
    }


def ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, statistics.quantiles(samples, n=100, method="inclusive")[94] * 1000


def measure(path: Path, built: dict[str, Any], samples: int, rng: random.Random) -> dict[str, tuple[float, float]]:
    store = Store(path)
    desk = Desk(store, built["rules"], "bench-operator")
    phones = built["phones"]

    def one_save() -> float:
        phone = rng.choice(phones) if rng.random() < 0.5 else f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        f = form(rng, phone)
        t0 = time.perf_counter()
        desk.register(f, datetime.now(UTC))
        return time.perf_counter() - t0

    def one_lookup() -> float:
        phone = rng.choice(phones)
        t0 = time.perf_counter()
        with store.connect() as db:
            rows = tickets.caller_history(db, phone)
        elapsed = time.perf_counter() - t0
        assert rows, phone
        return elapsed

    for _ in range(20):
        one_save(), one_lookup()
    saves = [one_save() for _ in range(samples)]
    lookups = [one_lookup() for _ in range(samples)]
    with store.connect() as db:
        query = []
        for _ in range(samples):
            phone = rng.choice(phones)
            t0 = time.perf_counter()
            tickets.caller_history(db, phone)
            query.append(time.perf_counter() - t0)
    return {"save": ms(saves), "lookup": ms(lookups), "query": ms(query)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets in the database (default 1,000,000)")
    parser.add_argument("--samples", type=int, default=1000, help="timed saves and lookups (default 1000 each)")
    parser.add_argument("--seed", type=int, default=8890)
    parser.add_argument("--dir", type=Path, default=None, help="parent folder of the temporary database")
    parser.add_argument("--keep", action="store_true", help="keep the database and print its path")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.samples < 20:
        parser.error("--tickets must be ≥ 1 and --samples ≥ 20")
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-", dir=args.dir))
    path = workdir / "seat.db"
    try:
        built = build(path, args.tickets, rng)
        size = sum(p.stat().st_size for p in workdir.iterdir()) / 1e9
        print(
            f"seat database: {built['tickets']:,} tickets, {built['events']:,} events, "
            f"{len(built['phones']):,} callers, {size:.2f} GB, built in {built['seconds']:.0f} s"
        )
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        result = measure(path, built, args.samples, rng)
        ok_save = result["save"][1] <= TARGET_SAVE_MS
        ok_lookup = result["lookup"][1] <= TARGET_LOOKUP_MS
        print(
            f"save   (Desk.register, one transaction, synchronous=FULL), {args.samples} samples: "
            f"median {result['save'][0]:.2f} ms, p95 {result['save'][1]:.2f} ms  "
            f"[target p95 ≤ {TARGET_SAVE_MS:g} ms: {'met' if ok_save else 'MISSED'}]"
        )
        print(
            f"lookup (tickets.caller_history by phone, own connection), {args.samples} samples: "
            f"median {result['lookup'][0]:.2f} ms, p95 {result['lookup'][1]:.2f} ms  "
            f"[target p95 ≤ {TARGET_LOOKUP_MS:g} ms: {'met' if ok_lookup else 'MISSED'}]"
        )
        print(
            f"         (query alone on an open connection: median {result['query'][0]:.3f} ms, "
            f"p95 {result['query'][1]:.3f} ms)"
        )
        print(f"         (1-minute load average when the timing began: {load:.2f} on {os.cpu_count()} CPUs)")
        if args.keep:
            print(f"kept: {path}")
        return 1 if args.check and not (ok_save and ok_lookup) else 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
