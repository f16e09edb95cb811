"""The banner names what a same-sound typo or typed pinyin was read as (issue 13, R20.3)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from operator_tui.domain.triage import triage
from operator_tui.triage_rules import load_triage_rules
from operator_tui.ui.widgets.emergency_banner import EmergencyBanner

pytestmark = pytest.mark.rule("R20.3")


class BannerOnly(App):
    def compose(self) -> ComposeResult:
        yield EmergencyBanner(id="banner")


async def test_the_banner_shows_the_typed_words_and_what_they_were_read_as():
    app = BannerOnly()
    rules = load_triage_rules()
    async with app.run_test() as pilot:
        banner = app.query_one(EmergencyBanner)
        banner.show_result(triage("我家厨房没气味特别大，[b]楼下 ranqi xielou", rules))
        await pilot.pause()
        text = banner.render().plain
        assert banner.targets == ("119",)
        assert "“没气味（煤气味）”" in text  # the caller's characters first, the reading beside them
        assert "“ranqi xielou（燃气泄漏）”" in text
