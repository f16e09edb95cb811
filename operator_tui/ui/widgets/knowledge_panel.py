"""The knowledge panel beside the intake form (R19.3): it follows what the operator types and the
chosen matter, and puts an article's standard answer into the ticket (R20.1).

Attributes down, messages up: the intake screen gives the panel a search callable (bound to the
seat's database; it opens its own connection per call) and calls `query(text, matter)` on every
change; the panel posts `AnswerChosen` when the operator takes an answer. The panel never touches
the database itself: searches run in a thread worker, after a short debounce, and a result that
arrives after a newer query was started is dropped (sequence number).

Issue 13: a search box at the top of the panel (Ctrl+K on the intake screen focuses it). While it
holds text the panel shows what the operator searched by hand; the description keeps being
followed underneath, and emptying the box (Escape) brings its results back. `clear()` empties
everything for a new call (F2), so no answer from the last caller is left on screen.

Article text is our data, but it is still rendered as data: titles and answers as `Text`, bodies
through the Markdown widget with links inert, never as Rich markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...domain.text import clean_text
from ...kb.model import Article, Hit
from .key_bar import KeyBar

Search = Callable[[str, "str | None"], list[Hit]]
LoadArticle = Callable[[str], "Article | None"]


def _line(text: str, limit: int = 60) -> str:
    first = clean_text(text).strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


class ArticleScreen(ModalScreen[bool]):
    """One article, whole: the reading view behind Enter. Dismisses True to use its answer."""

    DEFAULT_CSS = """
    ArticleScreen { align: center middle; }
    ArticleScreen > VerticalScroll { width: 90%; height: 90%; border: thick $accent;
                                     background: $surface; padding: 0 1; }
    ArticleScreen .kb-answer { border: round $success; padding: 0 1; margin: 1 0; }
    ArticleScreen .kb-meta { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", "关闭", id="kb.close"),
        Binding("ctrl+a", "use_answer", "采用答复", id="kb.use_answer"),
    ]

    def __init__(self, article: Article) -> None:
        super().__init__()
        self.article = article

    def compose(self) -> ComposeResult:
        a = self.article
        until = a.valid_until.isoformat() if a.valid_until else "长期"
        meta = (
            f"依据：{a.source}\n责任单位：{a.owner_unit}　有效期：{a.valid_from} 至 {until}"
            f"　复核日期：{a.review_by}" + ("　（示例内容）" if a.sample else "")
        )
        with VerticalScroll():
            yield Static(Text(clean_text(a.title), style="bold"), id="kb-article-title")
            yield Static(Text(clean_text(meta)), classes="kb-meta")
            yield Static(
                Text("标准答复：" + clean_text(a.standard_answer)), classes="kb-answer", id="kb-article-answer"
            )
            from textual.widgets import Markdown  # ~40 ms to import: only when an article is opened

            yield Markdown(clean_text(a.body), open_links=False, id="kb-article-body")
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(False)

    def action_use_answer(self) -> None:
        self.dismiss(True)


class SearchBox(Input):
    """The panel's hand search. Enter or ↓ goes to the results; Escape empties the box (back to
    following the description); ctrl+a takes the highlighted answer, as in the results list."""

    BINDINGS = [
        Binding("enter", "to_results", "结果", id="kb.to_results", show=False),
        Binding("down", "to_results", "结果", show=False),
        Binding("escape", "empty", "清空检索", id="kb.clear_search", show=False),
        Binding("ctrl+a", "use_answer", "采用答复", id="kb.search_use_answer", show=False),
    ]

    def _panel(self) -> KnowledgePanel | None:
        for node in self.ancestors:
            if isinstance(node, KnowledgePanel):
                return node
        return None

    def action_to_results(self) -> None:
        panel = self._panel()
        if panel is not None:
            panel.focus_results()

    def action_empty(self) -> None:
        self.value = ""

    def action_use_answer(self) -> None:
        panel = self._panel()
        if panel is not None:
            panel.action_use_answer()


class KnowledgePanel(Widget):
    """Search results for the call being typed; Enter reads one, ctrl+a takes its answer."""

    DEFAULT_CSS = """
    KnowledgePanel { height: 1fr; border: round $primary; }
    KnowledgePanel #kb-status { color: $text-muted; height: 1; }
    KnowledgePanel #kb-search { height: 1; border: none; padding: 0 1; background: $boost; }
    KnowledgePanel #kb-search:focus { background: $accent 30%; }
    KnowledgePanel OptionList { height: 1fr; border: none; }
    """
    BINDINGS = [
        Binding("ctrl+a", "use_answer", "采用答复", id="kb.use_answer"),
        Binding("enter", "open_article", "查看条文", id="kb.open", show=False),
    ]

    class AnswerChosen(Message):
        """The operator took an article's standard answer for the ticket (R20.1)."""

        def __init__(self, article_id: str, standard_answer: str) -> None:
            super().__init__()
            self.article_id = article_id
            self.standard_answer = standard_answer

    class SearchDone(Message):
        """A worker's result, carried back to the UI thread (checked against the sequence)."""

        def __init__(self, seq: int, hits: list[Hit] | None, error: str | None = None) -> None:
            super().__init__()
            self.seq, self.hits, self.error = seq, hits, error

    class ArticleLoaded(Message):
        def __init__(self, hit: Hit, article: Article | None) -> None:
            super().__init__()
            self.hit, self.article = hit, article

    def __init__(
        self,
        search: Search,
        load_article: LoadArticle | None = None,
        *,
        debounce: float = 0.15,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._search = search
        # A searcher from operator_tui.kb.search.make_searcher also reads whole articles.
        self._load_article = load_article or getattr(search, "article", None)
        self.debounce = debounce
        self.hits: list[Hit] = []
        self.dropped = 0  # stale results discarded (seen by tests)
        self._seq = 0
        self._pending: tuple[str, str | None] = ("", None)
        self._following: tuple[str, str | None] = ("", None)  # the description and matter, as last given
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("知识库", style="bold"), id="kb-title")
        yield SearchBox(placeholder="检索知识库（Ctrl+K）", id="kb-search")
        yield Static(Text("输入诉求内容后自动检索"), id="kb-status")
        yield OptionList(id="kb-results", markup=False)

    def focus(self, scroll_visible: bool = True) -> KnowledgePanel:
        """Focus the results list (Enter opens, ctrl+a takes the answer)."""
        self.query_one(OptionList).focus(scroll_visible)
        return self

    def focus_search(self) -> None:
        """Focus the search box, its text selected so that typing replaces it (Ctrl+K)."""
        box = self.query_one(SearchBox)
        box.focus()
        box.select_all()

    def focus_results(self) -> None:
        self.query_one(OptionList).focus()

    @property
    def searched_by_hand(self) -> str:
        """What the operator typed in the search box ("" when the panel follows the description)."""
        return self.query_one(SearchBox).value.strip()

    def clear(self) -> None:
        """Empty the panel for a new call: no search text, no results, no search in flight."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._seq += 1  # a result still on its way belongs to the last call: dropped
        self._pending = self._following = ("", None)
        with self.prevent(Input.Changed):
            self.query_one(SearchBox).value = ""
        self._show([], "输入诉求内容后自动检索")

    @on(Input.Changed, "#kb-search")
    def _typed_in_box(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value.strip()
        self._schedule((text, None) if text else self._following)

    # --- searching ---------------------------------------------------------------------------

    def search_for(self, text: str, matter: str | None = None) -> None:
        """Follow the description: search for `text` (and boost `matter`) once typing pauses for
        `debounce` seconds, unless the operator is searching by hand in the box."""
        self._following = (text, matter)
        if self.is_mounted and self.searched_by_hand:
            return  # the hand search stays on screen; the description is picked up when it is emptied
        self._schedule((text, matter))

    def _schedule(self, query: tuple[str, str | None]) -> None:
        self._pending = query
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._seq += 1
        text, matter = self._pending
        if not text.strip() and not matter:
            self._show([], "输入诉求内容后自动检索")
            return
        self._set_status("检索中…")
        self._run_search(self._seq, text, matter)

    @work(thread=True, exclusive=True, group="kb")
    def _run_search(self, seq: int, text: str, matter: str | None) -> None:
        try:
            hits = self._search(text, matter)
        # A worker's top, so a true boundary: whatever a broken index or a driver raises must not take
        # the intake screen down mid-call (R16.1); the panel shows the error's name instead of hits.
        except Exception as exc:
            self.post_message(self.SearchDone(seq, None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.SearchDone(seq, hits))

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
        message.stop()
        if message.seq != self._seq:
            self.dropped += 1  # a newer query is on its way: this answer is about old text
            return
        if message.hits is None:
            self._show([], "知识库检索出错：" + (message.error or ""))
        else:
            self._show(message.hits, f"找到 {len(message.hits)} 条" if message.hits else "未找到相关条目")

    def _set_status(self, text: str) -> None:
        # layout=False: the line is one row high whatever it says, and a layout pass of the whole
        # intake screen costs tens of milliseconds — while the operator is typing.
        self.query_one("#kb-status", Static).update(Text(clean_text(text)), layout=False)

    def _show(self, hits: list[Hit], status: str) -> None:
        self.hits = list(hits)
        options = self.query_one(OptionList)
        options.set_options(
            [
                Option(
                    Text.assemble((clean_text(h.title), "bold"), "\n", (_line(h.standard_answer), "dim")), id=f"kb-{i}"
                )
                for i, h in enumerate(self.hits)
            ]
        )
        if self.hits:
            options.highlighted = 0
        self._set_status(status)

    # --- choosing ----------------------------------------------------------------------------

    @property
    def current(self) -> Hit | None:
        index = self.query_one(OptionList).highlighted
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    def action_use_answer(self) -> None:
        hit = self.current
        if hit is None:
            self.app.bell()
            return
        self.post_message(self.AnswerChosen(hit.id, hit.standard_answer))

    def action_open_article(self) -> None:
        hit = self.current
        if hit is None:
            return
        if self._load_article is None:
            self._open(hit, None)
        else:
            self._fetch_article(hit)

    @on(OptionList.OptionSelected, "#kb-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_article()

    @work(thread=True, exclusive=True, group="kb-article")
    def _fetch_article(self, hit: Hit) -> None:
        try:
            article = self._load_article(hit.id) if self._load_article else None
        except Exception:  # a worker's top (a boundary): show what the hit has rather than nothing
            article = None
        self.post_message(self.ArticleLoaded(hit, article))

    @on(ArticleLoaded)
    def _article_loaded(self, message: ArticleLoaded) -> None:
        message.stop()
        self._open(message.hit, message.article)

    def _open(self, hit: Hit, article: Article | None) -> None:
        if article is None:  # no reader bound, or the article vanished: show the hit itself
            from datetime import date

            article = Article(
                id=hit.id,
                title=hit.title,
                body=hit.standard_answer,
                matters=hit.matters,
                owner_unit="—",
                valid_from=date.min,
                valid_until=None,
                review_by=date.max,
                standard_answer=hit.standard_answer,
                source="—",
            )

        def chosen(use: bool | None) -> None:
            if use:
                self.post_message(self.AnswerChosen(hit.id, article.standard_answer))

        self.app.push_screen(ArticleScreen(article), chosen)
