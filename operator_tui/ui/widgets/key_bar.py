"""The bottom line of every seat screen: the current screen's keys and what they do.

It shows what Textual's `Footer` shows (the active bindings, disabled ones dimmed, the command
palette key) as one widget that renders one line of text. The `Footer` mounts a widget per
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
        """The keys as one line: the command palette first (every action is there), then the
        function keys in order, then the rest; what does not fit is cut at the right."""
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        off_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        bindings = self.screen.active_bindings
        palette = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        entries: list[tuple[tuple[int, ...], str, str, bool]] = []
        seen: set[str] = set()
        for key, (node, binding, enabled, _tooltip) in bindings.items():
            if key == palette:
                entries.append(((0, 0, 0), self.app.get_key_display(binding), binding.description, enabled))
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)  # one entry per action, like the Footer
                fkey = key[1:].isdigit() and key[0] == "f"
                # the screen's own keys before the focused field's and the app's
                order = (1, int(key[1:]), 0) if fkey else (2, 0 if node is self.screen else 1, len(entries))
                entries.append((order, self.app.get_key_display(binding), binding.description, enabled))
        ordered = sorted(entries, key=lambda e: e[0])
        width = self.size.width or self.app.size.width
        # 120 columns cut the keys after F10 (issue 14): tighter spacing first; then only the
        # screen's own keys (the palette, the field's Enter and the app's keys are in Ctrl+P).
        for level in (0, 1, 2):
            shown = ordered if level < 2 else [e for e in ordered if e[0][0] == 1 or e[0][:2] == (2, 0)]
            text = self._keys_line(shown, key_style, off_style, level)
            if not width or text.cell_len <= width:
                break
        return text

    @staticmethod
    def _keys_line(entries, key_style, off_style, level: int) -> Text:
        """level 0: " F2 新来电 " (the key padded, as Textual's footer); 1: "F2 新来电 "; 2: "F2新来电 "."""
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for _order, shown, description, enabled in entries:
            text.append(f" {shown} " if level == 0 else shown, style=key_style if enabled else off_style)
            text.append((" " if level == 1 else "") + f"{description} ", style=None if enabled else off_style)
        text.rstrip()
        return text

    def on_resize(self) -> None:
        self._bindings_changed(self.screen)

    def render(self) -> Text:
        return self._line
