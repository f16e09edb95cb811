"""The phone system drives the seat (issue 19), with `FakeLink` playing the switch: a queue call
rings, the caller's history pops before the answer, the call is answered, recorded, transferred
three-way to 110 from F9, hung up, after-call work counts down to 示闲, and the ticket carries the
call's id, times and recording reference. A link pulled mid-call loses nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from operator_tui.call_state import AgentState
from operator_tui.cti.events import HungUp, RecordingStarted
from operator_tui.cti.fake import FakeLink
from operator_tui.demo import DEMO_CALLER
from operator_tui.store import tickets
from operator_tui.ui.app import make_app
from operator_tui.ui.widgets.call_panel import CallPanel
from operator_tui.ui.widgets.call_record_view import call_lines

SIZE = (160, 48)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # as tests/ui/conftest.py


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self):
        return self.at


async def settle(pilot, wait: float = 0.1) -> None:
    """As keys.settle, but not waiting for the link's event worker, which runs for the whole seat."""
    await pilot.pause(wait)
    for _ in range(3):
        busy = [w for w in pilot.app.workers if w.group != "cti" and not w.is_finished]
        if busy:
            await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
        await pilot.pause()


async def confirm(pilot, key: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot, 0.3)


def phone_seat(seat_ctx, **kw):
    ctx = seat_ctx(**kw)
    clock = Clock()
    ctx.now = clock
    link = FakeLink(agent="1001@default")
    ctx.cti = link
    return ctx, link, clock


async def fill_the_rest(pilot, keys):
    await keys.fill(pilot, "name", "赵女士")
    await keys.fill(pilot, "address", "铁东区站前街道7号楼")
    await keys.pick(pilot, "place", "tdzq")
    await keys.fill(pilot, "description", "楼道里有人打架，暖气也不热")
    await keys.pick(pilot, "appeal_type", "ts")
    await keys.pick(pilot, "matter", "gnwd")


def saved_ticket(ctx, phone=DEMO_CALLER):
    with ctx.store.connect() as db:
        found = [t for t in tickets.search(db, phone=phone) if t.registered_at == NOW or t.call_id]
        newest = max(found, key=lambda t: t.registered_at)
        return newest, [e.kind for e in tickets.events(db, newest.id)]


@pytest.mark.rule("R13.1")
@pytest.mark.rule("R20.3")
@pytest.mark.rule("R11.1")
async def test_a_queue_call_end_to_end(seat_ctx, keys):
    ctx, link, clock = phone_seat(seat_ctx)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(CallPanel)
        assert panel.link == "up" and "F11" in app.screen.query_one("KeyBar").line().plain
        # Ringing pops the caller's history before the answer, with the 15 s countdown.
        call = link.ring(caller=DEMO_CALLER, queue="8890")
        await settle(pilot, 0.2)
        band = app.screen.query_one("#ringing")
        assert band.ringing and app.screen.form.data()["appellant"]["phone"] == DEMO_CALLER
        assert len(app.screen.query_one("#history").rows) == 3
        shown = band.render().plain
        assert "来电历史 3 单" in shown and "15 秒内接听" in shown and "8890" in shown
        assert "振铃" in panel.render().plain
        # F11 answers: the talk timer runs from the answer.
        await pilot.press("f11")
        await settle(pilot)
        assert ("answer", call) in link.commands and not band.ringing
        assert panel.call.state is AgentState.TALKING
        link.push(RecordingStarted(link.clock(), call, reference="/recordings/2026-11-26/call-1.wav"))
        await fill_the_rest(pilot, keys)
        # F9: referral to 110, three-way first (the default with a live call).
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen.query_one("#referral-transfer").value == "three_way"
        await pilot.press("1", "enter")
        await settle(pilot)
        assert ("three_way", call, "110") in link.commands
        await confirm(pilot, "f6")
        await settle(pilot)
        t, kinds = saved_ticket(ctx)
        assert t.call_id == call and "register" in kinds
        (referral,) = t.referrals
        assert (referral.target, referral.transfer_mode, referral.transfer_result) == ("110", "three_way", "done")
        assert panel.call.state is AgentState.TALKING  # saved, but the caller is still on the line
        # The caller hangs up: after-call work, told to the switch; the call's record joins the ticket.
        link.hang_up(call)
        await settle(pilot)
        assert panel.call.state is AgentState.WRAP_UP and panel.call.wrap_up_until is not None
        assert ("set_state", "after_call_work", None) in link.commands
        t, kinds = saved_ticket(ctx)
        assert kinds[-1] == "call_record"
        (rec,) = t.calls
        assert rec.call_id == call and rec.queue == "8890" and rec.agent == "1001@default"
        assert rec.ring_at < rec.answer_at < rec.hangup_at and rec.hangup_cause == "NORMAL_CLEARING"
        assert rec.recordings == ("/recordings/2026-11-26/call-1.wav",)
        assert [(x.target, x.mode) for x in rec.transfers] == [("110", "three_way")]
        assert "/recordings/2026-11-26/call-1.wav" in call_lines(rec, ctx.rules.policy.tz).plain
        # The countdown runs out: 示闲, on the seat and on the switch.
        clock.at = NOW + timedelta(seconds=ctx.policy.wrap_up_seconds + 1)
        panel._tick()
        await settle(pilot)
        assert panel.call.state is AgentState.READY
        assert link.commands[-1] == ("set_state", "ready", None)


@pytest.mark.rule("R11.1")
async def test_the_ticket_view_shows_the_call_and_its_recording(seat_ctx, keys):
    ctx, link, clock = phone_seat(seat_ctx)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        call = link.ring(caller=DEMO_CALLER, queue="8890")
        await settle(pilot)
        await pilot.press("f11")
        link.push(RecordingStarted(link.clock(), call, reference="/rec/call-9.wav"))
        await fill_the_rest(pilot, keys)
        link.hang_up(call)  # hung up before the save: the countdown waits for it
        await settle(pilot)
        panel = app.screen.query_one(CallPanel)
        assert panel.call.state is AgentState.WRAP_UP and panel.call.wrap_up_until is None
        assert "保存后倒计时" in panel.render().plain
        await pilot.press("f9", "1", "right", "enter")  # 110, told to dial; no live call to transfer
        await settle(pilot)
        await confirm(pilot, "f6")
        await settle(pilot)
        assert panel.call.wrap_up_until is not None
        t, kinds = saved_ticket(ctx)
        assert kinds.count("call_record") == 1 and t.referrals[0].transfer_mode is None
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press(*t.number, "enter")
        await settle(pilot, 0.2)
        await pilot.press("enter")
        await settle(pilot, 0.2)
        summary = app.screen.query_one("#detail-summary").render().plain
        assert "通话记录" in summary and call in summary and "/rec/call-9.wav" in summary


@pytest.mark.rule("R11.1")
async def test_a_link_pulled_mid_call_loses_nothing(seat_ctx, keys):
    ctx, link, clock = phone_seat(seat_ctx)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        call = link.ring(caller=DEMO_CALLER, queue="8890")
        await settle(pilot)
        await pilot.press("f11")
        await settle(pilot)
        link.go_down()
        await settle(pilot)
        panel = app.screen.query_one(CallPanel)
        assert "电话条离线" in panel.render().plain
        await pilot.press("ctrl+b")  # hold with the link down: said, not sent, nothing breaks
        await settle(pilot)
        assert not any(c[0] == "hold" for c in link.commands)
        await fill_the_rest(pilot, keys)
        await confirm(pilot, "f6")
        await settle(pilot)
        t, kinds = saved_ticket(ctx)
        assert kinds[0] == "register" and "call_record" not in kinds  # the ticket does not wait for the link
        # The caller hung up while the link was down; on reconnect the link replays it.
        link.push(HungUp(link.clock(), call, replayed=True, cause="UNKNOWN"))
        link.go_up(resynced=True)
        await settle(pilot)
        assert panel.link == "up" and "电话条离线" not in panel.render().plain
        assert panel.call.state is AgentState.WRAP_UP
        t, kinds = saved_ticket(ctx)
        assert kinds[-1] == "call_record" and t.calls[0].hangup_cause == "UNKNOWN" and t.calls[0].answer_at


async def test_without_cti_the_phone_keys_are_not_there(seat_ctx):
    ctx = seat_ctx()
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = app.screen.query_one("KeyBar").line().plain
        assert "接听" not in line and "示闲/示忙" not in line
        from operator_tui.ui.palette import commands

        assert not any(c.name in ("接听", "保持", "转接") for c in commands(app, app.screen))


async def test_agent_state_busy_with_a_reason_goes_to_the_switch(seat_ctx):
    ctx, link, clock = phone_seat(seat_ctx)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press("2")  # 示忙（填写理由）
        await pilot.pause()
        await pilot.press(*"培训", "ctrl+s")
        await settle(pilot)
        assert ("set_state", "not_ready", "培训") in link.commands
        assert "示忙（培训）" in app.screen.query_one(CallPanel).render().plain


async def test_hold_and_a_blind_transfer_from_the_keys(seat_ctx):
    ctx, link, clock = phone_seat(seat_ctx)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        call = link.ring(caller=DEMO_CALLER)
        await settle(pilot)
        await pilot.press("f11")
        await settle(pilot)
        panel = app.screen.query_one(CallPanel)
        await pilot.press("ctrl+b")
        await settle(pilot)
        clock.at = NOW + timedelta(seconds=20)
        assert ("hold", call) in link.commands and "保持 00:20" in panel.render().plain
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert link.commands[-1] == ("unhold", call) and not panel.timers.on_hold
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("1")  # 直接转接
        await pilot.pause()
        await pilot.press(*"12345", "ctrl+s")
        await settle(pilot)
        assert link.commands[-2] == ("transfer", call, "12345", "blind")
        assert link.commands[-1] == ("set_state", "after_call_work", None)  # transferred away: the call ended here
        assert link.calls[call].hangup_cause == "BLIND_TRANSFER"
