"""Fixtures for the server tests: one in-process server (TestClient) per test, with tokens for
every role and a clock the test moves.

``api``   an `Api`: ``api.client`` (TestClient), ``api.headers(who)``, ``api.push(who, events)``,
          ``api.event(kind, ticket_id, payload, who=…)``, ``api.ticket(…)`` (registers and, by
          default, dispatches a ticket through pushes), ``api.clock`` (``.now``, ``.advance``),
          ``api.storage`` (SQLite or PostgreSQL: the test runs on both, see tests/conftest.py
          ``server_db``). Who: admin, seat (operator at seat 012), seat2 (013), unit
          (city_housing), unit2 (heat_group), supervisor.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from ulid import ULID

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from fastapi.testclient import TestClient  # noqa: E402

from operator_tui.domain.model import Role  # noqa: E402
from server_stub import bootstrap  # noqa: E402
from server_stub.app import create_app  # noqa: E402
from server_stub.settings import ServerSettings  # noqa: E402

SEAT, SEAT2 = "012", "013"
UNIT, UNIT2 = "city_housing", "heat_group"


@dataclass
class FakeClock:
    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    clock: FakeClock
    storage: Any
    form: Any
    numbers: count = field(default_factory=lambda: count(1))

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def event(
        self,
        kind: str,
        ticket_id: str,
        payload: dict | None = None,
        *,
        role: str = "operator",
        seat: str = SEAT,
        at: datetime | None = None,
        event_id: str | None = None,
    ) -> dict:
        return {
            "id": event_id or str(ULID()),
            "ticket_id": ticket_id,
            "kind": kind,
            "actor": f"{role}-1",
            "role": role,
            "seat": seat,
            "at": (at or self.clock.now()).isoformat(),
            "payload": payload or {},
        }

    def push(self, who: str, events: list[dict], sent_at: datetime | None = None):
        body: dict[str, Any] = {"events": events}
        if sent_at is not None:
            body["sent_at"] = sent_at.isoformat()
        return self.client.post("/v1/events", json=body, headers=self.headers(who))

    def register(self, *, seat: str = SEAT, **form: Any) -> tuple[str, str, list[dict]]:
        ticket_id = str(ULID())
        number = f"{self.clock.now():%y%m%d}{seat}{next(self.numbers):04d}"
        return (
            ticket_id,
            number,
            [self.event("register", ticket_id, {**self.form(**form), "number": number}, seat=seat)],
        )

    def ticket(
        self, *, lead: str | None = UNIT, co: tuple[str, ...] = (), who: str = "seat", seat: str = SEAT, **form: Any
    ) -> tuple[str, str]:
        """A ticket registered at `seat` and (unless lead is None) accepted and dispatched."""
        ticket_id, number, events = self.register(seat=seat, **form)
        if lead:
            events += [
                self.event("accept", ticket_id, seat=seat),
                self.event("dispatch", ticket_id, {"lead_unit": lead, "co_units": list(co)}, seat=seat),
            ]
        r = self.push(who, events)
        assert r.status_code == 200, r.text
        assert all(x["status"] == "applied" for x in r.json()["results"]), r.json()
        return ticket_id, number

    def act(self, who: str, number: str, kind: str, payload: dict | None = None, event_id: str | None = None):
        body: dict[str, Any] = {"payload": payload or {}}
        if event_id:
            body["id"] = event_id
        return self.client.post(f"/v1/tickets/{number}/actions/{kind}", json=body, headers=self.headers(who))

    def changes(self, who: str, since: str = "", limit: int | None = None):
        params: dict[str, Any] = {"since": since}
        if limit:
            params["limit"] = limit
        return self.client.get("/v1/changes", params=params, headers=self.headers(who))


@pytest.fixture
def api(server_db, rules, form, t0) -> Api:
    db = server_db  # a file, or a PostgreSQL database: every test using `api` runs on both engines
    issued = bootstrap.init(
        db, t0, seats=[SEAT, SEAT2], units=[UNIT, UNIT2], supervisors=["值班长"], known_units=rules.taxonomy.units
    )
    tokens: dict[str, str] = {}
    for p, token in issued:
        if p.seat:
            tokens["seat" if p.seat == SEAT else "seat2"] = token
        elif p.role is Role.UNIT:
            tokens["unit" if p.unit == UNIT else "unit2"] = token
        else:
            tokens[p.role.value] = token
    clock = FakeClock(t0)
    app = create_app(ServerSettings(db_path=db, sweep_every_seconds=0, clock=clock.now), rules)
    with TestClient(app) as client:
        yield Api(client, tokens, clock, app.state.storage, form)


@pytest.fixture
def second(api, server_db, rules):
    """Another app on the same database: as far as the database can tell, another server process
    (each app has its own connection pool; tests/e2e runs real processes)."""
    app = create_app(ServerSettings(db_path=server_db, sweep_every_seconds=0, clock=api.clock.now), rules)
    with TestClient(app) as client:
        yield client
