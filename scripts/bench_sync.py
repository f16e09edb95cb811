#!/usr/bin/env python3
"""Benchmark sync on loopback (issue 6). Prints three figures:

1. push   10,000 events recorded offline at a seat (2,500 tickets: register, accept, dispatch,
          note — through `Desk`, as the seat records them), then pushed by `SyncService` to a real
          server process on 127.0.0.1 and acknowledged. Target ≤ 10 s.
2. ingest the server's ingest rate — the same 10,000 events through `ingest.push` in batches of 500
          (workflow, idempotency receipts, projections, one durable commit per batch) — and its
          ratio to raw sqlite-utils `insert_all` of the same event rows into the same table
          (synchronous=FULL, one commit per 500). Target ≥ 2,000 events/s.
3. load   300 seats pulling their change feed every 2 s plus 20 writes/s for 60 s against the
          server process (asyncio + httpx.AsyncClient). Target p99 ≤ 100 ms, zero errors.

    .venv/bin/python scripts/bench_sync.py                       # the full run (~2 minutes)
    .venv/bin/python scripts/bench_sync.py --duration 10 --seats 100   # a quick look

Everything runs on loopback in a temporary directory, deleted at the end. `--check` exits 1 when
a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from ulid import ULID  # noqa: E402

from operator_tui.config import default_rules  # noqa: E402
from operator_tui.contract import EventIn  # noqa: E402
from operator_tui.desk import Desk  # noqa: E402
from operator_tui.store import meta, outbox  # noqa: E402
from operator_tui.store.db import Store  # noqa: E402
from operator_tui.sync.client import HotlineClient  # noqa: E402
from operator_tui.sync.service import SyncService  # noqa: E402
from server_stub import bootstrap, ingest  # noqa: E402
from server_stub.auth import Principal  # noqa: E402
from server_stub.storage import Storage  # noqa: E402

FORM = {"appellant": {"name": "王女士", "phone": "13912345678", "address": "铁东区站前街道1号楼", "kind": "person"},
        "appeal_type": "complaint", "matter": "heating_temperature", "place": "tiedong.站前街道",
        "description": "家里暖气不热，卧室室温只有15度。", "channel": "hotline_8890"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    code = "import sys; from operator_tui.cli import main; main(sys.argv[1:])"
    proc = subprocess.Popen([sys.executable, "-c", code, "server", "--db", str(db), "--port", str(port),
                             "--sweep-every", "0", "--log-level", "warning"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 30 s")


def record_offline(store: Store, events: int) -> None:
    rules = default_rules()
    desk = Desk(store, rules, "bench-operator")
    now = datetime.now(timezone.utc)
    with store.transaction() as db:
        meta.put(db, "seat_code", "001")
    for _ in range(events // 4):
        t = desk.register(FORM, now, [("accept", {}), ("dispatch", {"lead_unit": "heat_group"})])
        desk.record(t.id, "add_note", {"text": "来电人补充：楼上邻居家也不热。"}, now)


def bench_push(tmp: Path, url: str, token: str, events: int) -> tuple[float, list[bytes]]:
    store = Store.open(tmp / "seat.db")
    record_offline(store, events)
    with store.connect() as db:
        bodies = [r.body for r in outbox.pending(db, 10 * events)]
        depth = len(bodies)
    with httpx.Client(base_url=url, timeout=60) as http:
        service = SyncService(store, HotlineClient(http, token), default_rules(), batch_size=500)
        t0 = time.perf_counter()
        acked, refused = service.push()
        seconds = time.perf_counter() - t0
    with store.connect() as db:
        left = outbox.depth(db)
    print(f"push    {depth:,} offline events pushed and acknowledged in {seconds:.2f} s "
          f"({acked / seconds:,.0f} events/s; refused {refused}, outbox left {left})   target ≤ 10 s")
    return seconds, bodies


def bench_ingest(tmp: Path, bodies: list[bytes]) -> float:
    events = [EventIn.model_validate_json(b) for b in bodies]
    rules = default_rules()
    now = datetime.now(timezone.utc)
    storage = Storage.open(tmp / "ingest.db")
    seat = Principal(id="bench", name="bench", role=events[0].role, seat="001")
    t0 = time.perf_counter()
    for i in range(0, len(events), 500):
        ingest.push(storage, rules, seat, events[i:i + 500], now, now)
    rate = len(events) / (time.perf_counter() - t0)

    raw = Storage.open(tmp / "raw.db")
    with storage.read() as tx:
        rows = [dict(zip(("seq", "id", "ticket_id", "kind", "actor", "role", "seat", "at", "applied_at", "received_at",
                          "payload", "pushed_by"), r))
                for r in tx.conn.execute("SELECT seq, id, ticket_id, kind, actor, role, seat, at, applied_at, "
                                         "received_at, payload, pushed_by FROM events ORDER BY seq")]
    t0 = time.perf_counter()
    for i in range(0, len(rows), 500):
        with raw.write() as tx:
            tx.db["events"].insert_all(rows[i:i + 500])
    raw_rate = len(rows) / (time.perf_counter() - t0)
    print(f"ingest  server ingest {rate:,.0f} events/s; raw sqlite-utils insert of the same rows {raw_rate:,.0f} rows/s; "
          f"ratio {rate / raw_rate:.2f}   target ≥ 2,000 events/s")
    return rate


async def bench_load(url: str, seat_tokens: dict[str, str], duration: float, writes_per_s: float,
                     pull_every: float, *, cursor: str = "", numbers: dict[str, int] | None = None) -> tuple[float, int]:
    """`cursor`: where every seat's feed starts ("" = a new seat); `numbers`: each writer's last
    ticket number of today, for a database that already holds some (bench_screen_pop.py)."""
    pulls: list[float] = []
    writes: list[float] = []
    errors: list[str] = []
    # One client (one keep-alive connection) per seat, as 300 real seats would have: a single
    # shared AsyncClient scans its whole pool on every request and became the bottleneck itself.
    # One TLS context for all (httpx builds one per client otherwise, ~20 ms each; unused on http).
    tls = ssl.create_default_context()

    def client(token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, timeout=10, verify=tls, headers={"Authorization": f"Bearer {token}"})

    clients = {code: client(token) for code, token in seat_tokens.items()}
    writers = {code: client(token) for code, token in list(seat_tokens.items())[:20]}
    numbers = {code: (numbers or {}).get(code, 0) for code in writers}
    stop = time.monotonic() + duration
    try:

        async def seat(code: str, cursor: str = cursor) -> None:
            http = clients[code]
            await asyncio.sleep(random.uniform(0, pull_every))
            tick = time.monotonic()
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    r = await http.get("/v1/changes", params={"since": cursor})
                    if r.status_code == 200:
                        cursor = r.json()["next"]
                    else:
                        errors.append(f"pull HTTP {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"pull {type(exc).__name__}")
                pulls.append(time.perf_counter() - t0)
                tick += pull_every
                await asyncio.sleep(max(0.0, tick - time.monotonic()))

        async def write(code: str) -> None:
            numbers[code] += 1
            now = datetime.now(timezone.utc)
            event = {"id": str(ULID()), "ticket_id": str(ULID()), "kind": "register", "actor": "bench", "role": "operator",
                     "seat": code, "at": now.isoformat(),
                     "payload": {**FORM, "number": f"{now:%y%m%d}{code}{numbers[code]:04d}"}}
            t0 = time.perf_counter()
            try:
                r = await writers[code].post("/v1/events", json={"sent_at": now.isoformat(), "events": [event]})
                if r.status_code != 200 or r.json()["results"][0]["status"] != "applied":
                    errors.append(f"write HTTP {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"write {type(exc).__name__}")
            writes.append(time.perf_counter() - t0)

        async def writer() -> None:
            codes = list(writers)
            pending = set()
            next_at = time.monotonic()
            while time.monotonic() < stop:
                code = random.choice(codes)
                task = asyncio.create_task(write(code))
                pending.add(task)
                task.add_done_callback(pending.discard)
                next_at += 1 / writes_per_s
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            await asyncio.gather(*pending)

        await asyncio.gather(writer(), *(seat(c) for c in seat_tokens))
    finally:
        for c in [*clients.values(), *writers.values()]:
            await c.aclose()

    def pct(xs: list[float], p: float) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] * 1000 if xs else float("nan")

    every = sorted(pulls + writes)
    p99 = pct(every, 99)
    print(f"load    {len(seat_tokens)} seats pulling every {pull_every:g} s + {writes_per_s:g} writes/s for {duration:g} s: "
          f"{len(pulls):,} pulls p50 {pct(pulls, 50):.1f} ms p99 {pct(pulls, 99):.1f} ms; "
          f"{len(writes):,} writes p50 {pct(writes, 50):.1f} ms p99 {pct(writes, 99):.1f} ms; "
          f"all p99 {p99:.1f} ms; errors {len(errors)}   target p99 ≤ 100 ms, zero errors")
    if errors:
        print("        first errors:", ", ".join(errors[:5]))
    return p99, len(errors)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--seats", type=int, default=300)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--writes", type=float, default=20.0, help="writes per second in the load test")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args(argv)
    if not 1 <= args.seats <= 998:
        raise SystemExit("--seats: 1–998 (seat codes are 3 digits; 001 is the pushing seat)")
    tmp = Path(tempfile.mkdtemp(prefix="bench_sync_"))
    port = free_port()
    seats = [f"{i:03d}" for i in range(2, args.seats + 2)]
    issued = bootstrap.init(tmp / "server.db", datetime.now(timezone.utc), seats=["001", *seats])
    tokens = {p.seat: t for p, t in issued if p.seat}
    server = start_server(tmp / "server.db", port)
    url = f"http://127.0.0.1:{port}"
    print(f"bench_sync on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, server pid {server.pid} at {url}")
    try:
        push_s, bodies = bench_push(tmp, url, tokens["001"], args.events)
        rate = bench_ingest(tmp, bodies)
        p99, errors = asyncio.run(bench_load(url, {c: tokens[c] for c in seats}, args.duration, args.writes, 2.0))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    missed = [name for name, ok in (("push", push_s <= 10), ("ingest", rate >= 2000), ("load", p99 <= 100 and errors == 0))
              if not ok]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
