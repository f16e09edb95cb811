"""The intake screen's draft autosave: the form being typed survives a crash or `kill -9`.

Known trap "Trailing-only debounce" (issue 14): a save that waits for a pause in the typing never
happens while the operator types on, so a seat killed mid-sentence lost all 68 characters of a
description typed for 7 s. The save is debounced with a *maximum wait*: written `AUTOSAVE_DELAY`
after the last change, and never later than `AUTOSAVE_MAX_WAIT` after the first unsaved one, so
continuous typing is written at least every half second. The write runs in a thread worker (one
connection, `synchronous=FULL`): the keystroke that triggers it never waits for the disk.

A mixin of `IntakeScreen` (which owns `start`, `form` and the call's fields).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual import work
from textual.timer import Timer

from ...store import drafts

if TYPE_CHECKING:
    from .intake_host import IntakeHost
else:
    IntakeHost = object  # the mixins' typed base exists only for the type checker (intake_host.py)


AUTOSAVE_DELAY = 0.2  # seconds after the last change
AUTOSAVE_MAX_WAIT = 0.3  # seconds after the first unsaved change, however fast the typing goes


class DraftAutosave(IntakeHost):
    """Mixed into `IntakeScreen`: `_schedule_autosave()` after each change; `_close_draft()` on save."""

    _autosave: Timer | None = None  # the trailing timer, restarted by every change
    _autosave_cap: Timer | None = None  # the maximum wait, started by the first unsaved change
    _draft_lock: threading.Lock
    _closed_calls: set[str | None]

    _draft_baseline: dict[str, Any] | None = None  # the form as the call began (nothing typed yet)

    def _init_drafts(self) -> None:
        self._draft_lock = threading.Lock()
        self._closed_calls = set()

    def _mark_draft_baseline(self) -> None:
        """The form as it is now holds nothing typed (a new call, or its number from the phone
        system): a draft of it is not worth a write, nor a resume after a restart."""
        self._draft_baseline = self.form.data()

    def _worth_saving(self) -> bool:
        return bool(self.pending_referrals) or self.form.data() != self._draft_baseline

    def _draft(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "call_started_at": self.call_started_at.isoformat() if self.call_started_at else None,
            "form": self.form.data(),
            "referrals": self.pending_referrals,
            "kb_article": self.kb_article,
            "units_overridden": self.units_overridden,
        }

    def _schedule_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_DELAY, self._save_draft)
        if self._autosave_cap is None:
            self._autosave_cap = self.set_timer(AUTOSAVE_MAX_WAIT, self._save_draft)

    def _stop_autosave(self) -> None:
        for timer in (self._autosave, self._autosave_cap):
            if timer is not None:
                timer.stop()
        self._autosave = self._autosave_cap = None

    def _save_draft(self) -> None:
        self._stop_autosave()
        if self.saved_ticket is None and self._worth_saving():
            self._write_draft(self._draft())  # the form is read here, on the UI thread; written there

    @work(thread=True, exclusive=True, group="draft")
    def _write_draft(self, data: dict[str, Any]) -> None:
        # A write that lost the race with the save must not bring the draft of a saved call back.
        with self._draft_lock:
            if data["call_id"] in self._closed_calls:
                return
            with self.start.store.read() as conn:  # a plain autocommit connection: one INSERT, FULL sync
                drafts.save(conn, data, self.start.now())

    @work(thread=True, group="draft-close")
    def _close_draft(self, call_id: str | None) -> None:
        with self._draft_lock:
            self._closed_calls.add(call_id)
            with self.start.store.transaction() as db:
                drafts.clear(db)

    # --- when the seat closes (Ctrl+Q) ------------------------------------------------------

    def unsaved_call(self) -> bool:
        """A call with anything typed into it and no ticket yet (Ctrl+Q asks first)."""
        return self.loaded and self.saved_ticket is None and self.call_started_at is not None and self._worth_saving()

    def drop_draft(self) -> None:
        """The operator quits with nothing of a caller's words unsaved: the next start is clean."""
        self._stop_autosave()
        with self._draft_lock, self.start.store.read() as conn:
            drafts.clear(conn)

    def flush_draft(self) -> None:
        """Write the draft now, on this thread (the seat is about to close)."""
        self._stop_autosave()
        if self.saved_ticket is None and self.call_started_at is not None and self._worth_saving():
            with self._draft_lock, self.start.store.read() as conn:
                drafts.save(conn, self._draft(), self.start.now())
