"""A handful of SVG snapshots of the main screens (issue 3). Behaviour is tested through Pilot
elsewhere; these catch layout regressions. Update with `pytest --snapshot-update` after looking."""

from __future__ import annotations

from operator_tui.demo import DEMO_CALLER
from operator_tui.ui.app import make_app

SIZE = (160, 48)


async def _settle(pilot) -> None:
    await pilot.pause(0.2)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_intake_with_caller_history(seat_ctx, snap_compare):
    app = make_app(seat_ctx(caller=DEMO_CALLER))
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_intake_emergency_banner(seat_ctx, snap_compare):
    app = make_app(seat_ctx(caller="13700001111"))

    async def run_before(pilot):
        await _settle(pilot)
        pilot.app.screen.query_one("#description").focus()
        await pilot.press(*"楼道里煤气味很大有人晕倒了")
        # Typing starts debounced work (the suggestions 0.15 s, the knowledge panel) whose timers
        # may fire after a first settle on a loaded machine: settle until nothing is left running.
        await _settle(pilot)
        await pilot.pause(0.3)
        await _settle(pilot)
        pilot.app.screen.set_focus(None)  # no cursor (nor its blink phase) in the picture
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_overview(seat_ctx, snap_compare):
    app = make_app(seat_ctx(role="supervisor"))
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_intake_small_terminal(seat_ctx, snap_compare):
    """Still usable at 120×36."""
    app = make_app(seat_ctx(caller=DEMO_CALLER))
    assert snap_compare(app, terminal_size=(120, 36), run_before=_settle)


def test_ticket_detail(seat_ctx, snap_compare):
    app = make_app(seat_ctx())

    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("f4")
        await pilot.press(*DEMO_CALLER, "enter")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
