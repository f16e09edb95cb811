#!/usr/bin/env python3
"""Benchmark sync on loopback (issue 6), on SQLite and on PostgreSQL side by side (issue 17).
For each engine it prints three figures, then a table of both:

1. push   10,000 events recorded offline at a seat (2,500 tickets: register, accept, dispatch,
          note — through `Desk`, as the seat records them), then pushed by `SyncService` to a real
          server process on 127.0.0.1 and acknowledged. Target ≤ 10 s.
2. ingest the server's ingest rate — the same 10,000 events through `ingest.push` in batches of 500
          (workflow, idempotency receipts, projections, one durable commit per batch) — and its
          ratio to a raw insert of the same event rows into the same table (one durable commit per
          500). Target ≥ 2,000 events/s (SQLite), ≥ 5,000 (PostgreSQL, issue 17).
3. load   N seats pulling their change feed every 2 s plus 20 writes/s for 60 s against the
          server (asyncio on uvloop, one keep-alive connection per seat through scripts/raw_http.py;
          `--client httpx` for httpx.AsyncClient), for each N of --seats. SQLite: one server process;
          PostgreSQL: --processes server processes on one database, the seats spread over them.
          Target p99 ≤ 100 ms, zero errors. Also printed: the server processes' CPU and the load
          average, since the simulated seats share the machine with what they measure.

    .venv/bin/python scripts/bench_sync.py --engine sqlite                 # issue 6's run (~2 minutes)
    .venv/bin/python scripts/bench_sync.py --seats 300,1000                # both engines, side by side
    .venv/bin/python scripts/bench_sync.py --duration 10 --seats 100       # a quick look

PostgreSQL is a throwaway cluster from the machine's PostgreSQL 15 binaries with its durable
defaults (fsync, synchronous_commit on), in the temporary directory. Everything runs on loopback
and is deleted at the end. `--check` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from ulid import ULID  # noqa: E402

from operator_tui.config import default_rules  # noqa: E402
from operator_tui.contract import EventIn  # noqa: E402
from operator_tui.desk import Desk  # noqa: E402
from operator_tui.domain.model import Role  # noqa: E402
from operator_tui.store import meta, outbox  # noqa: E402
from operator_tui.store.db import Store  # noqa: E402
from operator_tui.sync.client import HotlineClient  # noqa: E402
from operator_tui.sync.service import SyncService  # noqa: E402
from server_stub import bootstrap, ingest  # noqa: E402
from server_stub.auth import Principal  # noqa: E402
from server_stub.pg_cluster import Cluster  # noqa: E402
from server_stub.storage import Storage  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from raw_http import RawClient  # noqa: E402

FORM = {
    "appellant": {"name": "王女士", "phone": "13912345678", "address": "铁东区站前街道1号楼", "kind": "person"},
    "appeal_type": "complaint",
    "matter": "heating_temperature",
    "place": "tiedong.站前街道",
    "description": "家里暖气不热，卧室室温只有15度。",
    "channel": "hotline_8890",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path | str, port: int) -> subprocess.Popen:
    code = "import sys; from operator_tui.cli import main; main(sys.argv[1:])"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "server",
            "--db",
            str(db),
            "--port",
            str(port),
            "--sweep-every",
            "0",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 30 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc), to say how busy the servers were."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU this process (the simulated seats) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_cpu(cluster: Cluster | None) -> float:
    """CPU used so far by the cluster's processes (the postmaster's children, exited ones not counted)."""
    if cluster is None:
        return 0.0
    try:
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == postmaster or int(stat.parent.name) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run_async(coro: Any) -> Any:
    """asyncio.run on uvloop when it is installed (a leaner loop for the simulated seats)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def record_offline(store: Store, events: int) -> None:
    rules = default_rules()
    desk = Desk(store, rules, "bench-operator")
    now = datetime.now(UTC)
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
    print(
        f"push    {depth:,} offline events pushed and acknowledged in {seconds:.2f} s "
        f"({acked / seconds:,.0f} events/s; refused {refused}, outbox left {left})   target ≤ 10 s"
    )
    return seconds, bodies


def bench_ingest(ingest_db: Path | str, raw_db: Path | str, bodies: list[bytes], target: int) -> float:
    events = [EventIn.model_validate_json(b) for b in bodies]
    rules = default_rules()
    now = datetime.now(UTC)
    storage = Storage.open(ingest_db)
    seat = Principal(id="bench", name="bench", role=events[0].role, seat="001")
    t0 = time.perf_counter()
    for i in range(0, len(events), 500):
        ingest.push(storage, rules, seat, events[i : i + 500], now, now)
    rate = len(events) / (time.perf_counter() - t0)

    raw = Storage.open(raw_db)
    with storage.read() as tx:
        rows = tx.table_rows("events", limit=10 * len(events))
    t0 = time.perf_counter()
    for i in range(0, len(rows), 500):
        with raw.write() as tx:
            tx.insert_rows("events", rows[i : i + 500])
    raw_rate = len(rows) / (time.perf_counter() - t0)
    storage.close()
    raw.close()
    print(
        f"ingest  server ingest {rate:,.0f} events/s; raw insert of the same rows {raw_rate:,.0f} rows/s; "
        f"ratio {rate / raw_rate:.2f}   target ≥ {target:,} events/s"
    )
    return rate


async def bench_load(
    url: str | list[str],
    seat_tokens: dict[str, str],
    duration: float,
    writes_per_s: float,
    pull_every: float,
    *,
    cursor: str = "",
    numbers: dict[str, int] | None = None,
    client_kind: str = "raw",
) -> tuple[float, int]:
    """`url`: one server, or several (processes on one database) that the seats are spread over;
    `cursor`: where every seat's feed starts ("" = a new seat); `numbers`: each writer's last
    ticket number of today, for a database that already holds some (bench_screen_pop.py)."""
    urls = [url] if isinstance(url, str) else list(url)
    pulls: list[float] = []
    writes: list[float] = []
    errors: list[str] = []
    # One client (one keep-alive connection) per seat, as real seats would have: a single shared
    # AsyncClient scans its whole pool on every request and became the bottleneck itself.
    # raw_http by default: httpx costs ~1.3 ms of CPU a request, which at 1,000 seats took two
    # thirds of a core from the servers this measures (`--client httpx` to compare).
    # One TLS context for all httpx clients (it builds one per client otherwise, ~20 ms each).
    tls = ssl.create_default_context()

    def client(token: str, i: int) -> Any:
        if client_kind == "raw":
            return RawClient(urls[i % len(urls)], token=token, timeout=10)
        return httpx.AsyncClient(
            base_url=urls[i % len(urls)], timeout=10, verify=tls, headers={"Authorization": f"Bearer {token}"}
        )

    clients = {code: client(token, i) for i, (code, token) in enumerate(seat_tokens.items())}
    writers = {code: client(token, i) for i, (code, token) in enumerate(list(seat_tokens.items())[:20])}
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
                except Exception as exc:
                    errors.append(f"pull {type(exc).__name__}: {exc}")
                pulls.append(time.perf_counter() - t0)
                tick += pull_every
                await asyncio.sleep(max(0.0, tick - time.monotonic()))

        async def write(code: str) -> None:
            numbers[code] += 1
            now = datetime.now(UTC)
            event = {
                "id": str(ULID()),
                "ticket_id": str(ULID()),
                "kind": "register",
                "actor": "bench",
                "role": "operator",
                "seat": code,
                "at": now.isoformat(),
                "payload": {**FORM, "number": f"{now:%y%m%d}{code}{numbers[code]:04d}"},
            }
            t0 = time.perf_counter()
            try:
                r = await writers[code].post("/v1/events", json={"sent_at": now.isoformat(), "events": [event]})
                if r.status_code != 200:
                    errors.append(f"write HTTP {r.status_code}")
                elif (result := r.json()["results"][0])["status"] != "applied":  # say why, or nobody can tell
                    errors.append(f"write {result['status']} {result.get('rule')}: {str(result.get('reason'))[:80]}")
            except Exception as exc:  # every failure counted, none left in an unretrieved task
                errors.append(f"write {type(exc).__name__}: {exc}")
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
    print(
        f"load    {len(seat_tokens)} seats on {len(urls)} process(es) pulling every {pull_every:g} s + {writes_per_s:g} writes/s for {duration:g} s: "
        f"{len(pulls):,} pulls p50 {pct(pulls, 50):.1f} ms p99 {pct(pulls, 99):.1f} ms; "
        f"{len(writes):,} writes p50 {pct(writes, 50):.1f} ms p99 {pct(writes, 99):.1f} ms; "
        f"all p99 {p99:.1f} ms; errors {len(errors)}   target p99 ≤ 100 ms, zero errors"
    )
    if errors:
        print("        first errors:", ", ".join(errors[:5]))
    return p99, len(errors)


@dataclass
class Figures:
    engine: str
    processes: int
    push_s: float = float("nan")
    ingest: float = float("nan")
    load: dict[int, tuple[float, int]] = field(default_factory=dict)


def run_engine(engine: str, tmp: Path, args: argparse.Namespace) -> Figures:
    """Every figure for one engine: its own database(s), server process(es) and load."""
    cluster = None
    if engine == "postgresql":
        cluster = Cluster.create(tmp / "pg", durable=True)
        server_db: Path | str = cluster.create_database("server")
        ingest_db, raw_db = cluster.create_database("ingest"), cluster.create_database("raw")
    else:
        server_db, ingest_db, raw_db = tmp / "server.db", tmp / "ingest.db", tmp / "raw.db"
    processes = args.processes if engine == "postgresql" else 1
    most = max(args.seats)
    codes = [f"{i:03d}" for i in range(2, min(most, 998) + 2)]
    issued = bootstrap.init(server_db, datetime.now(UTC), seats=["001", *codes])
    tokens = {p.seat: t for p, t in issued if p.seat}
    # Past 998 seats the 3-digit codes run out: the rest are people's tokens at enrolled seats
    # (what a centre with more operators than desks would have), pulling as a seat does.
    for extra in range(most - len(codes)):
        code = codes[extra % len(codes)]
        _, token = bootstrap.issue(
            server_db, datetime.now(UTC), role=Role.OPERATOR, name=f"op{extra}", seat=code, staff_no=str(10000 + extra)
        )
        tokens[f"p{extra}"] = token
    ports = [free_port() for _ in range(processes)]
    servers = [start_server(server_db, port) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    figures = Figures(engine, processes)
    print(f"\n== {engine}: {processes} server process(es) at {', '.join(urls)}")
    try:
        figures.push_s, bodies = bench_push(tmp / engine, urls[0], tokens["001"], args.events)
        figures.ingest = bench_ingest(ingest_db, raw_db, bodies, 5000 if engine == "postgresql" else 2000)
        load_tokens = [(c, t) for c, t in tokens.items() if c != "001"]
        for k, n in enumerate(args.seats):
            # Each run's 20 writers are seats the earlier runs did not write from: their ticket
            # numbers (today, from 0001) are then new, as bench_load numbers them.
            rotated = load_tokens[20 * k :] + load_tokens[: 20 * k]
            cpu0, load0 = [cpu_seconds(s.pid) for s in servers], os.getloadavg()[0]
            db0, own0 = database_cpu(cluster), own_cpu()
            figures.load[n] = run_async(
                bench_load(urls, dict(rotated[:n]), args.duration, args.writes, 2.0, client_kind=args.client)
            )
            used = sum(cpu_seconds(s.pid) - c for s, c in zip(servers, cpu0, strict=True))
            db_used, own_used = database_cpu(cluster) - db0, own_cpu() - own0
            print(
                f"        CPU, in cores: server processes {used / args.duration:.2f}, "
                + (f"PostgreSQL {db_used / args.duration:.2f}, " if cluster else "")
                + f"the simulated seats {own_used / args.duration:.2f}; "
                f"load average {load0:.2f} before, {os.getloadavg()[0]:.2f} after"
            )
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        if cluster is not None:
            cluster.stop()
    return figures


def table(results: list[Figures]) -> None:
    print("\n| figure | " + " | ".join(f"{f.engine} ({f.processes} proc.)" for f in results) + " |")
    print("|---|" + "---|" * len(results))
    print("| push 10,000 offline events | " + " | ".join(f"{f.push_s:.2f} s" for f in results) + " |")
    print("| ingest | " + " | ".join(f"{f.ingest:,.0f} events/s" for f in results) + " |")
    for n in sorted({n for f in results for n in f.load}):
        cells = [f"p99 {f.load[n][0]:.1f} ms, {f.load[n][1]} errors" if n in f.load else "–" for f in results]
        print(f"| {n:,} seats pulling every 2 s + writes | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--processes", type=int, default=2, help="PostgreSQL: server processes on one database")
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--seats", default="300", help="seat counts for the load, comma-separated (e.g. 300,1000)")
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--writes", type=float, default=20.0, help="writes per second in the load test")
    ap.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="the simulated seats' HTTP client (raw_http.py says why)",
    )
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args(argv)
    try:
        args.seats = [int(n) for n in str(args.seats).split(",")]
    except ValueError:
        raise SystemExit("--seats: numbers separated by commas, e.g. 300,1000") from None
    if not all(1 <= n <= 5000 for n in args.seats):
        raise SystemExit("--seats: each 1–5000")
    tmp = Path(tempfile.mkdtemp(prefix="bench_sync_"))
    os.chmod(tmp, 0o755)  # the PostgreSQL cluster inside runs as `postgres` when we are root
    print(f"bench_sync on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    results = []
    try:
        for engine in ("sqlite", "postgresql"):
            if args.engine in (engine, "both"):
                (tmp / engine).mkdir()
                results.append(run_engine(engine, tmp, args))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    table(results)
    missed = []
    for f in results:
        ingest_target = 5000 if f.engine == "postgresql" else 2000
        missed += [
            f"{f.engine} {name}"
            for name, ok in (
                ("push", f.push_s <= 10),
                ("ingest", f.ingest >= ingest_target),
                *((f"load {n}", p99 <= 100 and errors == 0) for n, (p99, errors) in f.load.items()),
            )
            if not ok
        ]
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
