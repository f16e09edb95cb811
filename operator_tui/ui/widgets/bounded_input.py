"""A one-line text field with a maximum length that says so (issue 14).

Textual's `Input` drops a key past `max_length` without a word, and drops a paste that would not
fit *whole*: a long number pasted into the find box vanished. Here a paste is cut to the room
left, and either way the operator is told, once a second at most, what the limit is.
"""

from __future__ import annotations

import time

from textual import events
from textual.widgets import Input


class BoundedInput(Input):
    def __init__(self, *args, label: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label = label
        self._told = 0.0

    def restricted(self) -> None:
        if self.max_length and len(self.value) >= self.max_length:
            self._tell_full()
        super().restricted()

    def _on_paste(self, event: events.Paste) -> None:
        line = event.text.splitlines()[0] if event.text else ""
        if self.max_length and line:
            start, end = sorted(self.selection)
            room = self.max_length - (len(self.value) - (end - start))
            if len(line) > room:
                event.stop()
                event.prevent_default()
                if room > 0:
                    self.replace(line[:room], start, end)
                self._tell_full(cut=len(line) - max(room, 0))
                return
        super()._on_paste(event)

    def _tell_full(self, cut: int = 0) -> None:
        now = time.monotonic()
        if now - self._told < 1.0:
            return
        self._told = now
        what = f"“{self.label}”" if self.label else "此项"
        extra = f"，粘贴的内容有 {cut} 字未录入" if cut else "，多出的字未录入"
        self.notify(f"{what}最多 {self.max_length} 字{extra}", severity="warning", markup=False)
