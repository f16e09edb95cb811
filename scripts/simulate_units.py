#!/usr/bin/env python3
"""Play the handling units (承办单位) against a running server, so a ticket's whole life runs end to
end in the demo: units receive (签收) what is dispatched to them, sometimes return it as not theirs
(退单, R28.1) or ask for an extension (延期, R22.2), and respond with a result (反馈, R21.1).

    hotline server init --db /tmp/s.db --seat 001          # prints the admin token
    hotline server --db /tmp/s.db --port 8890 &
    .venv/bin/python scripts/simulate_units.py --server http://127.0.0.1:8890 --admin-token hl_admin_…

With `--admin-token` the script makes one token per unit it plays (POST /v1/principals); or pass
`--unit-token CODE=TOKEN` (repeatable). Each unit follows its own change feed (it sees only the
tickets it holds, appellants masked for 投诉/举报) and acts on the tickets it leads.

Bounded: at most `--max-actions` actions and `--max-seconds` seconds. Loopback servers only — this
is a simulator, and it must never act on a real platform.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from ulid import ULID  # noqa: E402

from operator_tui.config import default_rules  # noqa: E402
from operator_tui.contract import TicketPublic  # noqa: E402
from operator_tui.sync.backoff import Backoff  # noqa: E402
from operator_tui.sync.client import HotlineClient  # noqa: E402
from operator_tui.sync.errors import ProtocolError, SyncError  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def loopback_only(url: str) -> str:
    host = urlparse(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"--server: {url} is not a loopback address; the simulator only plays against a local server")
    return url


def unit_tokens(http: httpx.Client, admin_token: str | None, units: list[str], given: list[str]) -> dict[str, str]:
    tokens = {}
    for item in given:
        code, sep, token = item.partition("=")
        if not sep or not token:
            raise SystemExit(f"--unit-token: '{item}' must be CODE=TOKEN")
        tokens[code] = token
    if admin_token:
        admin = HotlineClient(http, admin_token)
        for unit in units:
            if unit not in tokens:
                r = admin.request(
                    "POST", "/v1/principals", ok=(201,), json={"name": f"模拟单位 {unit}", "role": "unit", "unit": unit}
                )
                tokens[unit] = r.json()["token"]
    if not tokens:
        raise SystemExit("give --admin-token (to make unit tokens) or --unit-token CODE=TOKEN")
    return tokens


def choose(t: TicketPublic, unit: str, rng: random.Random) -> tuple[str, dict] | None:
    """The next thing this unit does with this ticket, or None."""
    ticket = t.ticket
    if ticket.lead_unit != unit:
        return None  # co-handling units (协办) leave the result to the lead unit (R24.2)
    status = ticket.status.value
    if status == "dispatched":
        if rng.random() < 0.1:
            return "return_to_centre", {"reason": "经核实不属于本单位职责范围，建议改派属地政府"}
        return "receive", {}
    if status == "in_progress":
        if ticket.extension is None and t.clock is not None and not t.clock.overdue and rng.random() < 0.15:
            new_due = t.clock.due_at + timedelta(days=10)
            return "request_extension", {
                "reason": "需协调多个部门现场核查",
                "progress": "已现场查看并登记",
                "measures": "约谈责任方限期整改",
                "new_due": new_due.isoformat(),
            }
        return "respond", {"result": "已派人现场处理，问题已解决，并已电话告知诉求人。", "told_appellant": True}
    if status == "extension_requested" and rng.random() < 0.3:
        return "respond", {"result": "延期期间已处理完毕，已告知诉求人。", "told_appellant": True}
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default="http://127.0.0.1:8890")
    ap.add_argument("--admin-token", help="makes one unit token per --unit")
    ap.add_argument("--unit", action="append", help="unit code to play (repeatable; default: every unit in units.toml)")
    ap.add_argument("--unit-token", action="append", default=[], help="CODE=TOKEN for a unit (repeatable)")
    ap.add_argument("--max-actions", type=int, default=200)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
    ap.add_argument("--seed", type=int, default=8890)
    args = ap.parse_args(argv)
    url = loopback_only(args.server)
    known = list(default_rules().taxonomy.units)
    units = args.unit or known
    unknown = [u for u in units if u not in known]
    if unknown:
        raise SystemExit(f"--unit: unknown unit code(s): {', '.join(unknown)} (see units.toml)")
    rng = random.Random(args.seed)
    done: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    deadline = time.monotonic() + args.max_seconds
    with httpx.Client(base_url=url, timeout=10) as http:
        clients = {
            u: HotlineClient(http, tok, backoff=Backoff(attempts=3, cap=2.0))
            for u, tok in unit_tokens(http, args.admin_token, units, args.unit_token).items()
        }
        cursors = {u: "" for u in clients}
        held: dict[str, dict[str, TicketPublic]] = {u: {} for u in clients}
        while time.monotonic() < deadline and sum(done.values()) < args.max_actions:
            for unit, client in clients.items():
                try:
                    more = True
                    while more:
                        page = client.changes(cursors[unit], 200)
                        for change in page.changes:
                            held[unit][change.ticket.ticket.number] = change.ticket
                        cursors[unit], more = page.next, page.more
                except SyncError as exc:
                    print(f"{unit}: cannot pull: {exc}", file=sys.stderr)
                    continue
                for number, t in list(held[unit].items()):
                    if time.monotonic() >= deadline or sum(done.values()) >= args.max_actions:
                        break
                    step = choose(t, unit, rng)
                    if step is None:
                        continue
                    kind, payload = step
                    try:
                        answer = client.act(number, kind, payload, event_id=str(ULID.from_datetime(datetime.now(UTC))))
                    except ProtocolError as exc:
                        refused[f"{kind} ({exc.rule or exc.status})"] += 1
                        held[unit].pop(number, None)  # its next change in the feed brings it back
                        continue
                    except SyncError as exc:
                        print(f"{unit}: {kind} {number}: {exc}", file=sys.stderr)
                        continue
                    done[kind] += 1
                    if answer.ticket is not None:
                        held[unit][number] = answer.ticket
            time.sleep(args.interval)
    print("actions:", ", ".join(f"{k} {v}" for k, v in sorted(done.items())) or "none")
    if refused:
        print("refused by the rules:", ", ".join(f"{k} {v}" for k, v in sorted(refused.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
