#!/usr/bin/env python3
"""Save p95 on an encrypted seat database against a plain one (issue 16): the cost of SQLCipher.

    .venv/bin/python scripts/bench_encryption.py                    # 200,000 tickets, 7 rounds
    .venv/bin/python scripts/bench_encryption.py --tickets 1000000  # as bench_store.py (slower to build)

One plain database is built as `bench_store.py` builds it (the demo's tickets cloned to --tickets),
copied, and the copy encrypted with `hotline db encrypt`'s own conversion (store/encryption.py), so
both hold the same rows. Then rounds alternate plain, encrypted, plain, encrypted …: each round
times --samples `Desk.register` saves (one transaction: event + projection + outbox row,
synchronous=FULL, a connection per save as the seat opens them, keyed for the encrypted one) and as
many caller-history lookups. Interleaving spreads whatever else the machine does over both sides.
Printed: each side's p95 per round, the median of those p95s, their ratio (encrypted / plain), and
the 1-minute load average before and after.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_store import build, form, ms  # noqa: E402

from operator_tui.desk import Desk  # noqa: E402
from operator_tui.store import keys, tickets  # noqa: E402
from operator_tui.store.db import Store  # noqa: E402
from operator_tui.store.encryption import convert  # noqa: E402


def rounds_of(
    store: Store, rules, phones: list[str], samples: int, rng: random.Random
) -> tuple[list[float], list[float]]:
    desk = Desk(store, rules, "bench-operator")
    saves, lookups = [], []
    for _ in range(samples):
        phone = rng.choice(phones) if rng.random() < 0.5 else f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        f = form(rng, phone)
        t0 = time.perf_counter()
        desk.register(f, datetime.now(UTC))
        saves.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with store.connect() as db:
            tickets.caller_history(db, rng.choice(phones))
        lookups.append(time.perf_counter() - t0)
    return saves, lookups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200_000, help="tickets in each database (default 200,000)")
    parser.add_argument("--samples", type=int, default=300, help="timed saves per round and side (default 300)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds, each plain then encrypted (default 7)")
    parser.add_argument("--seed", type=int, default=8890)
    parser.add_argument("--dir", type=Path, default=None, help="parent folder of the temporary databases")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.samples < 20 or args.rounds < 1:
        parser.error("--tickets ≥ 1, --samples ≥ 20, --rounds ≥ 1")
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-enc-", dir=args.dir))
    plain_path, enc_path = workdir / "plain.db", workdir / "encrypted.db"
    try:
        built = build(plain_path, args.tickets, rng)
        shutil.copyfile(plain_path, enc_path)  # build() ends with the WAL checkpointed into the file
        os.chmod(enc_path, 0o600)
        started = time.perf_counter()
        key = keys.Key(keys.new_key(), "bench")
        done = convert(enc_path, None, key)
        print(
            f"databases: {built['tickets']:,} tickets, {built['events']:,} events each; "
            f"encrypted copy made in {time.perf_counter() - started:.0f} s ({done.tables} tables verified)"
        )
        sides = {"plain": Store.open(plain_path), "encrypted": Store.open(enc_path, key=key)}
        for store in sides.values():  # warm-up: page cache, first connections
            rounds_of(store, built["rules"], built["phones"], 20, rng)
        load_before = os.getloadavg()[0]
        p95: dict[str, dict[str, list[float]]] = {s: {"save": [], "lookup": []} for s in sides}
        for r in range(args.rounds):
            for side, store in sides.items():
                saves, lookups = rounds_of(store, built["rules"], built["phones"], args.samples, rng)
                p95[side]["save"].append(ms(saves)[1])
                p95[side]["lookup"].append(ms(lookups)[1])
            print(
                f"round {r + 1}: save p95 plain {p95['plain']['save'][-1]:.2f} ms, "
                f"encrypted {p95['encrypted']['save'][-1]:.2f} ms; lookup p95 plain "
                f"{p95['plain']['lookup'][-1]:.2f} ms, encrypted {p95['encrypted']['lookup'][-1]:.2f} ms"
            )
        load_after = os.getloadavg()[0]
        for what in ("save", "lookup"):
            plain = statistics.median(p95["plain"][what])
            enc = statistics.median(p95["encrypted"][what])
            print(
                f"{what:6} p95, median of {args.rounds} rounds × {args.samples}: plain {plain:.2f} ms, "
                f"encrypted {enc:.2f} ms, ratio {enc / plain:.2f}"
            )
        print(f"1-minute load average: {load_before:.2f} before, {load_after:.2f} after, on {os.cpu_count()} CPUs")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
