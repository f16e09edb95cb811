"""Keys typed while a screen opens or closes reach the screen the operator is looking at, in order.

Known trap "A key that opens a screen" (issue 14). Textual routes a key to the widget focused *when
the key arrives*, but a key's effect (a picker opening, a dialog closing, the cursor moving to the
next field) lands a few message hops later. At paste speed (a fast typist, a loaded machine, a
barcode-like burst) the next keys are routed before that: `tdzq` on a picker field opened four
pickers, and the description typed after Enter went into a picker's filter.

So the app *holds* keys while a screen is being pushed or popped and replays them, in arrival
order, once the new screen has its focus (push) or the result callback has run and moved the
cursor on (pop). A widget that finds stale keys in its own queue (sent to it before the screen it
opened was pushed) hands them back with `relay_key`; they go before the keys held since, since they
arrived earlier. A hold never outlives `HOLD_MAX` seconds, so no path can swallow the keyboard.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App

HOLD_MAX = 1.0  # seconds; a screen that never reports ready still gets the keys after this


class KeyHoldMixin:
    """Mixed into the seat's `App`: `push_screen`, `pop_screen` and `on_event` hold and replay keys."""

    _holds: int = 0
    _held: list[events.Key] | None = None      # arrived at the app while holding
    _relayed: list[events.Key] | None = None   # handed back by widgets: older than `_held`
    _hold_timer: Any = None

    # --- holding ----------------------------------------------------------------------------

    def hold_keys(self) -> None:
        """Hold keys until a matching `release_keys` (holds nest)."""
        self._holds += 1
        if self._held is None:
            self._held, self._relayed = [], []
        if self._hold_timer is not None:
            self._hold_timer.stop()
        self._hold_timer = self.set_timer(HOLD_MAX, self._release_all)  # type: ignore[attr-defined]

    def release_keys(self) -> None:
        """End one hold; the keys are replayed when none is left (from the app's queue, after
        whatever the caller has just asked of it, e.g. a focus change)."""
        self._holds = max(0, self._holds - 1)
        if self._holds == 0:
            self.call_later(self._replay)  # type: ignore[attr-defined]

    def _release_all(self) -> None:
        self._holds = 0
        self._hold_timer = None
        self.call_later(self._replay)  # type: ignore[attr-defined]

    @property
    def holding_keys(self) -> bool:
        return self._held is not None

    def relay_key(self, event: events.Key) -> None:
        """A key that reached a widget which no longer should have it (its screen is being left):
        deliver it where it would have gone, before any key that arrived after it."""
        fresh = events.Key(event.key, event.character)
        if self._relayed is not None:
            self._relayed.append(fresh)
        else:
            target = self.focused or self.screen  # type: ignore[attr-defined]
            target._forward_event(fresh)

    async def _replay(self) -> None:
        if self._holds or self._held is None:
            return
        keys = self._relayed + self._held
        self._held = self._relayed = None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        while keys:
            key = keys.pop(0)
            await App.on_event(self, key)  # type: ignore[arg-type]
            if self._held is not None:  # that key opened a screen: the rest wait for it too
                self._held[:0] = keys
                return

    # --- where keys arrive and screens change -----------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._held is not None:
            self._held.append(event)
            return
        await super().on_event(event)  # type: ignore[misc]

    def push_screen(self, screen: Any, callback: Any = None, wait_for_dismiss: bool = False) -> Any:
        self.hold_keys()
        done = callback

        def closed(result: Any) -> None:
            # The screen was dismissed (its pop holds keys): run the caller's callback, which may
            # hold again to move the cursor, then end the pop's hold.
            try:
                if done is not None:
                    done(result)
            finally:
                self.release_keys()

        result = super().push_screen(screen, closed, wait_for_dismiss)  # type: ignore[misc]
        pushed = self.screen  # type: ignore[attr-defined]
        # Behind the ScreenResume just posted to it (which sets its focus), then behind the focus
        # change in the app's own queue.
        pushed.call_later(lambda: self.call_later(self.release_keys))  # type: ignore[attr-defined]
        return result

    def pop_screen(self) -> Any:
        # Dismissed (its result callback has been called and is on its way): hold until `closed`
        # has run. A screen popped without a result (no callback will run) holds nothing.
        callbacks = getattr(self.screen, "_result_callbacks", None)  # type: ignore[attr-defined]
        if callbacks and callbacks[-1].callback is None:
            self.hold_keys()
        return super().pop_screen()  # type: ignore[misc]
