"""Issue 11 through the seat's screens (Pilot): a ticket recorded and synced at seat 001 pops up at
seat 002, F4 finds and opens it there, F10 links a 催办 to it; offline, the seat says its view is
only its own records (R13.1, R10.1)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from operator_tui.lookup import CENTRE, OFFLINE_NOTE, UNSYNCED
from operator_tui.store import outbox, tickets
from operator_tui.ui.app import make_app
from operator_tui.ui.screens.dialogs import LinkChooserScreen
from operator_tui.ui.screens.find import FindScreen, TicketDetailScreen

SIZE = (160, 48)
PHONE = "13904120001"
pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument with the TestClient")


def _synced(ctx) -> None:
    report = ctx.sync.sync_once()
    assert report.ok and report.rejected == 0, report


def _history_text(app) -> str:
    return str(app.screen.query_one("#history-title").render())


@pytest.mark.rule("R13.1")
async def test_a_ticket_recorded_at_seat_001_pops_up_at_seat_002(centre, keys):
    a, b = centre.seat("001"), centre.seat("002")
    t = centre.record(a, phone=PHONE, vulnerable=["elderly"])
    _synced(a)
    app = make_app(b)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", PHONE)
        await keys.settle(pilot, 0.3)
        history = app.screen.query_one("#history")
        assert [(r.number, r.source) for r in history.rows] == [(t.number, CENTRE)]
        assert "离线" not in _history_text(app)
        assert history.query_one(DataTable).get_row_at(0)[1].plain == CENTRE
        flags = str(app.screen.query_one("#call").render())
        assert "历史工单 1" in flags and "援助对象" in flags  # R9.1 from the other seat's ticket


@pytest.mark.rule("R13.1")
async def test_offline_the_pop_shows_this_seats_records_and_says_so(centre, keys):
    a = centre.seat("001")
    centre.record(a, phone=PHONE)
    _synced(a)
    alone = centre.seat("002", online=False)
    own = centre.record(alone, phone=PHONE)
    app = make_app(alone)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", PHONE)
        await keys.settle(pilot, 0.3)
        rows = app.screen.query_one("#history").rows
        assert [(r.number, r.source) for r in rows] == [(own.number, UNSYNCED)]
        assert OFFLINE_NOTE in _history_text(app)


async def _find(pilot, keys, app, **fields) -> list[str]:
    """F4 at the seat, the fields filled, Enter; the result rows' numbers."""
    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(app.screen, FindScreen)
    for field, text in fields.items():
        await keys.fill(pilot, f"find-{field}", text)
    await pilot.press("enter")
    await keys.settle(pilot, 0.2)
    return [r.number for r in app.screen.found]


@pytest.mark.rule("R10.1")
async def test_f4_at_seat_002_finds_seat_001s_ticket_by_number_phone_name_and_address(centre, keys):
    a, b = centre.seat("001"), centre.seat("002")
    t = centre.record(a, phone=PHONE, name="欧阳春花", address="铁东区胜利路18号")
    centre.record(a, phone="13904120002", name="张三", address="铁西区某路1号")
    _synced(a)
    app = make_app(b)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot)
        for fields in (
            {"query": t.number},
            {"query": PHONE},
            {"name": "春花"},
            {"address": "胜利路"},
            {"name": "欧阳", "from": "2026-11-26", "to": "2026-11-26"},
        ):
            assert await _find(pilot, keys, app, **fields) == [t.number], fields
            await pilot.press("escape")
            await pilot.pause()
        assert await _find(pilot, keys, app, name="春花", to="2026-11-25") == []
        status = str(app.screen.query_one("#find-status").render())
        assert "未找到" in status
        await pilot.press("escape")
        await pilot.pause()
        assert await _find(pilot, keys, app, **{"from": "2026-11-01"}) == []
        assert "至少一项" in str(app.screen.query_one("#find-status").render())


@pytest.mark.rule("R10.1")
async def test_another_seats_ticket_opens_from_the_server_and_a_note_on_it_goes_out_from_here(centre, keys):
    a, b = centre.seat("001"), centre.seat("002")
    t = centre.record(a, phone=PHONE)
    _synced(a)
    app = make_app(b)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot)
        assert await _find(pilot, keys, app, query=t.number) == [t.number]
        await pilot.press("enter")
        await keys.settle(pilot, 0.2)
        assert isinstance(app.screen, TicketDetailScreen)
        assert t.number in str(app.screen.query_one("#detail-summary").render())
        assert "登记" in str(app.screen.query_one("#detail-history").render())
        with b.store.connect() as db:
            assert tickets.by_number(db, t.number) is None  # reading copies nothing
        await pilot.press("l")
        await pilot.pause()
        await pilot.press(*"来电人补充楼道灯也坏了")
        await pilot.press("f12")
        await keys.settle(pilot, 0.3)
        with b.store.connect() as db:
            kinds = [e.kind for e in tickets.events(db, t.id)]
            assert kinds == ["register", "accept", "dispatch", "add_note"] and outbox.depth(db) == 1
    _synced(b)
    assert centre.server_ticket(t.number).notes[-1].text == "来电人补充楼道灯也坏了"


@pytest.mark.rule("R13.1")
async def test_f10_at_seat_002_offers_every_open_ticket_and_links_the_chosen_one(centre, keys):
    a, b = centre.seat("001"), centre.seat("002")
    first = centre.record(a, phone=PHONE, matter="heating_temperature")
    second = centre.record(a, phone=PHONE, matter="water_outage")
    _synced(a)
    b.caller = PHONE
    app = make_app(b)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot, 0.3)
        assert len(app.screen.query_one("#history").rows) == 2
        await keys.fill(pilot, "description", "第二次打来还是没人处理")
        await pilot.press("f10")
        await keys.settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, LinkChooserScreen)
        assert {code for code, _ in chooser.options} == {first.id, second.id}
        chosen = chooser.options[1][0]
        await pilot.press("2")
        await keys.settle(pilot, 0.3)
        with b.store.connect() as db:
            kinds = [e.kind for e in tickets.events(db, chosen)]
            assert kinds[-2:] == ["link_call", "add_note"] and outbox.depth(db) == 2
            assert tickets.count(db) == 1  # the chosen ticket, stored here; no new ticket
    _synced(b)
    linked = centre.server_ticket(first.number if chosen == first.id else second.number)
    assert len(linked.linked_calls) == 1 and linked.notes[-1].text == "第二次打来还是没人处理"
    assert centre.server_count() == 2


@pytest.mark.rule("R13.1")
async def test_f10_asks_the_centre_again_when_the_pop_did_not_hold_every_ticket(centre, keys, monkeypatch):
    from operator_tui.ui.screens import intake

    monkeypatch.setattr(intake, "HISTORY_LIMIT", 1)  # the pop shows one of the caller's two tickets
    a, b = centre.seat("001"), centre.seat("002")
    first = centre.record(a, phone=PHONE)
    second = centre.record(a, phone=PHONE, matter="water_outage")
    _synced(a)
    b.caller = PHONE
    app = make_app(b)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot, 0.3)
        assert len(app.screen.query_one("#history").rows) == 1 and not app.screen.caller.complete
        await pilot.press("f10")
        await keys.settle(pilot)
        assert isinstance(app.screen, LinkChooserScreen)
        assert {code for code, _ in app.screen.options} == {first.id, second.id}
