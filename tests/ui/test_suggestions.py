"""Seat assist (issue 13 part 4): the caller's words propose the matter, the appeal type, the place
and the name; the operator confirms with Enter (→ for the name) or picks another, and nothing is
filled in silently (R19.1)."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from operator_tui.demo import DEMO_CALLER
from operator_tui.ui.app import make_app
from operator_tui.ui.widgets.picker import PickerScreen

SIZE = (160, 48)
HEATING = "家里暖气还是不热卧室只有十五度"
ADDRESS = "铁东区站前街道54号楼5单元101"


async def _describe(pilot, keys, text: str = HEATING) -> None:
    await keys.fill(pilot, "description", text)
    await keys.settle(pilot, 0.3)  # past the debounce, the worker done
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _open(pilot, field: str) -> PickerScreen:
    pilot.app.screen.query_one(f"#{field}").focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PickerScreen)
    return pilot.app.screen


def _first_option(picker: PickerScreen):
    options = picker.query_one("#picker-options", OptionList)
    return options.get_option_at_index(0)


@pytest.mark.rule("R19.1")
async def test_the_heating_description_puts_the_heating_matter_and_complaint_first(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await _describe(pilot, keys)
        form = app.screen.form
        assert form.query_one("#matter").suggested[0][0] == "heating_temperature"
        assert form.query_one("#appeal_type").suggested[0][0] == "complaint"
        # Shown in the field, marked, with the caller's words that led to it.
        shown = form.query_one("#matter").render().plain
        assert "建议" in shown and "供暖温度不达标" in shown and "不热" in shown
        picker = await _open(pilot, "matter")
        first = _first_option(picker)
        assert first.id == "heating_temperature" and str(first.prompt).startswith("建议")
        assert picker.query_one("#picker-options", OptionList).highlighted == 0


@pytest.mark.rule("R19.1")
async def test_nothing_is_filled_in_until_the_operator_confirms_with_enter(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "address", ADDRESS)
        await _describe(pilot, keys)
        data = app.screen.form.data()
        assert (data["matter"], data["appeal_type"], data["place"]) == (None, None, None)
        await _open(pilot, "appeal_type")
        await pilot.press("enter")
        await pilot.pause()
        await _open(pilot, "matter")
        await pilot.press("enter")
        await pilot.pause()
        data = app.screen.form.data()
        assert (data["appeal_type"], data["matter"]) == ("complaint", "heating_temperature")
        assert data["place"] is None  # not opened, not confirmed: still empty


@pytest.mark.rule("R19.1")
async def test_another_pick_still_works(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await _describe(pilot, keys)
        await keys.pick(pilot, "matter", "tingshui")  # typing filters by hand: the proposals step aside
        assert app.screen.form.data()["matter"] == "water_outage"
        await _open(pilot, "appeal_type")
        await pilot.press("down", "enter")  # the second entry, not the proposal
        await pilot.pause()
        assert app.screen.form.data()["appeal_type"] not in (None, "complaint")


@pytest.mark.rule("R19.1")
async def test_the_place_comes_from_the_address(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "address", ADDRESS)
        await keys.settle(pilot, 0.3)
        picker = await _open(pilot, "place")
        assert _first_option(picker).id == "tiedong.站前街道"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.form.data()["place"] == "tiedong.站前街道"


@pytest.mark.rule("R19.1")
async def test_a_burst_opens_the_place_picker_with_the_address_already_read(seat_ctx, keys):
    """At paste speed the picker opens before the debounced worker ran: it asks at once."""
    from test_typing_bursts import burst

    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#address").focus()
        await pilot.pause()
        burst(app, [*ADDRESS, "enter", "enter", "enter", *"暖气不热"])
        await keys.settle(pilot, 0.3)
        await pilot.pause(0.1)
        data = app.screen.form.data()
        assert data["place"] == "tiedong.站前街道" and data["description"] == "暖气不热"


@pytest.mark.rule("R19.1")
async def test_the_callers_name_is_offered_from_their_history_and_taken_with_right(seat_ctx, keys):
    ctx = seat_ctx(caller=DEMO_CALLER)
    with ctx.store.connect() as db:
        from operator_tui.store import tickets

        known = sorted(tickets.search(db, phone=DEMO_CALLER), key=lambda t: t.registered_at)[-1].appellant.name
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot, 0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        name = app.screen.query_one("#name")
        assert name.value == "", "offered, not filled in"
        assert known in name.placeholder and "→" in name.placeholder
        name.focus()
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert app.screen.form.data()["appellant"]["name"] == known
