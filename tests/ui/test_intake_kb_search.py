"""Issue 13 on the intake screen: Ctrl+K then type searches the knowledge base by hand; F2 (a new
call) leaves nothing of the last caller's answers in the panel."""

from __future__ import annotations

import pytest

from operator_tui.ui.app import make_app

SIZE = (160, 48)


@pytest.mark.rule("R19.3")
async def test_ctrl_k_then_typing_searches_by_hand_and_f2_clears_the_panel(seat_ctx, keys):
    ctx = seat_ctx(demo=False, kb=True)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", "13500006666")
        await keys.fill(pilot, "description", "暖气不热")
        await keys.settle(pilot, 0.5)
        panel = app.screen.query_one("#kb")
        assert panel.hits and panel.hits[0].id == "heating-room-temperature-standard"
        await pilot.press("ctrl+k")
        await keys.settle(pilot)
        await pilot.press(*"结婚登记")
        await keys.settle(pilot, 0.5)
        assert panel.searched_by_hand == "结婚登记"
        assert panel.hits[0].id == "marriage-registration"
        assert app.screen.form.data()["description"] == "暖气不热"  # the form is untouched
        await pilot.press("f2")  # a new call (unsaved: confirm)
        await keys.settle(pilot)
        await pilot.press("enter")
        await keys.settle(pilot, 0.5)
        assert panel.hits == [] and panel.searched_by_hand == ""
        assert app.screen.form.data()["description"] == ""
