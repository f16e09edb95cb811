"""The supervisor overview's figures (R30.1), hot spots (R25.1 (2), R31.1) and unit on-time rates
(R35.1), computed from the local store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from operator_tui.desk import Desk
from operator_tui.domain.model import Role
from operator_tui.store import overview


def _register(
    store, rules, when, *, place="tiedong.站前街道", matter="heating_temperature", phone="13912345678", follow=()
):
    desk = Desk(store, rules, "op")
    form = {
        "appellant": {"name": "王先生", "phone": phone, "address": "铁东区"},
        "appeal_type": "complaint",
        "matter": matter,
        "place": place,
        "description": "暖气不热",
    }
    return desk.register(form, when, list(follow))


@pytest.mark.rule("R25.1")
@pytest.mark.rule("R31.1")
def test_the_same_matter_in_the_same_place_three_times_in_a_day_is_a_hot_spot(store, rules, t0):
    for i in range(3):
        _register(store, rules, t0 + timedelta(hours=i), phone=f"1391234000{i}")
    _register(store, rules, t0, place="tiexi", phone="13912340009")
    _register(store, rules, t0 - timedelta(days=3), phone="13912340008")  # older than 24 hours
    with store.connect() as db:
        result = overview.compute(db, t0 + timedelta(hours=3), rules.policy.tz)
    assert [(h.matter, h.place, h.open) for h in result.hot_spots] == [("heating_temperature", "tiedong.站前街道", 3)]


@pytest.mark.rule("R30.1")
def test_stage_counts_and_deadline_heat(store, rules, t0):
    _register(store, rules, t0)
    _register(store, rules, t0, follow=[("accept", {}), ("dispatch", {"lead_unit": "heat_group"})], phone="13912340001")
    old = _register(store, rules, t0 - timedelta(days=10), phone="13912340002")
    with store.connect() as db:
        result = overview.compute(db, t0, rules.policy.tz)
    stages = {s.key: s for s in result.stages}
    assert stages["awaiting_acceptance"].count == 2 and stages["with_units"].count == 1
    assert stages["awaiting_acceptance"].overdue == 1  # R20.2: 3 working days passed for the old one
    assert stages["awaiting_acceptance"].worst_overdue > timedelta(days=1)
    assert stages["awaiting_acceptance"].clocks == ("acceptance",) and stages["with_units"].clocks == ("resolution",)
    assert result.open_overdue == 1 and result.registered_today == 2
    assert result.queue[0].id == old.id  # the most overdue first
    assert [u.unit for u in result.units] == ["heat_group"]


@pytest.mark.rule("R35.1")
@pytest.mark.rule("R22.1")
def test_unit_on_time_rate_counts_responses_against_the_limit_in_force(store, rules, t0):
    unit = Desk(store, rules, "unit:heat_group", Role.UNIT)
    ontime = _register(store, rules, t0, follow=[("accept", {}), ("dispatch", {"lead_unit": "heat_group"})])
    late = _register(
        store, rules, t0, follow=[("accept", {}), ("dispatch", {"lead_unit": "heat_group"})], phone="13912340001"
    )
    unit.record(ontime.id, "receive", {"unit": "heat_group"}, t0)
    unit.record(late.id, "receive", {"unit": "heat_group"}, t0)
    unit.record(
        ontime.id, "respond", {"unit": "heat_group", "result": "已修复", "told_appellant": True}, t0 + timedelta(days=1)
    )
    unit.record(
        late.id, "respond", {"unit": "heat_group", "result": "已修复", "told_appellant": True}, t0 + timedelta(days=12)
    )
    with store.connect() as db:
        result = overview.compute(db, t0 + timedelta(days=12), rules.policy.tz)
    (heat,) = [u for u in result.units if u.unit == "heat_group"]
    assert heat.open == 2 and heat.on_time_rate == 0.5
    with store.connect() as db:
        rates = db.conn.execute("SELECT on_time FROM tickets ORDER BY responded_at").fetchall()
    assert rates == [(1,), (0,)]
