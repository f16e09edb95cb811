"""Fixtures for the sync tests: the real server in-process (Starlette's TestClient is an
`httpx.Client`), a seat store with seat code 012 and a `Desk`, and a `SyncService` over them.

``hub``       a `Hub`: ``hub.app``, ``hub.http`` (TestClient), ``hub.tokens``, ``hub.server_clock``,
              ``hub.storage`` (the server's), ``hub.store`` (the seat's), ``hub.desk``,
              ``hub.service(http=None, token="seat", **kw)`` (a SyncService; backoff sleeps are
              recorded in ``hub.sleeps``, never slept), ``hub.record(n)`` (n tickets registered,
              accepted and dispatched offline: 3 events each), ``hub.server_event_ids()``,
              ``hub.act(who, number, kind, payload)`` (a server-side action).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from fastapi.testclient import TestClient  # noqa: E402

from operator_tui.desk import Desk  # noqa: E402
from operator_tui.domain.model import Ticket  # noqa: E402
from operator_tui.store import meta, outbox  # noqa: E402
from operator_tui.store.db import Store  # noqa: E402
from operator_tui.sync.backoff import Backoff  # noqa: E402
from operator_tui.sync.client import HotlineClient  # noqa: E402
from operator_tui.sync.service import SyncService  # noqa: E402
from server_stub import bootstrap  # noqa: E402
from server_stub.app import create_app  # noqa: E402
from server_stub.settings import ServerSettings  # noqa: E402

SEAT = "012"


@dataclass
class Clock:
    at: datetime

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Hub:
    app: Any
    http: TestClient
    tokens: dict[str, str]
    server_clock: Clock
    seat_clock: Clock
    store: Store
    desk: Desk
    rules: Any
    form: Any
    sleeps: list[float] = field(default_factory=list)

    @property
    def storage(self):
        return self.app.state.storage

    def client(self, http: httpx.Client | None = None, token: str = "seat", attempts: int = 4) -> HotlineClient:
        return HotlineClient(
            http or self.http,
            self.tokens[token],
            backoff=Backoff(base=0.01, cap=0.08, attempts=attempts),
            sleep=self.sleeps.append,
            clock=self.seat_clock,
        )

    def service(self, http: httpx.Client | None = None, token: str = "seat", **kw: Any) -> SyncService:
        return SyncService(
            self.store, self.client(http, token, kw.pop("attempts", 4)), self.rules, clock=self.seat_clock, **kw
        )

    def record(self, n: int, lead: str = "city_housing", **form: Any) -> list[Ticket]:
        return [
            self.desk.register(
                self.form(**form), self.seat_clock(), [("accept", {}), ("dispatch", {"lead_unit": lead})]
            )
            for _ in range(n)
        ]

    def outbox_depth(self) -> int:
        with self.store.connect() as db:
            return outbox.depth(db)

    def local_event_ids(self) -> list[str]:
        with self.store.connect() as db:
            return [r[0] for r in db.conn.execute("SELECT id FROM events ORDER BY seq")]

    def server_event_ids(self) -> list[str]:
        with self.storage.read() as tx:
            return [r[0] for r in tx.conn.execute("SELECT id FROM events ORDER BY seq")]

    def act(self, who: str, number: str, kind: str, payload: dict | None = None) -> httpx.Response:
        r = self.http.post(
            f"/v1/tickets/{number}/actions/{kind}",
            json={"payload": payload or {}},
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
        )
        assert r.status_code == 200, r.text
        return r


@pytest.fixture
def hub(tmp_path, rules, form, t0) -> Hub:
    db = tmp_path / "server.db"
    tokens: dict[str, str] = {}
    for p, token in bootstrap.init(
        db, t0, seats=[SEAT], units=["city_housing"], supervisors=["值班长"], known_units=rules.taxonomy.units
    ):
        tokens["seat" if p.seat else p.role.value] = token
    server_clock = Clock(t0)
    app = create_app(ServerSettings(db_path=db, sweep_every_seconds=0, clock=server_clock), rules)
    store = Store.open(tmp_path / "seat.db")
    with store.transaction() as sdb:
        meta.put(sdb, "seat_code", SEAT)
    with TestClient(app) as http:
        yield Hub(app, http, tokens, server_clock, Clock(t0), store, Desk(store, rules, "op-1"), rules, form)
