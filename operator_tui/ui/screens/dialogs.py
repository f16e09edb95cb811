"""Modal dialogs of the intake screen: every disposition states what will happen before it does."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..safe import caller_text


class Dialog(ModalScreen[ScreenResultType]):
    """A modal dialog box in the middle of the screen; the seat's dialogs share its look."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog .dialog { width: 80; max-width: 95%; height: auto; max-height: 90%; padding: 1 2;
                     border: thick $primary; background: $surface; }
    Dialog .dialog.wide { width: 120; }
    Dialog .dialog-title { margin-bottom: 1; }
    Dialog .dialog-body { margin-bottom: 1; }
    Dialog .dialog TextArea { height: 6; }
    Dialog .phrase { margin-bottom: 1; padding-left: 2; }
    /* A long body (a 5,000-character answer) scrolls; the keys under it stay on screen. */
    Dialog .dialog-scroll { height: auto; max-height: 70vh; }
    Dialog .dialog-keys { height: 1; }
    """


class ConfirmScreen(Dialog[bool]):
    """States what will happen; Enter (or F12) confirms, Escape goes back."""

    BINDINGS = [
        Binding("enter,f12", "confirm", "确认", id="dialog.confirm"),
        Binding("escape", "cancel", "返回修改", id="dialog.cancel"),
    ]

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(self.body, classes="dialog-body")
            yield Label(Text("回车 确认    Esc 返回修改    ↑↓ 滚动", style="dim"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(".dialog-scroll").focus()  # the arrows scroll a long body

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class TextPromptScreen(Dialog[str | None]):
    """Asks for a required text (a refusal reason, what was said); Ctrl+Enter or F12 confirms."""

    BINDINGS = [
        Binding("ctrl+enter,f12,ctrl+s", "confirm", "确认", id="dialog.confirm"),
        Binding("escape", "cancel", "取消", id="dialog.cancel"),
    ]

    def __init__(self, title: str, prompt: Text, initial: str = "", required_message: str = "请填写内容") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.initial = initial
        self.required_message = required_message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(self.prompt, classes="dialog-body")
            yield TextArea(self.initial, id="prompt-text", soft_wrap=True)
            yield Label("", id="prompt-error")
            yield Label(Text("F12 或 Ctrl+S 确认    Esc 取消", style="dim"))

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_confirm(self) -> None:
        value = self.query_one(TextArea).text.strip()
        if not value:
            self.query_one("#prompt-error", Label).update(Text(self.required_message, style="bold red"))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(Dialog[str | None]):
    """Pick one of a few options with the arrow keys or their number."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "取消", id="dialog.cancel"),
        *(Binding(str(n), f"pick({n})", show=False, id=f"dialog.pick{n}") for n in range(1, 10)),
    ]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"), classes="dialog-title")
            yield OptionList(
                *[Option(caller_text(f"{i}. {name}"), id=code) for i, (code, name) in enumerate(self.options, 1)]
            )
            yield Label(Text("数字键或回车选择    Esc 取消", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_pick(self, n: int) -> None:
        if 1 <= n <= len(self.options):
            self.dismiss(self.options[n - 1][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class PhrasesScreen(Dialog[str | None]):
    """R19.2 standard phrases, filled in from the form. A number or Enter on a phrase inserts it
    into the answer (issue 14: they could be read but not inserted); Esc or F3 closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "close", "关闭", id="phrases.close"),
        *(Binding(str(n), f"insert({n})", show=False, id=f"phrases.insert{n}") for n in range(1, 10)),
    ]

    def __init__(self, phrases: list[tuple[str, str]]) -> None:
        super().__init__()
        self.phrases = phrases

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text("规范用语", style="bold"), classes="dialog-title")
            options = []
            for i, (title, text) in enumerate(self.phrases, 1):
                line = Text(f"{i}. {title}\n", style="bold cyan")
                line.append_text(caller_text(text))
                options.append(Option(line, id=str(i)))
            with VerticalScroll(classes="dialog-scroll"):
                yield OptionList(*options, id="phrase-list")
            yield Label(Text("数字键或回车 插入到答复内容    Esc/F3 关闭", style="dim"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_insert(int(event.option.id or 0))

    def action_insert(self, n: int) -> None:
        if 1 <= n <= len(self.phrases):
            self.dismiss(self.phrases[n - 1][1])

    def action_close(self) -> None:
        self.dismiss(None)


class LinkChooserScreen(ChoiceScreen):
    """R13.1 催办 when the caller has more than one open ticket (at any seat): the body says what
    choosing does; the chosen ticket's id is returned, and choosing is the confirmation."""

    def __init__(self, title: str, body: Text, options: list[tuple[str, str]]) -> None:
        super().__init__(title, options)
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            yield OptionList(
                *[Option(caller_text(f"{i}. {name}"), id=code) for i, (code, name) in enumerate(self.options, 1)]
            )
            yield Label(Text("数字键或回车选择并催办    Esc 取消", style="dim"))
