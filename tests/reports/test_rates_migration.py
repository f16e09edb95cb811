"""Schema _004 (R35.1) fills an upgraded database's rate columns from each ticket's JSON where SQL
can: district, operator and the rating facts, the same as the projection computes them, on both
engines. (The clock-based on-time and response facts come from `hotline report reproject-rates`,
tested in test_rates_cli.py.)"""

from __future__ import annotations

import pytest

from server_stub import schema, schema_pg

RESULT = {"result": "已处理并告知诉求人。", "told_appellant": True}
COLUMNS = "number, district, operator, rated_on, resolved, satisfied"


def _updates(migration: str) -> list[str]:
    return [s.strip() for s in migration.split(";") if s.strip().startswith("UPDATE")]


@pytest.mark.rule("R35.1")
def test_the_migration_fills_what_the_projection_would(reports_api):
    api = reports_api
    # A rated ticket (4/3), one under dispute (excluded), one confirmed after dispute, one unrated.
    made = []
    for place, stars, dispute, confirm in (
        ("tiexi.永乐街道", (4, 3), False, False),
        ("tiedong.站前街道", (1, 1), True, False),
        ("lishan.友好街道", (1, 1), True, True),
        ("tiedong.站前街道", None, False, False),
    ):
        api.at("2026-11-02 10:00")
        _, number = api.ticket(lead="city_housing", place=place)
        steps = [("unit", "receive", {}), ("unit", "respond", RESULT)]
        if stars:
            steps += [
                ("supervisor", "review_pass", {}),
                (
                    "supervisor",
                    "callback",
                    {"ratings": {"timeliness": 4, "result": stars[0], "attitude": 4, "overall": stars[1]}},
                ),
            ]
        if dispute:
            steps.append(("unit", "dispute_rating", {"reason": "不符"}))
        if confirm:
            steps += [
                ("supervisor", "rerate", {"ratings": {"timeliness": 5, "result": 5, "attitude": 5, "overall": 5}}),
                ("admin", "confirm_rating", {}),
            ]
        for hour, (who, kind, payload) in enumerate(steps):
            api.at(f"2026-11-0{3 + hour // 3} {10 + hour % 3}:00")
            assert api.act(who, number, kind, payload).status_code == 200, kind
        made.append(number)
    storage = api.storage
    with storage.read() as tx:
        projected = sorted(tx._all(f"SELECT {COLUMNS} FROM tickets"))
    assert [r[3] is not None for r in projected] == [True, False, True, False]  # the projection's own answer
    migration = schema_pg._004_RATES if storage.engine == "postgresql" else schema._004_RATES
    with storage.write() as tx:
        tx._exec("UPDATE tickets SET district = '', operator = '', rated_on = NULL, resolved = 0, satisfied = 0")
        for statement in _updates(migration):
            tx.conn.execute(statement)
    with storage.read() as tx:
        assert sorted(tx._all(f"SELECT {COLUMNS} FROM tickets")) == projected
