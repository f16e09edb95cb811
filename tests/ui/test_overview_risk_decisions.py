"""The supervisor's overview knows the server's decisions on the risk warnings and decides from the
seat (R31.1), driven by Pilot against the real in-process server of tests/reports/test_risks_server.py.

The seat's store and the server each hold the same pattern of tickets (four ordinary Mondays, then
eight heating complaints this morning), so both find the same surge under the same id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, Static

from operator_tui.desk import Desk
from operator_tui.domain.model import Role
from operator_tui.risks_client import LOCAL, OFFLINE
from operator_tui.settings import Settings
from operator_tui.store.db import Store
from operator_tui.sync.backoff import Backoff
from operator_tui.sync.client import HotlineClient
from operator_tui.sync.service import SyncService
from operator_tui.ui.app import make_app
from operator_tui.ui.context import SeatContext
from operator_tui.ui.screens.risk_decision import RiskDecisionScreen
from operator_tui.ui.widgets.risk_list import RiskList
from tests.reports.test_risks_server import NOW, _surges, centre  # noqa: F401  (centre: the fixture)

SIZE = (160, 48)
REASON = "供热公司已派人排查"


def seat(
    centre,  # noqa: F811
    rules,
    tmp_path,
    monkeypatch,
    form,
    *,
    online: bool = True,
    offline: bool = False,
) -> SeatContext:
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("HOTLINE_POLICY", raising=False)
    settings = Settings.resolve(db=tmp_path / "seat.db", operator="值班长")
    store = Store.open(settings.db_path)
    desk = Desk(store, rules, settings.operator)
    for weeks in range(1, 5):  # as the centre fixture's past Mondays: two heating complaints by 10:00
        for hour in (8, 9):
            desk.register(form(matter="heating_temperature"), NOW - timedelta(weeks=weeks, hours=10 - hour))
    for i in range(8):
        desk.register(form(matter="heating_temperature"), NOW - timedelta(minutes=50 - i))
    client = HotlineClient(
        centre.client, centre.tokens["supervisor"], backoff=Backoff(attempts=1), sleep=lambda _: None, clock=lambda: NOW
    )
    return SeatContext(
        settings=settings,
        rules=rules,
        store=store,
        desk=desk,
        role=Role.SUPERVISOR,
        now=lambda: NOW,
        sync=SyncService(store, client, rules, clock=lambda: NOW) if online else None,
        offline=offline,
    )


def server_surge(centre) -> str:  # noqa: F811
    for i in range(8):
        centre.register(NOW.replace(hour=7, minute=i), matter="heating_temperature")
    return next(w["id"] for w in _surges(centre.risks().json()) if w["dimension"] == "matter")


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def panel(app) -> RiskList:
    return app.screen.query_one("#ov-risks", RiskList)


def prompt(app, wid: str) -> str:
    return str(panel(app).get_option(wid).prompt)


async def highlight(pilot, wid: str) -> None:
    """j to the panel, then the arrows down to the warning: keys only."""
    await pilot.press("j")
    await pilot.pause()
    risks = panel(pilot.app)
    assert pilot.app.focused is risks
    await pilot.press("home")
    for _ in range(risks.get_option_index(wid)):
        await pilot.press("down")
    await pilot.pause()
    assert risks.current_row is not None and risks.current_row.id == wid


@pytest.mark.rule("R31.1")
async def test_a_warning_decided_on_the_server_shows_as_decided_at_the_seat(
    centre,  # noqa: F811
    rules,
    tmp_path,
    monkeypatch,
    form,
):
    wid = server_surge(centre)
    assert centre.decide(wid, {"decision": "acknowledge", "reason": REASON}).status_code == 200
    app = make_app(seat(centre, rules, tmp_path, monkeypatch, form))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert wid in {w.id for w in app.screen.result.risks}  # the seat found the same surge itself
        rows = panel(app).rows
        decided = [r.id for r in rows if r.decision is not None]
        assert decided == [wid] and rows[-1].id == wid  # open ones first
        shown = prompt(app, wid)
        assert "已确认" in shown and "值班长" in shown and REASON in shown and "11-30 10:00" in shown
        opened = [r for r in rows if r.open]
        head = str(app.screen.query_one("#ov-head").render())
        assert f"风险预警 {len(opened)}" in head
        state = str(app.screen.query_one("#ov-risks-state", Static).render())
        assert f"待处置 {len(opened)}  已处置 1" in state
        # the decided one cannot be decided again from the seat: said at once, no dialog
        await highlight(pilot, wid)
        await pilot.press("i")
        await settle(pilot)
        assert not isinstance(app.screen, RiskDecisionScreen)
        assert any("不能重复处理" in n.message for n in app._notifications)


@pytest.mark.rule("R31.1")
async def test_deciding_from_the_seat_reaches_the_server_with_the_supervisors_name(
    centre,  # noqa: F811
    rules,
    tmp_path,
    monkeypatch,
    form,
):
    wid = server_surge(centre)
    app = make_app(seat(centre, rules, tmp_path, monkeypatch, form))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert all(r.decision is None for r in panel(app).rows)
        await highlight(pilot, wid)
        await pilot.press("i")  # 排除
        await settle(pilot)
        assert isinstance(app.screen, RiskDecisionScreen) and app.screen.decision == "dismiss"
        await pilot.press("enter")  # no reason: refused here, nothing sent
        await settle(pilot)
        assert isinstance(app.screen, RiskDecisionScreen)
        assert centre.risks().json()["open"] >= 1
        await pilot.press(*"天气骤冷属正常波动")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, RiskDecisionScreen)
        listed = {w["id"]: w for w in centre.risks().json()["warnings"]}
        d = listed[wid]["decision"]
        assert (d["decision"], d["reason"], d["actor"], d["role"]) == (
            "dismiss",
            "天气骤冷属正常波动",
            "值班长",
            "supervisor",
        )
        shown = prompt(app, wid)
        assert "已排除" in shown and "天气骤冷属正常波动" in shown
        assert panel(app).rows[-1].id == wid and app.focused is panel(app)
        # the cursor stays in place, on the next open warning, to go on deciding down the list
        assert any(r.open for r in panel(app).rows) and panel(app).current_row.open


@pytest.mark.rule("R31.1")
@pytest.mark.parametrize(
    ("mode", "said"),
    # A seat run --offline is offline; a seat set up without any server says that instead, so
    # nobody goes looking for a broken link.
    [({"offline": True}, OFFLINE), ({"online": False}, LOCAL)],
)
async def test_offline_the_overview_shows_the_local_warnings_and_says_the_decisions_are_not_known(
    centre,  # noqa: F811
    rules,
    tmp_path,
    monkeypatch,
    form,
    mode,
    said,
):
    app = make_app(seat(centre, rules, tmp_path, monkeypatch, form, **mode))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        local = {w.id for w in app.screen.result.risks}
        assert local and {r.id for r in panel(app).rows} == local
        assert all(r.decision is None for r in panel(app).rows)
        state = str(app.screen.query_one("#ov-risks-state", Static).render())
        assert state == said
        await pilot.press("j")
        await pilot.press("q")
        await settle(pilot)
        assert not isinstance(app.screen, RiskDecisionScreen)  # nothing to send it to
        assert [n.message for n in app._notifications if n.message == said]


@pytest.mark.rule("R31.1")
async def test_a_refusal_keeps_the_reason_in_the_box_for_another_try(
    centre,  # noqa: F811
    rules,
    tmp_path,
    monkeypatch,
    form,
):
    wid = server_surge(centre)
    app = make_app(seat(centre, rules, tmp_path, monkeypatch, form))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # another supervisor decides while this one is typing
        await highlight(pilot, wid)
        await pilot.press("q")
        await settle(pilot)
        assert centre.decide(wid, {"decision": "dismiss", "reason": "重复来电"}, who="admin").status_code == 200
        await pilot.press(*REASON)
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, RiskDecisionScreen)
        assert modal.query_one("#risk-reason", Input).value == REASON
        refusals = [n.message for n in app._notifications if "不能重复处理" in n.message]
        assert len(refusals) == 1 and refusals[0].startswith("服务器拒绝：该预警已于")
        assert "不能重复处理" in str(modal.query_one("#risk-decision-state", Static).render())
        assert {w["id"]: w for w in centre.risks().json()["warnings"]}[wid]["decision"]["reason"] == "重复来电"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, RiskDecisionScreen)
        row = next(r for r in panel(app).rows if r.id == wid)  # the board was read again
        assert row.decision is not None and row.decision.reason == "重复来电"
