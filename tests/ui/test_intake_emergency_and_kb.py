"""The intake screen with triage and the knowledge base live (issues 4 and 5)."""

from __future__ import annotations

import pytest

from operator_tui.store import tickets
from operator_tui.ui.app import make_app

SIZE = (160, 48)
PHONE = "13500005555"


@pytest.mark.rule("R20.3")
async def test_typing_an_emergency_raises_the_banner_until_a_referral_is_recorded(seat_ctx, keys):
    ctx = seat_ctx(demo=False)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", PHONE)
        banner = app.screen.query_one("#banner")
        await keys.fill(pilot, "description", "家里有人")
        assert not banner.raised
        await pilot.press(*"晕倒了")  # within one keystroke of becoming an emergency
        assert banner.raised and "120" in banner.targets
        assert "晕倒" in str(banner.render())
        # Calmer text afterwards does not take it down (never dismissed by itself).
        await pilot.press(*"现在醒了")
        await keys.settle(pilot)
        assert banner.raised
        await pilot.press("f9")
        await keys.settle(pilot)
        await pilot.press("escape")
        await keys.settle(pilot)
        assert banner.raised  # cancelled: still up
        await pilot.press("f9")
        await keys.settle(pilot)
        await pilot.press("enter")  # the suggested target (120), outcome transferred
        await keys.settle(pilot)
        assert not banner.raised
        assert app.screen.pending_referrals and app.screen.pending_referrals[0]["target"] == "120"
        # The referral is saved with the ticket, as its own event.
        await keys.fill(pilot, "name", "钱女士")
        await keys.fill(pilot, "address", "铁西区永乐街道2号")
        await keys.pick(pilot, "place", "txyl")
        await keys.pick(pilot, "appeal_type", "qz")
        await keys.pick(pilot, "matter", "ylfw")
        await keys.fill(pilot, "answer", "已转接120急救")
        await pilot.press("f5")
        await keys.settle(pilot)
        await pilot.press("enter")
        await keys.settle(pilot, 0.3)
    with ctx.store.connect() as db:
        (t,) = tickets.search(db, phone=PHONE)
        kinds = [e.kind for e in tickets.events(db, t.id)]
    assert kinds == ["register", "referral", "answer_on_spot"]
    assert t.referrals[0].target == "120" and t.referrals[0].outcome == "transferred" and t.priority == 2


@pytest.mark.rule("R19.3")
@pytest.mark.rule("R20.1")
async def test_knowledge_answer_closes_the_ticket_on_the_spot(seat_ctx, keys):
    ctx = seat_ctx(demo=False, kb=True)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", PHONE)
        await keys.fill(pilot, "name", "孙先生")
        await keys.fill(pilot, "address", "铁东区解放街道")
        await keys.pick(pilot, "place", "tdjf")
        await keys.fill(pilot, "description", "社保卡丢了怎么补办")
        await keys.settle(pilot, 0.5)  # the panel is debounced and searches in a worker
        panel = app.screen.query_one("#kb")
        await keys.settle(pilot, 0.3)
        assert panel.hits, "the panel follows the description"
        top = panel.hits[0]
        assert "社保卡" in top.title
        await pilot.press("ctrl+a")  # from the form: the highlighted answer into the answer field
        await keys.settle(pilot)
        assert app.screen.form.data()["answer"] == top.standard_answer
        await keys.pick(pilot, "appeal_type", "zx")
        await keys.pick(pilot, "matter", "sbk")
        await pilot.press("f5")
        await keys.settle(pilot)
        await pilot.press("enter")
        await keys.settle(pilot, 0.3)
    with ctx.store.connect() as db:
        (t,) = tickets.search(db, phone=PHONE)
    assert t.status.value == "answered" and t.answer == top.standard_answer and t.kb_article == top.id
