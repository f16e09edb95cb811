"""Helpers for the PUBLIC part's tests (tests/reports/test_public_*.py): an in-process server with
a seat, a unit, a supervisor and an admin token, and tickets pushed as a seat pushes them.

Imported by those test files (pytest puts this folder on sys.path); the fixture `pub` is
re-exported by each file that uses it (`from public_support import pub_fixture`).
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

from fastapi.testclient import TestClient

from operator_tui.domain.model import Role
from server_stub import bootstrap
from server_stub.app import create_app
from server_stub.settings import ServerSettings

SEAT, UNIT = "012", "heat_group"
PERIOD = "2026-11"  # t0 (Monday 2026-11-02) is in it


@dataclass
class Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@dataclass
class Pub:
    client: TestClient
    tokens: dict[str, str]
    clock: Clock
    storage: Any
    form: Any
    numbers: count = field(default_factory=lambda: count(1))

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def _event(self, kind: str, ticket_id: str, payload: dict | None = None) -> dict:
        return {
            "id": str(ULID()),
            "ticket_id": ticket_id,
            "kind": kind,
            "actor": "op",
            "role": "operator",
            "seat": SEAT,
            "at": self.clock.now().isoformat(),
            "payload": payload or {},
        }

    def ticket(self, *, dispatch: bool = True, **form: Any) -> str:
        """A ticket registered at seat 012 (and accepted and dispatched to heat_group); its number."""
        form.setdefault("appeal_type", "help")  # not confidential: 投诉/举报 cannot be published
        ticket_id = str(ULID())
        number = f"{self.clock.now():%y%m%d}{SEAT}{next(self.numbers):04d}"
        events = [self._event("register", ticket_id, {**self.form(**form), "number": number})]
        if dispatch:
            events += [
                self._event("accept", ticket_id),
                self._event("dispatch", ticket_id, {"lead_unit": UNIT, "co_units": []}),
            ]
        r = self.client.post("/v1/events", json={"events": events}, headers=self.headers("seat"))
        assert r.status_code == 200 and all(x["status"] == "applied" for x in r.json()["results"]), r.text
        return number

    def page(self, period: str = PERIOD) -> str:
        r = self.client.get("/public", params={"period": period})
        assert r.status_code == 200, r.text
        return r.text

    def propose(self, number: str, who: str = "supervisor"):
        return self.client.post("/v1/public/cases", json={"number": number}, headers=self.headers(who))

    def approve(self, case_id: str, text: str | None = None, who: str = "admin"):
        # The reviewer who approves is not the proposer (the supervisor, by default): R37.1's
        # second pair of eyes (server_stub/public/cases.py).
        body = {} if text is None else {"text": text}
        return self.client.post(f"/v1/public/cases/{case_id}/approve", json=body, headers=self.headers(who))

    def reject(self, case_id: str, reason: str, who: str = "supervisor"):
        return self.client.post(
            f"/v1/public/cases/{case_id}/reject", json={"reason": reason}, headers=self.headers(who)
        )


def make_pub(db, rules, form, t0):
    issued = bootstrap.init(
        db, t0, seats=[SEAT], units=[UNIT], supervisors=["值班长"], known_units=rules.taxonomy.units
    )
    tokens: dict[str, str] = {}
    for p, token in issued:
        tokens["seat" if p.seat else "unit" if p.role is Role.UNIT else p.role.value] = token
    clock = Clock(t0)
    app = create_app(ServerSettings(db_path=db, sweep_every_seconds=0, clock=clock.now), rules)
    return app, tokens, clock


@pytest.fixture(name="pub")
def pub_fixture(server_db, rules, form, t0):
    app, tokens, clock = make_pub(server_db, rules, form, t0)
    with TestClient(app) as client:
        yield Pub(client, tokens, clock, app.state.storage, form)
