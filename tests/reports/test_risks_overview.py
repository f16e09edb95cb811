"""The supervisor's overview shows the risk warnings (R31.1), computed from the seat's own store by
the same function the server runs, so it works offline too (Textual Pilot)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import OptionList

from operator_tui.config import load_rules
from operator_tui.desk import Desk
from operator_tui.domain.model import Role
from operator_tui.settings import Settings
from operator_tui.store.db import Store
from operator_tui.ui.app import make_app
from operator_tui.ui.context import SeatContext

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


@pytest.fixture
def supervisor_seat(tmp_path, monkeypatch, form):
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("HOTLINE_POLICY", raising=False)
    rules = load_rules()
    settings = Settings.resolve(db=tmp_path / "seat.db", operator="op-test")
    store = Store.open(settings.db_path)
    desk = Desk(store, rules, settings.operator)
    for weeks in range(1, 5):  # four ordinary Mondays: two heating complaints by 10:00
        for hour in (8, 9):
            desk.register(form(matter="heating_temperature"), NOW - timedelta(weeks=weeks, hours=10 - hour))
    surge = [
        desk.register(form(matter="heating_temperature"), NOW - timedelta(minutes=50 - i)).number for i in range(8)
    ]
    crowd = desk.register(
        form(matter="heating_fee", place="tiexi", description="几十个工人聚集在工地门口讨薪。"),
        NOW - timedelta(minutes=5),
    ).number
    desk.register(
        form(matter="heating_fee", place="tiexi", description="我们没有聚集，只想问问暖气费。"),
        NOW - timedelta(minutes=4),
    )
    ctx = SeatContext(
        settings=settings,
        rules=rules,
        store=store,
        desk=desk,
        triage_rules=None,
        kb_search=None,
        caller=None,
        role=Role.SUPERVISOR,
        now=lambda: NOW,
    )
    return ctx, surge, crowd


async def _settle(pilot) -> None:
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.rule("R31.1")
async def test_the_overview_lists_the_surge_and_the_cue_with_their_evidence_numbers(supervisor_seat):
    ctx, surge, crowd = supervisor_seat
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(pilot)
        assert app.current_mode == "overview"
        result = app.screen.result
        kinds = {(w.kind, w.dimension, w.subject): w for w in result.risks}
        matter = kinds[("surge", "matter", "heating_temperature")]
        assert matter.count == 8 and set(matter.evidence) == set(surge)
        assert kinds[("cue", "stability", "社会稳定")].evidence == (crowd,)
        panel = "\n".join(str(o.prompt) for o in app.screen.query_one("#ov-risks", OptionList).options)
        assert "突增 事项「供暖温度不达标」今日登记 8 件" in panel and surge[-1] in panel and "等共 8 件" in panel
        assert "类别线索 社会稳定类线索" in panel and crowd in panel
        head = str(app.screen.query_one("#ov-head").render())
        assert f"风险预警 {len(result.risks)}" in head
