"""Seeded tickets for the DOCS tests (tests/reports/test_docs_*.py): the in-process server of
tests/server/conftest.py (`api`, both engines), and `seeded`, a month of tickets pushed and acted on
through the real API, every one carrying the same caller, whose details must reach no document."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from operator_tui.domain.periods import CST, parse_period

# The in-process server with tokens for every role (tests/server/conftest.py), reused as it is.
_spec = importlib.util.spec_from_file_location(
    "_server_conftest_for_docs", Path(__file__).parents[1] / "server" / "conftest.py"
)
_server = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
if not hasattr(_server, "api"):
    _spec.loader.exec_module(_server)
api = _server.api

SECRET = {"name": "欧阳保密", "phone": "13700001234", "address": "铁东区机密大街88号3单元"}
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=CST)
NOVEMBER = parse_period("2026-11")
HEAT, HOUSING = "heat_group", "city_housing"


@dataclass
class Seeded:
    api: object
    numbers: dict[str, list[str]]


def _rated(api, number: str, who: str, overall: int) -> None:
    assert api.act(who, number, "receive").status_code == 200
    assert api.act(who, number, "respond", {"result": "已处理", "told_appellant": True}).status_code == 200
    assert api.act("supervisor", number, "review_pass").status_code == 200
    stars = {"timeliness": overall, "result": overall, "attitude": overall, "overall": overall}
    assert api.act("seat", number, "callback", {"ratings": stars, "words": "好"}).status_code == 200


@pytest.fixture
def seeded(api) -> Seeded:
    """October: 2 heating tickets. November: 4 heating tickets in 站前街道 for heat_group (3 rated:
    two satisfied, one not; 1 still open), 2 housing tickets for city_housing (never received: overdue by
    December). Every one carries the same caller, whose details must reach no document."""
    numbers: dict[str, list[str]] = {"oct": [], "heat": [], "housing": []}
    api.clock.at = datetime(2026, 10, 20, 9, 0, tzinfo=CST)
    for _ in range(2):
        numbers["oct"].append(api.ticket(lead=HEAT, **SECRET)[1])
    api.clock.at = datetime(2026, 11, 3, 9, 0, tzinfo=CST)
    for _ in range(4):
        numbers["heat"].append(api.ticket(lead=HEAT, **SECRET)[1])
    for _ in range(2):
        numbers["housing"].append(api.ticket(lead=HOUSING, matter="property_service", place="tiexi", **SECRET)[1])
    api.clock.at = datetime(2026, 11, 4, 10, 0, tzinfo=CST)
    for number, stars in zip(numbers["heat"][:3], (5, 5, 2)):
        _rated(api, number, "unit2", stars)
    # R31.1: a social-stability cue near the month's end (registered, not yet accepted: no unit)
    api.clock.at = datetime(2026, 11, 29, 15, 0, tzinfo=CST)
    numbers["cue"] = [
        api.ticket(
            lead=None,
            matter="property_service",
            place="tiexi",
            description="小区二十多名农民工聚集讨薪，情绪激动",
            **SECRET,
        )[1]
    ]
    api.clock.at = NOW
    return Seeded(api, numbers)
