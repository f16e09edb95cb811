"""Tickets for the rates screen and its drill-down (R35.1), pushed and acted on through the real
server (`reports_api`: seat pushes, the units' and the supervisor's action API) at set local times.

Hand-checked figures, November 2026 by unit (limits: resolution 5 working days from dispatch,
response 1 working day; 已解决 / 满意 from 4 stars):

    city_housing  H1 on time, signed in time, rated 5/5   H2 late, signed late, rated 3/4
                  按时办结率 1/2  响应率 1/2  解决率 1/2  满意率 2/2
                  October: H0 on time → 按时办结率 1/1, so November is 50 points down (↓)
    heat_group    G1 late (responded 11-12), signed in time, not rated
                  按时办结率 0/1  响应率 1/1  解决率 –  满意率 –
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

HOUSING, HEAT = "city_housing", "heat_group"
RESULT = {"result": "已派人处理，并告知诉求人。", "told_appellant": True}
NAME = "王先生"  # the default form's appellant: must never appear in a drill-down
PHONE = "13912345678"


def stars(result: int, overall: int) -> dict:
    return {"ratings": {"timeliness": 4, "result": result, "attitude": 4, "overall": overall}}


@dataclass
class Seeded:
    api: object
    numbers: dict[str, str]  # H0, H1, H2, G1 → ticket number


def _story(api, numbers, name, lead, who, dispatched, received, responded, rated=None):
    api.at(dispatched)
    _, number = api.ticket(lead=lead)
    numbers[name] = number
    for at, actor, kind, payload in ((received, who, "receive", {}), (responded, who, "respond", RESULT)):
        api.at(at)
        assert api.act(actor, number, kind, payload).status_code == 200
    if rated:
        reviewed, called, result, overall = rated
        api.at(reviewed)
        assert api.act("supervisor", number, "review_pass").status_code == 200
        api.at(called)
        r = api.act("supervisor", number, "callback", stars(result, overall))
        assert r.status_code == 200, r.text


def seed(api) -> Seeded:
    numbers: dict[str, str] = {}
    _story(api, numbers, "H0", HOUSING, "unit", "2026-10-12 10:00", "2026-10-12 11:00", "2026-10-14 10:00")
    _story(
        api,
        numbers,
        "H1",
        HOUSING,
        "unit",
        "2026-11-02 10:00",
        "2026-11-02 14:00",
        "2026-11-05 10:00",
        ("2026-11-05 15:00", "2026-11-06 10:00", 5, 5),
    )
    _story(
        api,
        numbers,
        "H2",
        HOUSING,
        "unit",
        "2026-11-02 10:00",
        "2026-11-04 09:00",
        "2026-11-10 10:00",
        ("2026-11-10 15:00", "2026-11-11 10:00", 3, 4),
    )
    _story(api, numbers, "G1", HEAT, "unit2", "2026-11-02 10:00", "2026-11-02 11:00", "2026-11-12 10:00")
    api.at("2026-11-20 09:00")
    return Seeded(api, numbers)


@pytest.fixture
def seeded(reports_api) -> Seeded:
    return seed(reports_api)
