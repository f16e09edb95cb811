"""Keys typed while a screen opens or closes reach the screen the operator is looking at, in order.

Known trap "A key that opens a screen" (issue 14). Textual routes a key to the widget focused *when
the key arrives*, but a key's effect (a picker opening, a dialog closing, the cursor moving to the
next field) lands a few message hops later. At paste speed (a fast typist, a loaded machine, a
barcode-like burst) the next keys are routed before that: `tdzq` on a picker field opened four
pickers, and the description typed after Enter went into a picker's filter.

So the app routes one key at a time. A key that arrives while the one before it is still queued at
its widget is *held*; so are keys that arrive while a screen is being pushed or popped. Held keys
are replayed in arrival order, each once the one before it has been handled where it went, and
after the new screen has its focus (push) or the result callback has moved the cursor on (pop).
A widget that finds stale keys in its own queue (sent to it before the screen it opened was pushed)
hands them back with `relay_key`; they go before the keys held since, having arrived earlier.
Typing at a person's pace meets no hold (each key is handled long before the next arrives). A hold
never outlives `HOLD_MAX` seconds, so no path can swallow the keyboard.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App

HOLD_MAX = 1.0  # seconds; a screen that never reports ready still gets the keys after this


class KeyHoldMixin:
    """Mixed into the seat's `App`: `push_screen`, `pop_screen` and `on_event` hold and replay keys."""

    _holds: int = 0
    _held: list[events.Key] | None = None  # arrived at the app while holding
    _relayed: list[events.Key] | None = None  # handed back by widgets: older than `_held`
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
        self._in_flight = 0
        self._flight_hold = False
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
        keys = (self._relayed or []) + self._held
        self._held = self._relayed = None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if not keys:
            return
        # One key at a time: the rest are held again until this one has been handled where it
        # went (it may open a picker, move the cursor, close a dialog, or be a binding the app runs
        # only when the key has bubbled up to it). Not awaited here: the app's own queue must keep
        # moving for a binding to run, so the next key is sent from `_landed`.
        key = keys.pop(0)
        target = self.focused or self.screen  # type: ignore[attr-defined]
        await App.on_event(self, key)  # type: ignore[arg-type]
        if keys:
            self._flight_hold = True
            self.hold_keys()
            self._held = keys + (self._held or [])
        self._in_flight += 1
        after_handled(target, key, self._landed)

    # --- where keys arrive and screens change -----------------------------------------------

    _in_flight = 0  # keys handed to a widget and not yet handled there
    _flight_hold = False  # a hold taken because of them

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)  # type: ignore[misc]
            return
        if self._held is None and self._in_flight:
            # The key before this one is still queued at its widget (paste speed): this one (an F6
            # included, whose binding would run at once) waits until that one has been handled.
            self._flight_hold = True
            self.hold_keys()
        if self._held is not None:
            self._held.append(event)
            return
        target = self.focused or self.screen  # type: ignore[attr-defined]
        await super().on_event(event)  # type: ignore[misc]
        self._in_flight += 1
        after_handled(target, event, self._landed)

    def _landed(self) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        if not self._in_flight and self._flight_hold:
            self._flight_hold = False
            self.release_keys()

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


def after_handled(node: Any, key: events.Key, then: Any) -> None:
    """Call ``then`` once ``key``, sent to ``node``, has been handled wherever it ends.

    A key the focused widget does not take itself (End, Home, ←, Backspace, Ctrl+U in a text
    field) is one of its *bindings*: the event bubbles up, one message queue at a time, to the app,
    which only then runs the binding. Waiting for ``node``'s queue alone let the characters typed
    after Ctrl+U go in before it ran, and be wiped by it (found typing in tmux). So the wait follows
    the key up: at each hop, a callback queued behind the key runs after the key was handled there
    (and passed on, in the same step, to the parent's queue), until the key was stopped or reached
    the app.
    """

    app = node.app

    def hop(at: Any) -> None:
        def check() -> None:
            if at is app:
                then()
            elif key._stop_propagation:
                # Stopped here, or passed to the app all the same: Textual stops a key on its way
                # to the widget that sent it (the app) but still delivers it there. One last pass
                # of the app's queue covers both.
                hop(app)
            else:
                hop(getattr(at, "_parent", None) or app)

        at.call_later(check)

    hop(node)


class HandsOnKeys:
    """Mixed into a text field (an `Input` or `TextArea` subclass, before it in the bases): the keys
    that move the cursor on (Tab, Shift+Tab, and those `hand_on_keys` adds) act at once, in the
    field's own key handler, rather than as bindings checked after the key has bubbled up to the
    app, when the keys typed after it are already queued in this field. Those keys, and any that
    reach the field after it handed the cursor on, are relayed to where the cursor went."""

    _handed_on = False

    def hand_on_keys(self) -> dict[str, Any]:
        """key → a callable that moves the cursor; the default: Tab and Shift+Tab."""
        return {"tab": self.screen.focus_next, "shift+tab": self.screen.focus_previous}  # type: ignore[attr-defined]

    def _on_focus(self, event: events.Focus) -> None:
        self._handed_on = False
        super()._on_focus(event)  # type: ignore[misc]

    async def _on_key(self, event: events.Key) -> None:
        app = self.app  # type: ignore[attr-defined]
        if not hasattr(app, "relay_key"):  # not in the seat's app (a widget test): as Textual does
            await super()._on_key(event)  # type: ignore[misc]
            return
        if self._handed_on:
            event.stop()
            event.prevent_default()
            app.relay_key(event)
            return
        move = self.hand_on_keys().get(event.key)
        if move is not None:
            event.stop()
            event.prevent_default()
            self._handed_on = True
            app.hold_keys()
            move()
            app.call_later(app.release_keys)  # behind a focus change made through the app's queue
            return
        await super()._on_key(event)  # type: ignore[misc]
