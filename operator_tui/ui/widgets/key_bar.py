"""The bottom line of every seat screen: the current screen's keys and what they do.

It shows what Textual's `Footer` shows (the active bindings, disabled ones dimmed, the command
palette key last) as one widget that renders one line of text. The `Footer` mounts a widget per
key and re-mounts them all on every focus change: ~15 widgets on the seat's first frame, ~60 ms of
its start-up. The seat is driven from the keyboard, so the keys need not be clickable.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .key-bar--disabled { color: $text-disabled; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._line = Text()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        line = self.line()
        if line.plain != self._line.plain or line.spans != self._line.spans:
            self._line = line
            self.refresh()

    def line(self) -> Text:
        """The keys as one line: ` F2 新来电  F3 规范用语 …   ^p 命令`."""
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        off_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        bindings = self.screen.active_bindings
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        seen: set[str] = set()
        palette = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        for key, (_node, binding, enabled, _tooltip) in bindings.items():
            if not binding.show or key == palette or binding.action in seen:
                continue
            seen.add(binding.action)  # one entry per action, like the Footer
            text.append(f" {self.app.get_key_display(binding)} ", style=key_style if enabled else off_style)
            text.append(f"{binding.description} ", style=None if enabled else off_style)
        if palette and palette in bindings:
            _node, binding, enabled, _tooltip = bindings[palette]
            text.append("  ")
            text.append(f" {self.app.get_key_display(binding)} ", style=key_style if enabled else off_style)
            text.append(binding.description, style=None if enabled else off_style)
        return text

    def render(self) -> Text:
        return self._line
