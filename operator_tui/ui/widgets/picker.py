"""Choosing from a list by Chinese text or pinyin (typing `gn` finds 供暖).

`PickerField` is one focusable line in the form; Enter (or typing) opens `PickerScreen`, a modal
with a filter box and the matching items. The pinyin keys are built on first use, off the start-up
path (pypinyin takes ~150 ms to import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ..safe import caller_text


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    detail: str = ""


# A proposal from the caller's words (issue 13 part 4): the item and the words that led to it.
# Shown first in the picker, marked; never chosen until the operator presses Enter on it.
Suggested = tuple[str, tuple[str, ...]]
SUGGEST_MARK = "建议"


@lru_cache(maxsize=4096)
def search_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name, lower case, no separators."""
    from pypinyin import Style, lazy_pinyin

    return ("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower(), "".join(lazy_pinyin(name)).lower())


def matches(choice: Choice, query: str) -> int:
    """A rank (lower is better) or -1 when `choice` does not match `query`."""
    q = query.strip().lower()
    if not q:
        return 4
    name = choice.name.lower()
    if name.startswith(q):
        return 0
    if q in name or q in choice.detail.lower() or q == choice.code.lower():
        return 1
    if q.isascii() and q.isalpha():
        initials, full = search_keys(choice.name)
        if initials.startswith(q) or full.startswith(q):
            return 1
        if q in initials or q in full:
            return 2
        if _subsequence(q, initials):  # "tdzq" → 铁东区站前街道 (t d q z q j d)
            return 3
    return -1


def _subsequence(q: str, s: str) -> bool:
    it = iter(s)
    return all(ch in it for ch in q)


def filter_choices(choices: list[Choice], query: str, limit: int = 200) -> list[Choice]:
    ranked = [(r, i, c) for i, c in enumerate(choices) if (r := matches(c, query)) >= 0]
    return [c for _, _, c in sorted(ranked)[:limit]]


def suggestion_line(name: str, words: tuple[str, ...]) -> Text:
    """「建议 供暖温度不达标 ← 不热、暖气」: the mark, the item, and the caller's words as data."""
    line = Text(f"{SUGGEST_MARK} ", style="bold black on yellow", end="")
    line.append_text(caller_text(name, "bold"))
    if words:
        line.append(" ← ", style="dim")
        line.append_text(caller_text("、".join(words[:3]), "italic"))
    return line


class FilterInput(Input):
    """The picker's filter box. Enter, Escape and the arrows act here, at once, rather than as
    bindings checked after the key has bubbled up to the app: keys typed after Enter are already
    queued behind it, and they belong to the field the cursor moves to, not to this filter."""

    async def _on_key(self, event) -> None:
        screen = self.screen
        if getattr(screen, "closing", False):  # typed after Enter/Escape: for the next field
            event.stop()
            event.prevent_default()
            relay = getattr(self.app, "relay_key", None)
            if relay is not None:
                relay(event)
            return
        action = {"enter": "submit", "escape": "cancel", "down": "down", "up": "up"}.get(event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            getattr(screen, f"action_{action}")()
            return
        await super()._on_key(event)


class PickerScreen(ModalScreen[str | None]):
    """Filter and pick one item; dismisses with its code, or None on Escape."""

    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen #picker-box { width: 70; height: 24; padding: 1 2; border: thick $accent; background: $surface; }
    PickerScreen #picker-options { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="picker.cancel"),
        Binding("down", "down", "下一项", show=False, id="picker.down"),
        Binding("up", "up", "上一项", show=False, id="picker.up"),
    ]

    def __init__(
        self, title: str, choices: list[Choice], query: str = "", suggested: tuple[Suggested, ...] = ()
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.suggested = suggested
        self.initial = query
        self._shown_query: str | None = None
        self.closing = False  # dismissed: keys still reaching the filter go to the next field

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label(Text(f"选择{self.title_text}（输入汉字或拼音首字母筛选，回车确定）"), id="picker-title")
            # Not select_on_focus: the key that opened the picker is the filter's first character,
            # and the next key must follow it, not replace it (issue 14).
            yield FilterInput(value=self.initial, placeholder="筛选…", id="picker-filter", select_on_focus=False)
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._refill(self.initial)
        self.query_one("#picker-filter", Input).focus()

    def _refill(self, query: str) -> None:
        self._shown_query = query
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        found = filter_choices(self.choices, query)
        first: list[Option] = []
        if not query.strip() and self.suggested:
            # Unfiltered: the proposals head the list, marked, with the words that led to them;
            # Enter takes the first. A filter typed means the operator is choosing by hand.
            by_code = {c.code: c for c in self.choices}
            for code, words in self.suggested:
                if code in by_code:
                    first.append(Option(suggestion_line(by_code[code].name, words), id=code))
            taken = {o.id for o in first}
            found = [c for c in found if c.code not in taken]
        options.add_options(
            first + [Option(caller_text(c.name + (f"  {c.detail}" if c.detail else "")), id=c.code) for c in found]
        )
        if first or found:
            options.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def action_submit(self) -> None:
        query = self.query_one("#picker-filter", Input).value
        if query != self._shown_query:  # Enter came before the list caught up with the typing
            self._refill(query)
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None and options.option_count:
            self._close(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._close(event.option.id)

    def _close(self, code: str | None) -> None:
        if not self.closing:
            self.closing = True
            self.dismiss(code)

    def action_down(self) -> None:
        self.query_one("#picker-options", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#picker-options", OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self._close(None)


class PickerField(Widget, can_focus=True):
    """A labelled value chosen from `choices`. With `multi`, each pick toggles a member."""

    # One line, cut with an ellipsis: wrapped at a space, "(10) 其他社会治理…" showed as "(10)".
    DEFAULT_CSS = "PickerField { text-wrap: nowrap; text-overflow: ellipsis; }"

    BINDINGS = [
        Binding("enter", "open", "选择", id="picker.open"),
        Binding("delete,backspace", "clear", "清除", show=False, id="picker.clear"),
    ]

    value: reactive[str | None] = reactive(None)
    values: reactive[tuple[str, ...]] = reactive(())

    class Changed(Message):
        def __init__(self, field: PickerField) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> PickerField:
            return self.field

    class Picked(Message):
        """The operator chose an item in the picker (not a programmatic change)."""

        def __init__(self, field: PickerField) -> None:
            super().__init__()
            self.field = field

    def __init__(self, label: str, choices: list[Choice], *, multi: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.choices = choices
        self.multi = multi
        self._names = {c.code: c.name for c in choices}
        self._picking = False  # a picker opened from here is on screen (or on its way)
        self.suggested: tuple[Suggested, ...] = ()  # proposals from the caller's words, best first
        # Called as the picker opens, so the proposals match what was typed just before (keys at
        # paste speed arrive before the debounced worker has answered); set by the screen.
        self.refresh_suggestions: Callable[[], None] | None = None
        # Where the cursor goes after a pick (the form's call order). Called in the pick itself,
        # before the app replays keys typed meanwhile, so they land in the next field.
        self.after_pick: Callable[[], None] | None = None

    def render(self) -> Text:
        chosen = self.values if self.multi else ((self.value,) if self.value else ())
        shown = "、".join(self._names.get(c, c) for c in chosen)
        text = Text(f"{self.label}：", style="bold", end="", no_wrap=True, overflow="ellipsis")
        if shown:
            text.append_text(caller_text(shown))
        elif self.suggested and self.suggested[0][0] in self._names:
            # A proposal is shown, not filled: the field stays empty until the operator picks.
            code, words = self.suggested[0]
            text.append_text(suggestion_line(self._names[code], words))
            text.append("（回车确认）", style="dim")
        else:
            text.append("（回车选择）", style="dim")
        return text

    def set_suggestions(self, suggested: tuple[Suggested, ...]) -> None:
        """Proposals to head the picker (codes this field does not know are dropped)."""
        suggested = tuple((c, tuple(w)) for c, w in suggested if c in self._names)
        if suggested != self.suggested:
            self.suggested = suggested
            self.refresh()

    def set_value(self, code: str | None, *, notify: bool = True) -> None:
        if self.multi:
            raise TypeError("use set_values on a multi picker")
        changed = code != self.value
        self.value = code
        if changed and notify:
            self.post_message(self.Changed(self))

    def set_values(self, codes: tuple[str, ...], *, notify: bool = True) -> None:
        changed = tuple(codes) != self.values
        self.values = tuple(codes)
        if changed and notify:
            self.post_message(self.Changed(self))

    def action_open(self, query: str = "") -> None:
        if self._picking:
            return
        self._picking = True
        if self.refresh_suggestions is not None and not query:
            self.refresh_suggestions()

        def picked(code: str | None) -> None:
            self._picking = False
            if code is None:
                return
            if self.multi:
                members = list(self.values)
                members.remove(code) if code in members else members.append(code)
                self.set_values(tuple(members))
            else:
                self.set_value(code)
            if self.after_pick is not None:
                self.after_pick()
            self.post_message(self.Picked(self))

        self.app.push_screen(PickerScreen(self.label, self.choices, query, self.suggested), picked)

    def action_clear(self) -> None:
        if self.multi:
            self.set_values(())
        else:
            self.set_value(None)

    def on_focus(self) -> None:
        self._handed_on = False

    def on_key(self, event) -> None:
        # Keys sent here before the picker opened from here was on screen (a burst: `gn⏎`) belong
        # to that picker, in order (known trap "A key that opens a screen"); keys sent here after
        # Tab moved the cursor on belong where it went.
        if self._picking or getattr(self, "_handed_on", False):
            event.stop()
            event.prevent_default()
            relay = getattr(self.app, "relay_key", None)
            if relay is not None:
                relay(event)
            return
        app = self.app
        # Tab and Enter act here, at once: as bindings they would run only once the key has bubbled
        # up to the app, after the keys typed behind them had been sent here (and opened a picker).
        if event.key in ("tab", "shift+tab") and hasattr(app, "hold_keys") and hasattr(app, "release_keys"):
            event.stop()
            event.prevent_default()
            self._handed_on = True
            app.hold_keys()
            (self.screen.focus_next if event.key == "tab" else self.screen.focus_previous)()
            app.call_later(app.release_keys)
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_open()
            return
        # Typing on the field opens the picker with what was typed (keyboard-first): the key is the
        # filter's first character.
        if (
            event.character
            and event.character.isprintable()
            and not event.character.isspace()
            and event.key not in ("enter",)
        ):
            event.stop()
            self.action_open(event.character)
