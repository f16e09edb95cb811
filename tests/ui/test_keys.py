"""Keys: bindings carry ids and can be remapped in keymap.toml; every action is in the command
palette (issue 3)."""

from __future__ import annotations

import pytest

from operator_tui.ui.app import KeymapError, load_keymap, make_app

SIZE = (160, 48)


async def test_a_remapped_key_starts_a_new_call(seat_ctx, tmp_path):
    ctx = seat_ctx(demo=False)
    ctx.settings.config_dir.mkdir(parents=True, exist_ok=True)
    ctx.settings.keymap_path.write_text('[keys]\n"seat.new_call" = "f11"\n', encoding="utf-8")
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.call_started_at is None
        await pilot.press("f2")  # no longer bound
        await pilot.pause()
        assert screen.call_started_at is None
        await pilot.press("f11")
        await pilot.pause()
        assert screen.call_started_at is not None and app.focused.id == "phone"


def test_a_broken_keymap_names_the_file(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\n"seat.new_call" = 3\n', encoding="utf-8")
    with pytest.raises(KeymapError, match="keymap.toml"):
        load_keymap(path)


async def test_every_seat_action_is_in_the_command_palette(seat_ctx):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for label in (
            "新来电",
            "规范用语",
            "查询工单",
            "当场答复",
            "受理转办",
            "不予受理",
            "告知途径",
            "紧急转介",
            "催办",
        ):
            assert any(t.startswith(label) for t in titles), label


async def test_the_key_bar_shows_the_current_screen_keys_in_keyboard_order(seat_ctx):
    """The bottom line lists the keys of the screen in front (the remapped one, too), the command
    palette first and the function keys in order; a pushed screen brings its own."""
    from operator_tui.ui.widgets.key_bar import KeyBar

    ctx = seat_ctx(demo=False)
    ctx.settings.config_dir.mkdir(parents=True, exist_ok=True)
    ctx.settings.keymap_path.write_text('[keys]\n"seat.new_call" = "f11"\n', encoding="utf-8")
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        line = app.screen.query_one(KeyBar).line().plain
        assert line.index("^p 命令") < line.index("F3 规范用语") < line.index("F5 当场答复") < line.index("F10 催办")
        assert "F11 新来电" in line and "F2 新来电" not in line
        await pilot.press("f4")  # find a ticket: its own keys
        await pilot.pause()
        line = app.screen.query_one(KeyBar).line().plain
        assert "返回" in line and "当场答复" not in line
