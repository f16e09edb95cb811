"""One centre, three seats, one real server process (issue 11; R13.1, R10.1, R16.1, R18.1, R18.2).

The story the issue tells, end to end with real processes on 127.0.0.1:

- seat A (001) records a call and syncs with `hotline sync`;
- seat B (002) gets a call from the same number: its screen pop (the real seat, headless, talking
  HTTP to the server process) shows A's ticket, and B links a 催办 to it with F10;
- seat C (003) is offline (its server is a closed port): it records a call from the same caller,
  its sync fails and keeps everything, and it syncs later;
- the server then holds A's ticket with B's linked call and C's ticket, every event exactly once;
- seat B cannot take seat A's numbers.
"""

from __future__ import annotations

import importlib.util
import socket
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from ulid import ULID

from operator_tui.desk import Desk
from operator_tui.seat_start import build_context
from operator_tui.settings import Settings
from operator_tui.store import meta, outbox
from operator_tui.store.db import Store
from operator_tui.ui.app import make_app

pytestmark = pytest.mark.slow
PHONE = "13700001111"
SIZE = (160, 48)


def _keys():
    """The UI tests' Pilot helpers (tests/ui/conftest.py), shared rather than copied."""
    spec = importlib.util.spec_from_file_location("_ui_pilot_helpers", Path(__file__).parents[1] / "ui" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._Keys


class SeatDb:
    """A seat's own database with its code, and what it recorded (its outbox before a sync)."""

    def __init__(self, tmp: Path, code: str, rules):
        self.code, self.rules = code, rules
        self.store = Store.open(tmp / f"seat{code}.db")
        with self.store.transaction() as db:
            meta.put(db, "seat_code", code)

    def recorded(self) -> set[str]:
        with self.store.connect() as db:
            return {r.op_id for r in outbox.pending(db, 10_000)}

    def depth(self) -> int:
        with self.store.connect() as db:
            return outbox.depth(db)


def closed_port() -> str:
    """A loopback URL nothing listens on: a seat whose network is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.rule("R13.1")
@pytest.mark.rule("R16.1")
async def test_three_seats_one_caller_one_centre(centre, sync_db, tmp_path, rules, form, monkeypatch):
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))
    keys = _keys()
    recorded: set[str] = set()

    # Seat A records the call and syncs.
    a = SeatDb(tmp_path, "001", rules)
    first = Desk(a.store, rules, "op-a").register(
        form(phone=PHONE, description="家里暖气不热，室温只有15度。"),
        datetime.now(UTC),
        [("accept", {}), ("dispatch", {"lead_unit": "heat_group"})],
    )
    recorded |= a.recorded()
    done = sync_db(a.store.path, centre.url, centre.tokens["001"])
    assert done.returncode == 0, done.stderr

    # Seat B: the real seat, headless, against the server process. The pop shows A's ticket.
    b_db = tmp_path / "seat002.db"
    SeatDb(tmp_path, "002", rules)
    ctx = build_context(Settings.resolve(db=b_db, server=centre.url), caller=PHONE, token=centre.tokens["002"])
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot, 0.5)
        history = app.screen.query_one("#history")
        assert [r.number for r in history.rows] == [first.number]
        assert history.rows[0].source == "中心"
        await keys.fill(pilot, "description", "又打来了，暖气还是不热")
        await pilot.press("f10")
        await keys.settle(pilot)
        await pilot.press("enter")  # the one open ticket: confirm the 催办
        await keys.settle(pilot, 0.5)
    b = SeatDb(tmp_path, "002", rules)
    recorded |= b.recorded()
    assert b.depth() == 2  # link_call and the caller's words, nothing else
    done = sync_db(b.store.path, centre.url, centre.tokens["002"])
    assert done.returncode == 0, done.stderr

    # Seat C is offline: its sync fails, keeps everything, and goes through later.
    c = SeatDb(tmp_path, "003", rules)
    Desk(c.store, rules, "op-c").register(
        form(phone=PHONE, matter="water_outage", description="小区停水了。"), datetime.now(UTC)
    )
    recorded |= c.recorded()
    failed = sync_db(c.store.path, closed_port(), centre.tokens["003"])
    assert failed.returncode == 2 and "离线" in failed.stderr
    assert c.depth() == 1
    done = sync_db(c.store.path, centre.url, centre.tokens["003"])
    assert done.returncode == 0, done.stderr
    assert a.depth() == b.depth() == c.depth() == 0

    ids = [r[0] for r in centre.query("SELECT id FROM events")]
    tickets = dict(centre.query("SELECT number, seat FROM tickets"))
    a_kinds = [
        (k, s) for k, s in centre.query("SELECT kind, seat FROM events WHERE ticket_id = ? ORDER BY seq", (first.id,))
    ]
    assert len(ids) == len(set(ids)) and set(ids) == recorded  # every event exactly once
    assert len(tickets) == 2 and tickets[first.number] == "001"
    assert sorted(tickets.values()) == ["001", "003"]
    assert a_kinds == [
        ("register", "001"),
        ("accept", "001"),
        ("dispatch", "001"),
        ("link_call", "002"),
        ("add_note", "002"),
    ]


@pytest.mark.rule("R18.1")
def test_seat_002_cannot_take_seat_001s_numbers(centre, form):
    now = datetime.now(UTC)
    number = f"{now.astimezone().strftime('%y%m%d')}0010001"
    event = {
        "id": str(ULID()),
        "ticket_id": str(ULID()),
        "kind": "register",
        "actor": "x",
        "role": "operator",
        "seat": "002",
        "at": now.isoformat(),
        "payload": {**form(), "number": number},
    }
    answer = httpx.post(
        f"{centre.url}/v1/events",
        json={"events": [event]},
        timeout=10,
        headers={"Authorization": f"Bearer {centre.tokens['002']}"},
    )
    assert answer.status_code == 200
    result = answer.json()["results"][0]
    assert result["status"] == "rejected" and result["rule"] == "R18.1"
    assert centre.event_count() == 0
