"""Fixtures shared by the reports tests (issue 15).

``reports_api``  the in-process server of tests/server (`Api`: ``push``, ``ticket``, ``act``,
                 ``clock``, ``storage``, tokens for admin, seat (012), seat2 (013), unit
                 (city_housing), unit2 (heat_group), supervisor) on both engines, its tokens issued
                 on 2026-09-01 so that a test can walk its clock through any autumn period.
                 ``reports_api.at(text)`` sets the clock to a local time ("2026-11-02 10:00").

The `Api` class is the server tests' own (tests/server/conftest.py), loaded by path, not copied.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from operator_tui.domain.model import Role
from server_stub import bootstrap
from server_stub.app import create_app
from server_stub.settings import ServerSettings

_spec = importlib.util.spec_from_file_location(
    "_server_conftest_for_reports", Path(__file__).parent.parent / "server" / "conftest.py"
)
_server = sys.modules.get(_spec.name)
if _server is None:
    _server = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _server
    _spec.loader.exec_module(_server)

TZ = ZoneInfo("Asia/Shanghai")
ISSUED = datetime(2026, 9, 1, 9, 0, tzinfo=TZ)
SEAT, SEAT2, UNIT, UNIT2 = _server.SEAT, _server.SEAT2, _server.UNIT, _server.UNIT2


class ReportsApi(_server.Api):
    def at(self, text: str) -> datetime:
        self.clock.at = datetime.fromisoformat(text).replace(tzinfo=TZ)
        return self.clock.at


@pytest.fixture
def reports_api(server_db, rules, form):
    issued = bootstrap.init(
        server_db,
        ISSUED,
        seats=[SEAT, SEAT2],
        units=[UNIT, UNIT2],
        supervisors=["值班长"],
        known_units=rules.taxonomy.units,
    )
    tokens: dict[str, str] = {}
    for p, token in issued:
        if p.seat:
            tokens["seat" if p.seat == SEAT else "seat2"] = token
        elif p.role is Role.UNIT:
            tokens["unit" if p.unit == UNIT else "unit2"] = token
        else:
            tokens[p.role.value] = token
    clock = _server.FakeClock(ISSUED)
    app = create_app(ServerSettings(db_path=server_db, sweep_every_seconds=0, clock=clock.now), rules)
    with TestClient(app) as client:
        yield ReportsApi(client, tokens, clock, app.state.storage, form)
