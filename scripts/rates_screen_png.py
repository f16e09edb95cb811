#!/usr/bin/env python3
"""The README's picture of the 三率考核 screen (issue 15, R35.1), captured from the seat itself.

    .venv/bin/python scripts/rates_screen_png.py                  # → docs/img/rates_screen.png
    .venv/bin/python scripts/rates_screen_png.py --out /tmp/r.png --tickets 20000

A throwaway server database gets `--tickets` projection rows over August–November 2025, written in
bulk as scripts/bench_rates.py writes them (one real projection row as the template), but with
each unit's own standard (its on-time, signing, resolution and satisfaction chances drawn once) and
a slow drift over the weeks, so the bars and the trend have something to show. The real seat
(`make_app`, a supervisor's token, the in-process server as its HTTP client) opens the screen
with `l` from the overview; Textual writes the SVG and `rsvg-convert` (Debian: librsvg2-bin) the PNG.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

NOW_LOCAL = (2025, 11, 26, 10, 0)
FIRST = date(2025, 8, 1)


def rows(total: int, rng: random.Random, rules):
    from bench_rates import OPERATORS, template_row

    from server_stub.storage import TicketRow

    tax, t = rules.taxonomy, template_row()
    now = datetime(*NOW_LOCAL, tzinfo=rules.policy.tz)
    streets = [p for p in tax.places.values() if p.parent]
    matters = [m for m in tax.matters.values() if m.units]
    quality = {
        u: (rng.uniform(0.55, 0.95), rng.uniform(0.7, 0.98), rng.uniform(0.55, 0.92), rng.uniform(0.65, 0.95))
        for u in tax.units
    }
    phase = {u: rng.uniform(0, 6.3) for u in tax.units}
    span = (now.date() - FIRST).days
    for i in range(total):
        day = FIRST + timedelta(days=rng.randrange(span))
        at = datetime.combine(day, datetime.min.time(), rules.policy.tz) + timedelta(hours=rng.uniform(8, 20))
        matter, place = rng.choice(matters), rng.choice(streets)
        unit = rng.choice(matter.units)
        # units improve a little as the autumn goes on, and each has its good and bad weeks
        drift = (day - FIRST).days / span * 0.06 + 0.08 * math.sin((day - FIRST).days / 9 + phase[unit])
        q_on, q_sign, q_res, q_sat = (max(0.3, min(0.99, q + drift)) for q in quality[unit])
        reply = rng.randint(1, 9)

        def on(d: int, day: date = day) -> str | None:
            when = day + timedelta(days=d)
            return when.isoformat() if when <= now.date() else None

        responded = rng.random() < 0.85 and on(reply) is not None
        rated = responded and rng.random() < 0.6 and on(reply + 2) is not None
        row = TicketRow(
            id=f"01K{i:023d}",
            number=f"{day:%y%m%d}{100 + i % 20}{i:06d}",
            phone=f"139{i:08d}",
            seat=str(100 + i % 20),
            status="archived" if rated else "responded" if responded else "in_progress",
            appeal_type=t.appeal_type,
            confidential=False,
            matter=matter.code,
            place=place.code,
            lead_unit=unit,
            units=(unit,),
            closed=rated,
            clock=None,
            due_at=None,
            overdue=False,
            registered_at=at.astimezone(UTC).isoformat(),
            updated_at=at.astimezone(UTC).isoformat(),
            seq=i + 1,
            version=t.version,
            data=t.data,
            name="",
            address="",
            vulnerable=(),
            credit_marks=0,
            district=place.parent,
            operator=rng.choice(OPERATORS),
            ontime_on=on(reply) if responded else None,
            ontime_met=responded and rng.random() < q_on,
            response_on=on(rng.randint(0, 1)),
            response_met=rng.random() < q_sign,
            rated_on=on(reply + 2) if rated else None,
            resolved=rated and rng.random() < q_res,
            satisfied=rated and rng.random() < q_sat,
        )
        values = list(astuple(row))
        values[10] = "|" + "|".join(row.units) + "|"
        values[22] = ""
        yield tuple(int(v) if isinstance(v, bool) else v for v in values)


def build(db: Path, total: int, rules) -> None:
    import sqlite3

    from server_stub.storage import _TICKET_COLS, Storage

    Storage.open(db).close()  # the server's schema and migrations
    cols = [c.strip() for c in _TICKET_COLS.split(",")]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO tickets ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        rows(total, random.Random(15), rules),
    )
    conn.execute("UPDATE meta SET value = ? WHERE key = 'seq'", (str(total),))
    conn.execute("COMMIT")
    conn.close()


async def capture(db: Path, svg: Path, size: tuple[int, int]) -> None:
    from fastapi.testclient import TestClient

    from operator_tui.config import default_rules
    from operator_tui.desk import Desk
    from operator_tui.domain.model import Role
    from operator_tui.settings import Settings
    from operator_tui.store.db import Store
    from operator_tui.sync.client import HotlineClient
    from operator_tui.sync.service import SyncService
    from operator_tui.ui.app import make_app
    from operator_tui.ui.context import SeatContext
    from server_stub import bootstrap
    from server_stub.app import create_app
    from server_stub.settings import ServerSettings

    rules = default_rules()
    now = datetime(*NOW_LOCAL, tzinfo=rules.policy.tz)
    issued = bootstrap.init(db, now - timedelta(days=120), supervisors=["值班长"])
    token = next(t for p, t in issued if p.role is Role.SUPERVISOR)
    app = create_app(ServerSettings(db_path=db, sweep_every_seconds=0, clock=lambda: now), rules)
    with TestClient(app) as http:
        settings = Settings.resolve(db=db.parent / "seat.db", operator="值班长")
        store = Store.open(settings.db_path)
        sync = SyncService(store, HotlineClient(http, token, clock=lambda: now), rules, clock=lambda: now)
        ctx = SeatContext(
            settings=settings,
            rules=rules,
            store=store,
            desk=Desk(store, rules, settings.operator),
            role=Role.SUPERVISOR,
            now=lambda: now,
            sync=sync,
        )
        seat = make_app(ctx)
        async with seat.run_test(size=size) as pilot:
            for _ in range(3):
                await pilot.pause(0.2)
                await seat.workers.wait_for_complete()
            await pilot.press("l")
            for _ in range(6):
                await pilot.pause(0.2)
                await seat.workers.wait_for_complete()
            await pilot.press(*["down"] * 9)  # the trend follows the highlighted line
            for _ in range(4):
                await pilot.pause(0.2)
                await seat.workers.wait_for_complete()
            seat.save_screenshot(filename=svg.name, path=str(svg.parent))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "rates_screen.png")
    ap.add_argument("--tickets", type=int, default=30_000)
    ap.add_argument("--size", default="150x44", help="terminal columns x rows")
    args = ap.parse_args(argv)
    if shutil.which("rsvg-convert") is None:
        print("需要 rsvg-convert：apt-get install -y librsvg2-bin", file=sys.stderr)
        return 2
    from operator_tui.config import default_rules

    cols, lines = (int(x) for x in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "server.db"
        build(db, args.tickets, default_rules())
        svg = Path(tmp) / "rates_screen.svg"
        asyncio.run(capture(db, svg, (cols, lines)))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["rsvg-convert", "--zoom", "1", "-o", str(args.out), str(svg)], check=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
