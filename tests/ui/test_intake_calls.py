"""Whole calls through the seat, keyboard only: number → form → each disposition → the saved ticket
in SQLite has the right events, units and deadlines (issue 3)."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from operator_tui.demo import DEMO_CALLER
from operator_tui.domain.model import Status
from operator_tui.store import drafts, tickets
from operator_tui.ui.app import make_app

SIZE = (160, 48)
NEW_CALLER = "13800001111"


async def _type_call(pilot, keys, *, phone=NEW_CALLER, matter="gnwd", description="家里暖气不热，卧室只有15度"):
    await keys.fill(pilot, "phone", phone)
    await keys.fill(pilot, "name", "赵女士")
    await keys.fill(pilot, "address", "铁东区站前街道7号楼")
    await keys.pick(pilot, "place", "tdzq")
    await keys.fill(pilot, "description", description)
    await keys.pick(pilot, "appeal_type", "ts")
    await keys.pick(pilot, "matter", matter)


def _saved(ctx, phone=NEW_CALLER):
    with ctx.store.connect() as db:
        found = tickets.search(db, phone=phone)
        history = tickets.events(db, found[0].id) if found else []
    return found, [e.kind for e in history]


@pytest.mark.rule("R20.2")
@pytest.mark.rule("R22.1")
async def test_accept_and_dispatch_a_whole_call(seat_ctx, keys):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _type_call(pilot, keys)
        form = app.screen.form.data()
        assert form["place"] == "tiedong.站前街道" and form["matter"] == "heating_temperature"
        # 属事 + 属地: the matter's units and the district government are suggested.
        assert form["lead_unit"] == "heat_group" and "gov_tiedong" in form["co_units"]
        await keys.confirm(pilot, "f6")
        found, kinds = _saved(ctx)
        assert len(found) == 1
        t = found[0]
        assert kinds == ["register", "accept", "dispatch"]
        assert t.status is Status.DISPATCHED and t.lead_unit == "heat_group" and "gov_tiedong" in t.co_units
        clock = ctx.desk.clock(t, ctx.now())
        assert clock.name == "resolution" and clock.due.date.isoformat() == "2026-12-03"  # 5 working days
        saved = str(app.screen.query_one("#saved", Static).render())
        assert t.number[:6] in saved and "办结时限" in saved
        with ctx.store.connect() as db:  # the draft is gone with the save
            assert drafts.load(db) is None


@pytest.mark.rule("R20.1")
async def test_answer_on_the_spot_needs_an_answer_then_closes(seat_ctx, keys):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _type_call(pilot, keys, matter="gnsf", description="问今年供暖费什么时候交")
        await pilot.press("f5")
        await pilot.pause()
        assert _saved(ctx)[0] == []  # no answer yet: nothing saved, the answer field is focused
        assert app.focused.id == "answer"
        await pilot.press(*"供暖费于每年10月底前缴纳")
        await keys.confirm(pilot, "f5")
        found, kinds = _saved(ctx)
        assert kinds == ["register", "answer_on_spot"]
        assert found[0].status is Status.ANSWERED and found[0].answer == "供暖费于每年10月底前缴纳"


@pytest.mark.rule("R20.2")
async def test_refuse_needs_a_reason(seat_ctx, keys):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _type_call(pilot, keys)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("f12")  # empty reason is refused in the dialog
        await pilot.pause()
        assert _saved(ctx)[0] == []
        await pilot.press(*"诉求不属于本市行政区域")
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        found, kinds = _saved(ctx)
        assert kinds == ["register", "refuse"]
        assert found[0].status is Status.REFUSED and found[0].refusal_reason == "诉求不属于本市行政区域"


@pytest.mark.rule("R20.5")
@pytest.mark.rule("R20.6")
async def test_advise_the_proper_channel(seat_ctx, keys):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _type_call(pilot, keys, matter="gzry", description="实名举报某局工作人员收受好处")
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("4")  # 纪委监委12388举报
        await pilot.pause()
        await pilot.press("f12")  # the standard advice text is prefilled
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        found, kinds = _saved(ctx)
        assert kinds == ["register", "advise_channel"]
        assert found[0].status is Status.ADVISED and found[0].advice_channel == "discipline_12388"
        assert "12388" in found[0].answer


@pytest.mark.rule("R20.4")
async def test_petition_goes_to_the_government_and_the_petition_department(seat_ctx, keys):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _type_call(pilot, keys, matter="xfsx", description="拆迁补偿多年未落实")
        form = app.screen.form.data()
        assert form["lead_unit"] == "gov_tiedong" and "city_petition" in form["co_units"]
        await keys.confirm(pilot, "f6")
        t = _saved(ctx)[0][0]
        # R20.4: the 信访 department supervises the ticket (it reads it; it does not handle it)
        assert t.lead_unit == "gov_tiedong" and t.supervising_unit == "city_petition" and "city_petition" in t.readers


@pytest.mark.rule("R19.1")
async def test_incomplete_form_shows_what_to_fix_and_saves_nothing(seat_ctx, keys):
    ctx = seat_ctx()
    with ctx.store.connect() as db:
        before = tickets.count(db)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", "12345")
        await pilot.press("f6")
        await pilot.pause()
        errors = str(app.screen.query_one("#form-errors").render())
        assert "电话号码" in errors and "请填写诉求内容" in errors and "请选择发生地点" in errors
        assert app.focused.id == "name" or app.focused.id == "phone"
        with ctx.store.connect() as db:
            assert tickets.count(db) == before


@pytest.mark.rule("R13.1")
async def test_repeat_call_links_to_the_open_ticket_instead_of_a_duplicate(seat_ctx, keys):
    ctx = seat_ctx(caller=DEMO_CALLER)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await keys.pick(pilot, "matter", "gnwd")
        await pilot.pause()
        flags = str(app.screen.query_one("#call").render())
        assert "F10 催办" in flags  # the seat offers 催办 for the open heating ticket
        await keys.fill(pilot, "description", "还是不热第二次打电话了")
        with ctx.store.connect() as db:
            before = tickets.count(db)
            open_ticket = next(
                t for t in tickets.search(db, phone=DEMO_CALLER) if t.matter == "heating_temperature" and not t.closed
            )
        await keys.confirm(pilot, "f10")
        with ctx.store.connect() as db:
            assert tickets.count(db) == before  # no duplicate
            kinds = [e.kind for e in tickets.events(db, open_ticket.id)]
            linked = tickets.get(db, open_ticket.id)
        assert kinds[-2:] == ["link_call", "add_note"]
        assert len(linked.linked_calls) == 1 and linked.notes[-1].text == "还是不热第二次打电话了"


@pytest.mark.rule("R13.1")
async def test_caller_history_pops_up_from_the_number(seat_ctx, keys):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", DEMO_CALLER)
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        history = app.screen.query_one("#history")
        assert len(history.rows) == 3
        assert "历史工单 3" in str(app.screen.query_one("#call").render())


@pytest.mark.rule("R10.1")
async def test_find_a_ticket_by_number_and_read_its_status(seat_ctx):
    ctx = seat_ctx()
    with ctx.store.connect() as db:
        t = tickets.search(db, phone=DEMO_CALLER)[0]
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press(*t.number, "enter")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = str(app.screen.query_one("#detail-summary").render())
        assert t.number in summary and t.status_name in summary
        history = str(app.screen.query_one("#detail-history").render())
        assert "登记" in history


async def test_draft_is_autosaved_and_restored(seat_ctx, keys):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", NEW_CALLER)
        await keys.fill(pilot, "description", "楼上每天半夜装修")
        await pilot.pause(0.8)  # past the debounce
        await app.workers.wait_for_complete()
    with ctx.store.connect() as db:
        draft = drafts.load(db)
    assert draft["form"]["description"] == "楼上每天半夜装修"
    again = make_app(seat_ctx(demo=False))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        await again.workers.wait_for_complete()
        await pilot.pause()
        data = again.screen.form.data()
        assert data["description"] == "楼上每天半夜装修" and data["appellant"]["phone"] == NEW_CALLER


@pytest.mark.rule("R16.1")
async def test_the_status_line_counts_what_waits_to_be_synced(seat_ctx, keys):
    ctx = seat_ctx(demo=False)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot)
        bar = app.screen.query_one("#sync")
        assert bar.status.outbox_depth == 0
        await _type_call(pilot, keys)
        await keys.confirm(pilot, "f6")
        await keys.settle(pilot)
        assert bar.status.outbox_depth == 3  # register, accept, dispatch: recorded here, not yet sent
