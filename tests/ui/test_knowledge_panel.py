"""The knowledge panel beside the intake form (R19.3, R20.1), driven with Pilot on a tiny app."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Markdown, OptionList

from operator_tui.kb.model import Article, Hit
from operator_tui.kb.sample import load_sample_kb
from operator_tui.kb.search import make_searcher
from operator_tui.ui.widgets.knowledge_panel import ArticleScreen, KnowledgePanel

TODAY = date(2026, 11, 26)


class PanelApp(App):
    def __init__(self, search, load_article=None, debounce: float = 0.01) -> None:
        super().__init__()
        self.search, self.load_article, self.debounce = search, load_article, debounce
        self.chosen: list[KnowledgePanel.AnswerChosen] = []

    def compose(self) -> ComposeResult:
        yield Input(id="description")
        yield KnowledgePanel(self.search, self.load_article, debounce=self.debounce, id="kb")

    def on_knowledge_panel_answer_chosen(self, message: KnowledgePanel.AnswerChosen) -> None:
        self.chosen.append(message)


async def settle(pilot, panel: KnowledgePanel, until=lambda p: bool(p.hits), tries: int = 100) -> None:
    for _ in range(tries):
        await pilot.pause(0.02)
        if until(panel):
            return
    raise AssertionError("the panel did not settle")


@pytest.fixture(scope="module")
def kb_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("kbui") / "seat.db"
    load_sample_kb(db)
    return db


def hit(i: int, text: str = "") -> Hit:
    return Hit(f"a{i}", f"条目{i}{text}", 1.0 / (i + 1), f"标准答复{i}{text}\n第二行", ("other",))


@pytest.mark.rule("R19.3")
async def test_typing_a_description_fills_the_panel(kb_db):
    app = PanelApp(make_searcher(kb_db, today=lambda: TODAY))
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.search_for("家里暖气不热", None)
        await settle(pilot, panel)
        assert panel.hits[0].id == "heating-room-temperature-standard"
        options = app.query_one(OptionList)
        assert options.option_count == len(panel.hits)
        assert "供暖期室温标准" in str(options.get_option_at_index(0).prompt)
        panel.search_for("", "gas_safety")  # a matter alone lists its articles
        await settle(pilot, panel, lambda p: "gas_safety" in p.hits[0].matters)
        panel.search_for("", None)
        await settle(pilot, panel, lambda p: not p.hits)


@pytest.mark.rule("R20.1")
async def test_ctrl_a_posts_the_standard_answer(kb_db):
    app = PanelApp(make_searcher(kb_db, today=lambda: TODAY))
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.search_for("社保卡丢了怎么补", "social_security_card")
        await settle(pilot, panel)
        panel.focus()
        await pilot.press("ctrl+a")
        await pilot.pause()
        [message] = app.chosen
        assert message.article_id == "ssc-lost-replace"
        assert message.standard_answer == panel.hits[0].standard_answer
        assert "12333" in message.standard_answer


@pytest.mark.rule("R19.3")
@pytest.mark.rule("R20.1")
async def test_enter_opens_the_article_and_its_answer_can_be_taken_there(kb_db):
    app = PanelApp(make_searcher(kb_db, today=lambda: TODAY))
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.search_for("煤气味", None)
        await settle(pilot, panel)
        panel.focus()
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, ArticleScreen):
                break
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article.id == "gas-leak-emergency"
        assert "关阀" in app.screen.article.body
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ArticleScreen) and app.chosen == []
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, ArticleScreen):
                break
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert [m.article_id for m in app.chosen] == ["gas-leak-emergency"]
        assert not isinstance(app.screen, ArticleScreen)


async def test_stale_results_are_dropped():
    release = threading.Event()
    calls: list[str] = []

    def slow_search(text: str, matter: str | None) -> list[Hit]:
        calls.append(text)
        if text == "旧":
            release.wait(5)  # the old query answers only after the new one has
        return [hit(0, text)]

    app = PanelApp(slow_search)
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.search_for("旧", None)
        await settle(pilot, panel, lambda p: calls == ["旧"])
        panel.search_for("新", None)
        await settle(pilot, panel, lambda p: p.hits and p.hits[0].title.endswith("新"))
        release.set()
        await settle(pilot, panel, lambda p: p.dropped == 1)
        assert panel.hits[0].title == "条目0新"  # the late answer about old text was not shown


async def test_keystrokes_are_debounced_and_search_runs_off_the_ui_thread():
    seen: list[tuple[str, str | None, bool]] = []

    def search(text: str, matter: str | None) -> list[Hit]:
        seen.append((text, matter, threading.current_thread() is threading.main_thread()))
        return [hit(0)]

    app = PanelApp(search, debounce=0.15)
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        for prefix in ("暖", "暖气", "暖气不", "暖气不热"):
            panel.search_for(prefix, "heating_temperature")
            await pilot.pause(0.02)
        await settle(pilot, panel)
        assert seen == [("暖气不热", "heating_temperature", False)]


async def test_article_text_is_shown_as_text_not_markup():
    evil = "[@click=app.quit]点我[/] [b]粗[/b] [/] \x1b]52;c;aGk=\x07"
    hits = [Hit("x", "标题" + evil, 1.0, "答复" + evil, ("other",))]
    article = Article(
        id="x",
        title="标题" + evil,
        body="正文 " + evil + "\n\n[链接](https://example.com)",
        matters=("other",),
        owner_unit="city_gov_office",
        valid_from=TODAY,
        valid_until=None,
        review_by=TODAY,
        standard_answer="答复" + evil,
        source="依据" + evil,
    )
    app = PanelApp(lambda t, m: hits, lambda article_id: article)
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.search_for("x", None)
        await settle(pilot, panel)
        assert "[@click=app.quit]" in str(app.query_one(OptionList).get_option_at_index(0).prompt)
        panel.focus()
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, ArticleScreen):
                break
        body = app.screen.query_one(Markdown)
        await pilot.pause(0.1)
        shown = " ".join(str(getattr(block, "_content", "")) for block in body.query("*"))
        assert "[@click=app.quit]" in shown and "\x1b" not in shown
        await pilot.click(Markdown)
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ArticleScreen)


async def test_a_search_error_shows_in_the_panel_and_keeps_the_screen_alive():
    def broken(text: str, matter: str | None) -> list[Hit]:
        raise RuntimeError("index is broken")

    app = PanelApp(broken)
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.search_for("供暖", None)
        await settle(pilot, panel, lambda p: "出错" in str(p.query_one("#kb-status").render()))
        assert app.is_running and panel.hits == []
        await pilot.press("ctrl+a")  # nothing to take: no message, no crash
        assert app.chosen == []
        assert list(panel.query(OptionList))  # Textual's own DOM query, no longer shadowed


# --- issue 13: searching by hand, and a clean panel for a new call ------------------------------


@pytest.mark.rule("R19.3")
async def test_the_search_box_searches_by_hand_beside_the_followed_description(kb_db):
    app = PanelApp(make_searcher(kb_db, today=lambda: TODAY))
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.search_for("家里暖气不热", None)
        await settle(pilot, panel)
        assert panel.hits[0].id == "heating-room-temperature-standard"
        panel.focus_search()
        for ch in "结婚登记":
            await pilot.press(ch)
        await settle(pilot, panel, lambda p: p.hits and p.hits[0].id == "marriage-registration")
        assert panel.searched_by_hand == "结婚登记"
        panel.search_for("楼上装修太吵", None)  # the description goes on changing: the hand search stays
        await pilot.pause(0.1)
        assert panel.hits[0].id == "marriage-registration"
        await pilot.press("escape")  # the box emptied: back to following the description
        await settle(pilot, panel, lambda p: p.hits and p.hits[0].id == "noise-renovation-hours")
        assert panel.searched_by_hand == ""


@pytest.mark.rule("R20.1")
async def test_from_the_search_box_enter_goes_to_the_results_and_ctrl_a_takes_the_answer(kb_db):
    app = PanelApp(make_searcher(kb_db, today=lambda: TODAY))
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.focus_search()
        for ch in "公租房":
            await pilot.press(ch)
        await settle(pilot, panel)
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert [m.article_id for m in app.chosen] == ["housing-public-rental"]
        await pilot.press("enter")
        assert app.focused is app.query_one(OptionList)


async def test_clear_empties_the_panel_and_drops_a_search_in_flight():
    gate = threading.Event()

    def slow(text, matter):
        gate.wait(2)
        return [hit(0, text)]

    app = PanelApp(slow)
    async with app.run_test() as pilot:
        panel = app.query_one(KnowledgePanel)
        panel.focus_search()
        await pilot.press("x")
        await pilot.pause(0.05)  # the search has started and waits
        panel.clear()
        gate.set()
        await pilot.pause(0.2)
        assert panel.hits == [] and panel.searched_by_hand == ""
        assert app.query_one(OptionList).option_count == 0
