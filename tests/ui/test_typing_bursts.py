"""A fast typist loses nothing (issue 14; known trap "A key that opens a screen"): keys sent at paste
speed (all queued at once, before the seat has handled the first) reach the screen the operator is
looking at, in order. `burst` posts every key to the app before any is handled, as a terminal's
read of a paste or a typist on a loaded machine does; Pilot's `press` waits after each key."""

from __future__ import annotations

import pytest
from textual import events

from operator_tui.ui.app import make_app
from operator_tui.ui.widgets.picker import PickerScreen

SIZE = (160, 48)


def burst(app, keys: list[str] | str) -> None:
    """Queue every key at once. A single character is typed as itself; longer names are keys."""
    for k in keys:
        if len(k) == 1:
            app.post_message(events.Key(k if k.isascii() and k.isalnum() else k, k))
        else:
            app.post_message(events.Key(k, "\r" if k == "enter" else None))


async def settle(pilot, keys) -> None:
    await keys.settle(pilot, 0.2)
    await pilot.pause(0.1)


@pytest.mark.rule("R19.1")
async def test_the_key_that_opens_a_picker_is_its_filter_first_character(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#matter").focus()
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause(0.2)
        await pilot.press("n")  # a second later: still the filter's second character
        await pilot.pause(0.2)
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.query_one("#picker-filter").value == "gn"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen.form.data()["matter"].startswith("heating")


@pytest.mark.rule("R19.1")
async def test_a_burst_goes_to_one_picker_and_the_next_field_gets_the_rest(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        intake = app.screen
        intake.query_one("#place").focus()
        await pilot.pause()
        burst(app, [*"tdzq", "enter", *"暖气不热"])
        await settle(pilot, keys)
        assert app.screen is intake, "one picker, closed by the Enter"
        data = intake.form.data()
        assert data["place"] == "tiedong.站前街道"
        assert data["description"] == "暖气不热"
        assert app.focused.id == "description"


@pytest.mark.rule("R19.1")
async def test_a_burst_across_pickers_fills_each_from_its_own_keys(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        intake = app.screen
        intake.query_one("#appeal_type").focus()
        await pilot.pause()
        # 诉求类型 ts⏎ moves on to 事项 (call order), whose picker then takes gnwd⏎
        burst(app, [*"ts", "enter", *"gnwd", "enter"])
        await settle(pilot, keys)
        assert app.screen is intake
        data = intake.form.data()
        assert data["appeal_type"] == "complaint" and data["matter"] == "heating_temperature"


@pytest.mark.rule("R19.2")
async def test_keys_typed_while_a_dialog_opens_reach_it(seat_ctx, keys):
    """F4 then the number at once: the find box gets every digit."""
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, ["f4", *"13912345678"])
        await settle(pilot, keys)
        assert app.screen.query_one("#find-query").value == "13912345678"


@pytest.mark.rule("R19.1")
async def test_a_burst_from_the_description_through_two_pickers_to_the_dispatch(seat_ctx, keys):
    """Tab out of the description, `t⏎` for the type, `gn⏎` for the matter, F6 ⏎: all at once."""
    from operator_tui.domain.model import Status
    from operator_tui.store import tickets

    ctx = seat_ctx(demo=False)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        intake = app.screen
        await keys.fill(pilot, "phone", "13800001111")
        await keys.fill(pilot, "name", "赵女士")
        await keys.fill(pilot, "address", "铁东区站前街道7号楼")
        await keys.pick(pilot, "place", "tdzq")
        intake.query_one("#description").focus()
        await pilot.pause()
        burst(app, [*"暖气不热", "tab", "t", "enter", "g", "n", "enter", "f6", "enter"])
        await settle(pilot, keys)
        await settle(pilot, keys)
        assert app.screen is intake
        with ctx.store.connect() as db:
            found = tickets.search(db, phone="13800001111")
        assert found and found[0].status is Status.DISPATCHED and found[0].matter == "heating_temperature"
        assert found[0].description == "暖气不热"


@pytest.mark.rule("R19.1")
async def test_tab_off_a_picker_field_then_typing_goes_to_the_next_field(seat_ctx, keys):
    """Tab is acted on by the field itself, before the keys behind it (which would otherwise open
    the place picker with the description's first character)."""
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        intake = app.screen
        intake.query_one("#place").focus()
        await pilot.pause()
        burst(app, ["tab", *"暖气不热"])
        await settle(pilot, keys)
        assert app.screen is intake
        assert intake.form.data()["description"] == "暖气不热" and intake.form.data()["place"] is None


@pytest.mark.rule("R19.1")
@pytest.mark.parametrize(
    ("start", "keys_", "expected"),
    [
        # Found typing in tmux: End and Ctrl+U are the field's bindings, run only when the key has
        # bubbled up to the app; the characters behind them went in first, and were then wiped.
        ("李先生", ["end", "ctrl+u", *"王女士"], "王女士"),
        ("周吴郑王", ["backspace"] * 4 + [*"冯陈褚"], "冯陈褚"),
        ("张三", ["home", *"老"], "老张三"),
        ("赵钱孙", ["left", "left", "delete", *"李"], "赵李孙"),
    ],
)
async def test_editing_keys_in_a_burst_act_in_the_order_they_were_typed(seat_ctx, keys, start, keys_, expected):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        name = app.screen.query_one("#name")
        name.focus()
        await pilot.pause()
        name.value = start
        name.cursor_position = len(start)
        await pilot.pause()
        for _ in range(3):  # again and again: the old fault lost keys only when they raced
            burst(app, keys_)
            await settle(pilot, keys)
            assert name.value == expected
            name.value = start
            name.cursor_position = len(start)
            await pilot.pause()
