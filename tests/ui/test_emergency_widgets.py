"""The emergency banner and the referral dialog (R20.3), driven with Pilot in a tiny app.

The app triages the text on every keystroke, as the intake screen does: the banner goes up within
one keystroke of the text turning into an emergency, stays up when the text turns ordinary again,
and only `clear()` (after a recorded referral) takes it down.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from operator_tui.domain.triage import Match, ReferralInput, TriageResult, triage
from operator_tui.triage_rules import load_triage_rules
from operator_tui.ui.widgets.emergency_banner import EmergencyBanner
from operator_tui.ui.widgets.referral_dialog import ChoiceRow, ReferralDialog

pytestmark = pytest.mark.rule("R20.3")

HOSTILE = ["[bold red]x[/]", "[@click=app.quit]x[/]", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b", "\u202e"]


class IntakeLike(App):
    """An input and a banner; every change of the text is triaged."""

    def __init__(self) -> None:
        super().__init__()
        self.rules = load_triage_rules()
        self.raised: list[tuple[str, ...]] = []
        self.referral: ReferralInput | None | str = "not yet"

    def compose(self) -> ComposeResult:
        yield EmergencyBanner(id="banner")
        yield Input(id="description")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(EmergencyBanner).show_result(triage(event.value, self.rules))

    def on_emergency_banner_raised(self, event: EmergencyBanner.Raised) -> None:
        self.raised.append(event.added)

    def open_dialog(self, suggested=("119", "120")) -> None:
        def recorded(result: ReferralInput | None) -> None:
            self.referral = result

        self.push_screen(ReferralDialog(suggested), recorded)


def banner_text(app: App) -> str:
    return app.query_one(EmergencyBanner).render().plain


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def test_banner_goes_up_within_one_keystroke():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        await type_text(pilot, "家里着")
        await pilot.pause()
        assert not banner.display and not banner.raised
        await pilot.press("火")
        await pilot.pause()
        assert banner.display and banner.targets == ("119",)
        assert "119 火警" in banner_text(app) and "着火" in banner_text(app) and "F9 记录转介" in banner_text(app)
        assert app.raised == [("119",)]
        assert banner.styles.background.r > 150 and banner.styles.background.g < 80  # red


async def test_banner_stays_when_the_text_turns_ordinary_and_adds_targets():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        field = app.query_one(Input)
        field.value = "楼下着火了"
        await pilot.pause()
        assert banner.targets == ("119",)
        field.value = "不是着火，是邻居在烧烤"  # the operator corrected the text
        await pilot.pause()
        field.value = ""
        await pilot.pause()
        assert banner.display and banner.targets == ("119",)  # never dismissed by itself
        field.value = "我妈晕倒了"
        await pilot.pause()
        assert banner.targets == ("119", "120")
        assert "着火" in banner_text(app) and "晕倒" in banner_text(app)
        assert app.raised == [("119",), ("120",)]
        banner.clear()  # the operator recorded the referral
        await pilot.pause()
        assert not banner.display and not banner.raised and banner.targets == ()


async def test_the_words_shown_are_the_latest_texts_for_a_target_it_still_calls_for():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        field = app.query_one(Input)
        field.value = "楼下着火了"
        await pilot.pause()
        assert banner.words("119") == ("着火",)
        field.value = "楼下冒烟了，人被困出不来"  # the operator rewrote what the caller said
        await pilot.pause()
        assert "着火" not in banner.words("119") and "冒烟" in banner.words("119")
        assert "着火" not in banner_text(app)
        field.value = "我妈晕倒了"  # 119 no longer called for: it keeps its words, 120 is added
        await pilot.pause()
        assert "冒烟" in banner.words("119") and banner.words("120") == ("晕倒",)
        assert app.raised == [("119",), ("120",)]


async def test_caller_words_show_literally_and_inert():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        # 120 here, so the engine's 110 below adds to the banner instead of replacing these words.
        matches = tuple(Match("120", f"抢劫{w}", 0, 3, "120.hurt") for w in HOSTILE)
        banner.show_result(TriageResult(("120",), True, matches, ("120.hurt",)))
        # The real engine too: a pattern with a gap can carry markup inside its phrase.
        app.query_one(Input).value = "有人自称[@click=app.quit]警察[/]让我转账\x1b]52;c;aGk=\x07"
        await pilot.pause()
        shown = banner_text(app)
        assert "抢劫[bold red]x[/]" in shown
        assert "抢劫[@click=app.quit]x[/]" in shown
        assert "[@click=app.quit]警察[/]" in shown
        for bad in ("\x1b", "\x9b", "\u202e", "\x07", "]52;"):
            assert bad not in shown
        spans = banner.render().spans
        assert not any("click" in str(span.style) for span in spans)  # no action became clickable
        await pilot.click("#banner")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        app.query_one(Input).value = ""  # the test's own Input is not the banner's business
        await pilot.pause()
        screen = app.export_screenshot()
        assert "[@click=app.quit]x[/]" in screen.replace("&#160;", " ")
        assert "\x1b" not in screen and "\x9b" not in screen and "\u202e" not in screen


async def test_dialog_records_a_referral_with_keys():
    app = IntakeLike()
    async with app.run_test() as pilot:
        app.open_dialog(("119", "120"))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReferralDialog)
        assert dialog.target == "119"  # the first suggested target
        await pilot.press("3")  # 1..5 pick the target
        assert dialog.target == "120"
        await pilot.press("right", "left", "left")  # arrows move along the focused row
        assert dialog.target == "119"
        await pilot.press("tab", "right")  # outcome: caller told to dial
        assert dialog.outcome == "told_to_dial"
        await pilot.press("tab")
        await type_text(pilot, "已告知拨打119 [/]")  # digits in the note stay in the note
        assert dialog.target == "119"
        await pilot.press("enter")
        await pilot.pause()
        assert app.referral == ReferralInput("119", "told_to_dial", "已告知拨打119 [/]")
        assert not isinstance(app.screen, ReferralDialog)


async def test_false_alarm_without_reason_is_refused():
    app = IntakeLike()
    async with app.run_test() as pilot:
        app.open_dialog(("110",))
        await pilot.pause()
        dialog = app.screen
        await pilot.press("tab", "right", "right")
        assert dialog.outcome == "false_alarm"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReferralDialog) and app.referral == "not yet"
        assert "误报必须填写原因" in str(dialog.query_one("#referral-error").render())
        assert isinstance(app.focused, Input)  # straight to the reason
        await type_text(pilot, "来电人说是演练")
        await pilot.press("enter")
        await pilot.pause()
        assert app.referral == ReferralInput("110", "false_alarm", "来电人说是演练")


async def test_escape_cancels_and_nothing_is_recorded():
    app = IntakeLike()
    async with app.run_test() as pilot:
        app.open_dialog(())
        await pilot.pause()
        dialog = app.screen
        assert "未提示紧急情况" in str(dialog.query_one("#referral-suggested").render())
        assert dialog.query_one("#referral-target", ChoiceRow).value == "110"
        await pilot.press("escape")
        await pilot.pause()
        assert app.referral is None
        assert not isinstance(app.screen, ReferralDialog)


async def test_dialog_transferred_is_the_default_outcome():
    app = IntakeLike()
    async with app.run_test() as pilot:
        app.open_dialog(("应急",))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.referral == ReferralInput("应急", "transferred", "")


@pytest.mark.rule("R20.3")
async def test_each_referral_takes_its_own_target_off_and_the_banner_stays_for_the_others():
    # Found in a real terminal: a gas smell with an old woman not answering named 110, 119 and 120;
    # recording 119 took the whole banner down, so nothing reminded the operator of 120.
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        field = app.query_one(Input)
        field.value = "楼下着火了，我妈晕倒了"
        await pilot.pause()
        assert banner.targets == ("119", "120")
        banner.settle("119")
        await pilot.pause()
        assert banner.display and banner.targets == ("120",)
        assert "119 火警" not in banner_text(app) and "120 急救" in banner_text(app)
        field.value = "楼下着火了，我妈晕倒了，火越来越大"  # naming 119 again does not bring it back
        await pilot.pause()
        assert banner.targets == ("120",) and app.raised == [("119", "120")]
        banner.settle("120")
        await pilot.pause()
        assert not banner.display and not banner.raised
        banner.clear()  # the next call: a target referred on the last one is named again
        field.value = "又着火了"
        await pilot.pause()
        assert banner.targets == ("119",)


def _overruled(*phrases: str) -> TriageResult:
    """A text whose rules' matches the second opinion overruled (round 12): no alarm."""
    return TriageResult((), False, (), (), tuple(Match("110", p, 0, len(p), "110.weapon") for p in phrases))


async def test_an_overruled_text_shows_a_grey_hint_with_the_words_not_an_alarm():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        banner.show_result(_overruled("拿刀", "[bold]x[/]"))
        await pilot.pause()
        assert banner.display and banner.doubted and not banner.raised and banner.targets == ()
        shown = banner_text(app)
        assert "“拿刀”" in shown and "[bold]x[/]" in shown and "110 报警" in shown and "F9" in shown
        assert "紧急情况，请立即转介" not in shown
        assert banner.styles.background.r < 100  # grey, not the alarm red
        assert app.raised == []  # no Raised message: nothing asks the operator to act
        banner.show_result(TriageResult((), False, (), ()))  # the text changed: the hint follows it
        await pilot.pause()
        assert not banner.display and not banner.doubted


async def test_an_alarm_replaces_the_hint_and_a_hint_never_replaces_an_alarm():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        field = app.query_one(Input)
        banner.show_result(_overruled("拿刀"))
        field.value = "楼下着火了"
        await pilot.pause()
        assert banner.raised and not banner.doubted and banner.targets == ("119",)
        assert "拿刀" not in banner_text(app)
        banner.show_result(_overruled("拿刀"))
        await pilot.pause()
        assert banner.raised and not banner.doubted and "着火" in banner_text(app)
        banner.clear()
        await pilot.pause()
        assert not banner.display and not banner.doubted


async def test_a_target_already_referred_is_not_hinted_again():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        banner.settle("110")
        banner.show_result(_overruled("拿刀"))
        await pilot.pause()
        assert not banner.display and not banner.doubted


async def test_an_alarm_goes_back_to_the_hint_when_the_finished_text_overrules_its_words():
    # Typed as 学校门口有人拿刀 the alarm goes up; 卖水果的切西瓜 finishes the sentence and the
    # second opinion overrules the whole text: the target whose words were all overruled stands down.
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        knife = Match("110", "拿刀", 6, 8, "110.weapon")
        banner.show_result(TriageResult(("110",), True, (knife,), ("110.weapon",)))
        await pilot.pause()
        assert banner.raised and banner.targets == ("110",)
        banner.show_result(TriageResult((), False, (), (), (knife,)))
        await pilot.pause()
        assert not banner.raised and banner.doubted and "“拿刀”" in banner_text(app)
        assert "紧急情况，请立即转介" not in banner_text(app)


async def test_an_alarm_stays_when_other_words_raised_it_or_the_text_was_only_cut_short():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        knife = Match("110", "拿刀", 6, 8, "110.weapon")
        fight = Match("110", "打起来了", 0, 4, "110.fight")
        smoke = Match("119", "冒烟", 9, 11, "119.smoke")
        banner.show_result(TriageResult(("110", "119"), True, (fight, knife, smoke), ("110.fight", "119.smoke")))
        await pilot.pause()
        banner.show_result(TriageResult((), False, (), ()))  # the operator emptied the text
        await pilot.pause()
        assert banner.targets == ("110", "119")
        # Only 拿刀 is overruled now: 110 was also raised by 打起来了, so it stays; 119 was not overruled.
        banner.show_result(TriageResult((), False, (), (), (knife,)))
        await pilot.pause()
        assert banner.targets == ("110", "119") and banner.raised and not banner.doubted
        banner.show_result(TriageResult((), False, (), (), (fight, knife)))
        await pilot.pause()
        assert banner.targets == ("119",) and "冒烟" in banner_text(app) and "拿刀" not in banner_text(app)


async def test_the_real_engine_stands_the_knife_down_when_the_fruit_is_typed():
    app = IntakeLike()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        field = app.query_one(Input)
        field.value = "学校门口 有人拿刀"
        await pilot.pause()
        assert "110" in banner.targets
        field.value = "学校门口 有人拿刀 卖水果的切西瓜 家长说看着吓人 能不能不让摆"
        await pilot.pause()
        assert not banner.raised and banner.doubted
        assert "“拿刀”（110 报警" in banner_text(app)
