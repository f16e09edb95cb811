"""Two (or more) seats against one in-process server (issue 11: one centre, many seats).

``centre``  a `Centre`: ``centre.seat("001")`` (a `SeatContext` with its own store, desk and a
            `SyncService` over the in-process server; ``online=False`` gives a seat with no server,
            ``http=`` another transport), ``centre.record(ctx, **form)`` (a ticket registered,
            accepted and dispatched at that seat), ``centre.server_ticket(number)``,
            ``centre.client(who)`` (a `HotlineClient` with a seat's, a unit's or the admin's token),
            ``centre.audit(ticket_id)``. The clock is fixed at ``NOW`` everywhere.
``keys``    the UI tests' Pilot helpers (tests/ui/conftest.py), shared rather than copied.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")

from fastapi.testclient import TestClient  # noqa: E402

from operator_tui.desk import Desk  # noqa: E402
from operator_tui.domain.model import Role, Ticket  # noqa: E402
from operator_tui.settings import Settings  # noqa: E402
from operator_tui.store import meta  # noqa: E402
from operator_tui.store.db import Store  # noqa: E402
from operator_tui.sync.backoff import Backoff  # noqa: E402
from operator_tui.sync.client import HotlineClient  # noqa: E402
from operator_tui.sync.service import SyncService  # noqa: E402
from operator_tui.ui.context import SeatContext  # noqa: E402
from server_stub import bootstrap  # noqa: E402
from server_stub.app import create_app  # noqa: E402
from server_stub.projection import ticket_of  # noqa: E402
from server_stub.settings import ServerSettings  # noqa: E402

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SEATS = ("001", "002", "003")
UNIT = "city_housing"


@dataclass
class Centre:
    app: Any
    http: TestClient
    tokens: dict[str, str]
    rules: Any
    form: Any
    tmp: Path
    requests: list[str] = field(default_factory=list)

    @property
    def storage(self):
        return self.app.state.storage

    def client(self, who: str, http: httpx.Client | None = None) -> HotlineClient:
        return HotlineClient(
            http or self.http,
            self.tokens[who],
            backoff=Backoff(base=0.001, cap=0.002, attempts=3),
            sleep=lambda _: None,
            clock=lambda: NOW,
        )

    def seat(self, code: str, *, online: bool = True, http: httpx.Client | None = None) -> SeatContext:
        settings = Settings.resolve(db=self.tmp / f"seat{code}.db", operator=f"op-{code}")
        store = Store.open(settings.db_path)
        with store.transaction() as db:
            meta.put(db, "seat_code", code)
        sync = SyncService(store, self.client(code, http), self.rules, clock=lambda: NOW) if online else None
        return SeatContext(
            settings=settings,
            rules=self.rules,
            store=store,
            desk=Desk(store, self.rules, settings.operator),
            role=Role.OPERATOR,
            now=lambda: NOW,
            sync=sync,
        )

    def record(self, ctx: SeatContext, lead: str = UNIT, **form: Any) -> Ticket:
        return ctx.desk.register(self.form(**form), NOW, [("accept", {}), ("dispatch", {"lead_unit": lead})])

    def server_ticket(self, number: str) -> Ticket:
        with self.storage.read() as tx:
            return ticket_of(tx.ticket_by_number(number))

    def server_count(self) -> int:
        with self.storage.read() as tx:
            return tx.conn.execute("SELECT count(*) FROM tickets").fetchone()[0]

    def audit(self, ticket_id: str) -> list[dict]:
        return self.storage.audit.rows(ticket_id, 100)


@pytest.fixture
def centre(tmp_path, server_db, rules, form, monkeypatch) -> Centre:
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))
    db = server_db  # the in-process server on each engine in turn (tests/conftest.py)
    tokens: dict[str, str] = {}
    for p, token in bootstrap.init(
        db, NOW, seats=SEATS, units=[UNIT], supervisors=["值班长"], known_units=rules.taxonomy.units
    ):
        tokens[p.seat or p.unit or p.role.value] = token
    app = create_app(ServerSettings(db_path=db, sweep_every_seconds=0, clock=lambda: NOW), rules)
    with TestClient(app) as http:
        yield Centre(app, http, tokens, rules, form, tmp_path)


@pytest.fixture
def keys():
    path = Path(__file__).parents[1] / "ui" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_ui_pilot_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._Keys
