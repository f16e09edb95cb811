"""Fixtures for the Open311 tests: an in-process server on both engines (``o311``) and a live
`hotline server` process (``live``), each with a partner token for seat code 900.

``o311``  an `Open311`: ``.client`` (TestClient), ``.key`` (the partner's api_key), ``.clock``
          (``.now``, ``.advance``), ``.storage``, ``.seat_token``, ``.post(fmt, **form)``,
          ``.push_ticket(form)`` (registers a ticket at seat 012 and returns its number).
``live``  a started server process: ``.url``, ``.key`` (partner), ``.seat_token``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import httpx
import pytest
from live_server import running_server
from ulid import ULID

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from fastapi.testclient import TestClient  # noqa: E402

from operator_tui.domain.model import Role  # noqa: E402
from server_stub import bootstrap  # noqa: E402
from server_stub.app import create_app  # noqa: E402
from server_stub.settings import ServerSettings  # noqa: E402

PARTNER_SEAT, SEAT = "900", "012"


@dataclass
class Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def _tokens(db, rules, now) -> tuple[str, str]:
    """(partner api_key, seat 012's token) on a new database."""
    issued = bootstrap.init(db, now, seats=[SEAT], known_units=rules.taxonomy.units)
    seat = next(t for p, t in issued if p.seat == SEAT)
    _, key = bootstrap.issue(db, now, role=Role.PARTNER, name="fixmystreet", seat=PARTNER_SEAT)
    return key, seat


@dataclass
class Open311:
    client: TestClient
    key: str
    seat_token: str
    clock: Clock
    storage: Any
    form: Any
    numbers: count

    def post(self, fmt: str = "json", **form: str) -> httpx.Response:
        body = {
            "api_key": self.key,
            "service_code": "heating_temperature",
            "address_string": "铁东区站前街道",
            "description": "小区暖气不热",
            "phone": "13912345678",
            **form,
        }
        return self.client.post(f"/open311/v2/requests.{fmt}", data=body)

    def push_ticket(self, then: tuple[tuple[str, dict], ...] = (), **form: Any) -> str:
        """A ticket registered by seat 012 through the sync API (as a seat would), then the events
        `then` ((kind, payload), …) in order; returns its number."""
        number = f"{self.clock.now():%y%m%d}{SEAT}{next(self.numbers):04d}"
        ticket_id = str(ULID())
        steps = [("register", {**self.form(**form), "number": number}), *then]
        events = [
            {
                "id": str(ULID()),
                "ticket_id": ticket_id,
                "kind": kind,
                "actor": "op",
                "role": "operator",
                "seat": SEAT,
                "at": self.clock.now().isoformat(),
                "payload": payload,
            }
            for kind, payload in steps
        ]
        r = self.client.post(
            "/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {self.seat_token}"}
        )
        assert r.status_code == 200 and all(x["status"] == "applied" for x in r.json()["results"]), r.text
        return number


@pytest.fixture
def o311(server_db, rules, form, t0):
    key, seat = _tokens(server_db, rules, t0)
    clock = Clock(t0)
    app = create_app(ServerSettings(db_path=server_db, sweep_every_seconds=0, clock=clock.now), rules)
    with TestClient(app) as client:
        yield Open311(client, key, seat, clock, app.state.storage, form, count(1))


@dataclass
class Live:
    url: str
    key: str
    seat_token: str


@pytest.fixture
def live(server_db, rules, tmp_path):
    key, seat = _tokens(server_db, rules, datetime.now(UTC))
    with running_server(server_db, tmp_path / "server.log") as url:
        yield Live(url, key, seat)
