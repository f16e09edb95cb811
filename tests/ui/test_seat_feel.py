"""The seat's everyday feel (issue 14): the call's states and timer, the read-out after each
disposition, the locked form, Ctrl+Q mid-call, F3 into the answer, a long answer's confirmation,
over-long input, the key bar at 120×36, F4's focus after a ticket, the shift's calls, the 回访
stars, and the Chinese command palette."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Static

from operator_tui.call_state import AgentState, CallState
from operator_tui.store import tickets
from operator_tui.ui.app import make_app

SIZE = (160, 48)
T0 = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CALLER = "13800001111"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def type_call(pilot, keys, matter: str = "gnwd", description: str = "家里暖气不热，卧室只有15度") -> None:
    await keys.fill(pilot, "phone", CALLER)
    await keys.fill(pilot, "name", "赵女士")
    await keys.fill(pilot, "address", "铁东区站前街道7号楼")
    await keys.pick(pilot, "place", "tdzq")
    await keys.fill(pilot, "description", description)
    await keys.pick(pilot, "appeal_type", "ts")
    await keys.pick(pilot, "matter", matter)


def saved_tickets(ctx):
    with ctx.store.connect() as db:
        return tickets.search(db, phone=CALLER)


# --- the operator's states through a call (UI-free) ----------------------------------------------


@pytest.mark.rule("R13.1")
def test_a_call_talks_until_saved_then_wraps_up_then_is_ready():
    s = CallState().start(at(0))
    assert s.state is AgentState.TALKING and s.talk_seconds(at(95)) == 95
    s = s.end(at(100), wrap_up_seconds=30)
    assert s.state is AgentState.WRAP_UP
    assert s.talk_seconds(at(500)) == 100, "the talk timer stops at the save"
    assert s.wrap_up_left(at(110)) == 20
    assert s.tick(at(129)).state is AgentState.WRAP_UP
    assert s.tick(at(130)).state is AgentState.READY
    assert s.ready().state is AgentState.READY
    assert CallState().start(at(0)).end(at(5), wrap_up_seconds=0).state is AgentState.READY
    assert s.start(at(131)).state is AgentState.TALKING, "the next call may start during wrap-up"


def test_the_wrap_up_time_is_read_from_the_policy_with_a_default():
    from operator_tui.config import load_rules
    from operator_tui.domain.policy import PolicyError, parse_policy

    assert load_rules().policy.wrap_up_seconds == 30
    text = "[limits]\n" + "".join(
        f'{n} = {{unit = "workdays", value = 3}}\n'
        for n in ("acceptance", "dispatch", "resolution", "extension_cap", "recusal_decision", "rework")
    )
    assert parse_policy(text, "p.toml").wrap_up_seconds == 30
    assert parse_policy(text + "[call]\nwrap_up_seconds = 0\n", "p.toml").wrap_up_seconds == 0
    with pytest.raises(PolicyError, match="wrap_up_seconds"):
        parse_policy(text + "[call]\nwrap_up_seconds = -1\n", "p.toml")


# --- through the seat ----------------------------------------------------------------------------


@pytest.mark.rule("R13.1")
@pytest.mark.rule("R19.1")
async def test_saving_stops_the_timer_locks_the_form_and_starts_wrap_up(seat_ctx, keys):
    ctx = seat_ctx(demo=False)
    clock = {"now": T0}
    ctx.now = lambda: clock["now"]
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await type_call(pilot, keys)
        clock["now"] = at(80)
        await keys.confirm(pilot, "f6")
        panel = app.screen.query_one("#call")
        assert panel.call.state is AgentState.WRAP_UP and panel.elapsed == 80
        clock["now"] = at(95)
        panel._tick()
        assert panel.elapsed == 80, "the timer stopped at the save"
        assert "话后整理" in str(panel.render())
        form = app.screen.form
        assert form.locked and app.screen.query_one("#phone").disabled
        await pilot.press(*"999")  # a stray key goes nowhere
        assert saved_tickets(ctx)[0].appellant.phone == CALLER
        await pilot.press("f2")  # the next call: ready to type again
        await pilot.pause()
        assert not form.locked and panel.call.state is AgentState.TALKING


@pytest.mark.rule("R19.2")
@pytest.mark.parametrize(
    ("key", "said", "matter"),
    [("f5", "当场答复办结", "gnsf"), ("f7", "不予受理的理由已告知您", "gnwd"), ("f8", "办理途径已告知您", "gnwd")],
)
async def test_the_read_out_says_what_happened_to_a_ticket_closed_in_the_call(seat_ctx, keys, key, said, matter):
    ctx = seat_ctx(demo=False)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await type_call(pilot, keys, matter=matter)
        if key == "f5":
            await keys.fill(pilot, "answer", "供暖费于每年10月底前缴纳")
            await keys.confirm(pilot, "f5")
        elif key == "f7":
            await pilot.press("f7")
            await pilot.pause()
            await pilot.press(*"不属于受理范围", "f12")
            await pilot.pause()
            await pilot.press("enter")
            await keys.settle(pilot, 0.3)
        else:
            await pilot.press("f8")
            await pilot.pause()
            await pilot.press("1")
            await pilot.pause()
            await pilot.press("f12")
            await pilot.pause()
            await pilot.press("enter")
            await keys.settle(pilot, 0.3)
        shown = str(app.screen.query_one("#saved", Static).render())
        assert said in shown and "办结后将给您回复" not in shown


async def test_ctrl_q_mid_call_asks_and_keeps_the_draft(seat_ctx, keys):
    from operator_tui.store import drafts

    ctx = seat_ctx(demo=False)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "phone", CALLER)
        await keys.fill(pilot, "description", "暖气不热")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and "退出坐席" in str(app.screen.query_one(".dialog-title").render())
        with ctx.store.connect() as db:
            assert drafts.load(db)["form"]["description"] == "暖气不热"
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q", "enter")
        await pilot.pause()
    assert not app.is_running


@pytest.mark.rule("R19.2")
async def test_f3_inserts_a_phrase_into_the_answer(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await keys.fill(pilot, "answer", "您好")
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("1")  # the greeting
        await keys.settle(pilot)
        answer = app.screen.form.data()["answer"]
        assert answer.startswith("您好\n") and len(answer) > len("您好\n")
        assert app.focused.id == "answer"


async def test_a_5000_character_answer_keeps_the_confirmation_keys_on_screen(seat_ctx, keys):
    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=(120, 36)) as pilot:
        await type_call(pilot, keys, matter="gnsf")
        app.screen.form.set_answer("供暖费" * 1700)
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        keys_line = app.screen.query_one(".dialog-keys")
        assert "回车 确认" in str(keys_line.render())
        assert keys_line.region.bottom <= 36 and keys_line.region.height == 1


async def test_over_long_input_is_said_and_a_long_paste_is_cut_not_dropped(seat_ctx, keys):
    from textual import events

    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        phone = app.screen.query_one("#phone")
        phone.focus()
        await pilot.pause()
        phone.post_message(events.Paste("1" * 50))
        await pilot.pause()
        assert phone.value == "1" * 30
        assert any("最多 30 字" in n.message for n in app._notifications)
        await pilot.press("f4")
        await pilot.pause()
        box = app.screen.query_one("#find-query")
        box.post_message(events.Paste("13912345678" * 5))
        await pilot.pause()
        assert box.value == ("13912345678" * 5)[:30]


async def test_the_key_bar_at_120_columns_reaches_past_f10_and_the_scope_is_whole(seat_ctx, keys):
    from operator_tui.ui.widgets.key_bar import KeyBar

    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=(120, 36)) as pilot:
        await type_call(pilot, keys)
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        line = bar.render().plain
        # every seat key, F2 to F10, ^k and ^a, within the 120 columns (the app's own may be cut)
        assert Text_fits(line[: line.index("采用标准答复") + len("采用标准答复")], 120)
        scope = app.screen.query_one("#scope")
        shown = scope.render_line(0).text  # as painted: one line, cut with an ellipsis
        assert shown.strip().startswith("受理范围：(10) 其他")


def Text_fits(line: str, width: int) -> bool:
    from rich.cells import cell_len

    return cell_len(line) <= width


@pytest.mark.rule("R10.1")
async def test_back_from_a_ticket_the_cursor_is_in_the_find_box(seat_ctx, keys):
    app = make_app(seat_ctx())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press(*"13912345678", "enter")
        await keys.settle(pilot, 0.3)
        await pilot.press("enter")
        await keys.settle(pilot, 0.3)
        assert type(app.screen).__name__ == "TicketDetailScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused.id == "find-query"
        await pilot.press(*"13800001111")  # typing replaces the old number
        assert app.focused.value == "13800001111"


@pytest.mark.rule("R13.1")
async def test_the_shift_calls_list_this_seats_tickets(seat_ctx, keys):
    ctx = seat_ctx(demo=False)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await type_call(pilot, keys)
        await keys.confirm(pilot, "f6")
        await pilot.press("ctrl+l")
        await keys.settle(pilot, 0.2)
        screen = app.screen
        assert type(screen).__name__ == "ShiftCallsScreen"
        number = saved_tickets(ctx)[0].number
        assert number in screen.tickets.values().__iter__().__next__().number
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "IntakeScreen"


@pytest.mark.rule("R23.2")
async def test_callback_stars_take_fast_tab_and_digit_input_and_show(seat_ctx):
    from textual import events

    from operator_tui.ui.screens.actions import RatingScreen

    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        results = []
        app.push_screen(RatingScreen("回访评价"), results.append)
        await pilot.pause(0.2)
        for k in ("5", "tab", "4", "tab", "3", "tab", "5", "tab"):
            app.post_message(events.Key(k, k if len(k) == 1 else "\t"))
        await pilot.pause(0.5)
        screen = app.screen
        values = [screen.query_one(f"#rate-{f}").value for f in ("timeliness", "result", "attitude", "overall")]
        assert values == ["5", "4", "3", "5"]
        assert str(screen.query_one("#stars-result").render()) == "★★★★☆"
        await pilot.press("f12")
        await pilot.pause()
        assert results and results[0]["ratings"] == {"timeliness": 5, "result": 4, "attitude": 3, "overall": 5}


async def test_the_palette_holds_the_seats_commands_in_chinese_found_by_pinyin(seat_ctx):
    from operator_tui.ui.palette import commands, score

    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        found = commands(app, app.screen)
        titles = [c.title for c in found]
        assert "新来电（F2）" in titles and "本班来电（^l）" in titles
        for english in ("Screenshot", "Theme", "Maximize", "Keys", "Quit"):
            assert not any(english.lower() in t.lower() for t in titles)
        assert all("seat." not in c.help for c in found)
        by = {c.name: c for c in found}
        assert score(by["新来电"], "xld") > 0 and score(by["不予受理"], "bysl") > 0
        assert score(by["新来电"], "新来") > 0 and score(by["新来电"], "bysl") == 0
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"bysl")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        # 不予受理 on an empty form: the form says what to fix (the command ran)
        assert "请修正" in str(app.screen.query_one("#form-errors").render())


async def test_emoji_joiners_are_dropped_where_text_enters(seat_ctx, keys):
    """A heart with its emoji selector, a family joined by ZWJs, a skin tone: each emoji stays,
    the parts that make the terminal and Rich disagree on its width (and leave debris) go."""
    from operator_tui.ui.safe import caller_text

    app = make_app(seat_ctx(demo=False))
    async with app.run_test(size=SIZE) as pilot:
        name = app.screen.query_one("#name")
        name.value = "张\u2764\ufe0f\U0001f468\u200d\U0001f469\U0001f44d\U0001f3fd"
        await pilot.pause()
        assert name.value == "张\u2764\U0001f468\U0001f469\U0001f44d"
        assert caller_text("a\u200db\ufe0f").plain == "ab"


async def test_a_call_with_nothing_typed_writes_no_draft(seat_ctx, keys):
    """`--caller` gives the number: until something is typed there is nothing to resume (a draft
    would make the next start take the slow, resuming path), and Ctrl+Q quits at once."""
    from operator_tui.store import drafts

    ctx = seat_ctx(demo=False, caller=CALLER)
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await keys.settle(pilot, 0.5)
        with ctx.store.connect() as db:
            assert drafts.load(db) is None
        await keys.fill(pilot, "name", "赵")
        await keys.settle(pilot, 0.5)
        with ctx.store.connect() as db:
            assert drafts.load(db)["form"]["appellant"]["name"] == "赵"
