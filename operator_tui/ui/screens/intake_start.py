"""The intake screen's start: the first frame, the deferred half of start-up, a draft resumed.

Started from the command line (given a `SeatStart`), the first frame holds the call panel and the
head of the form (the caller's name, number and address) with the cursor in it. Right after it the
deferred half of the context (rules, desk, knowledge base, sync) loads in a thread, then the rest of
the form and the side panels are mounted. Until then the seat's keys are disabled and what the
operator types is kept; the lookups it triggers (history, triage, knowledge base) run once
everything is loaded. After a crash, the draft is put back (`_restore`) before the operator types.

A mixin of `IntakeScreen` (which composes the screen and owns the call's fields).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.containers import Vertical

from ...store import drafts
from ..widgets.call_panel import CallPanel
from ..widgets.sync_status import SyncStatusBar

if TYPE_CHECKING:
    from .intake_host import IntakeHost
else:
    IntakeHost = object  # the mixins' typed base exists only for the type checker (intake_host.py)


class DeferredStart(IntakeHost):
    """Mixed into `IntakeScreen`: mounting, resuming a draft, and finishing a deferred start."""

    async def on_mount(self) -> None:
        # Read on the UI thread, once: a ~1 ms primary-key read, and the form must hold the
        # restored draft before the operator can type into it.
        with self.start.store.read() as conn:
            draft = drafts.load(conn)
        if draft and not self.form.complete:
            # A call to resume (after a crash): the whole form before the cursor goes back into
            # its text, so the rules now, not after the first frame. Rare, and slower.
            if not self._finish_context():
                return
            await self.form.mount_tail(self.ctx.rules.taxonomy)
        self._restore(draft)

    def _restore(self, draft: dict[str, Any] | None) -> None:
        if draft:
            self.call_id = draft.get("call_id") or self._new_call_id(self.start.now())
            started = draft.get("call_started_at")
            self.call_started_at = datetime.fromisoformat(started) if started else self.start.now()
            self.pending_referrals = list(draft.get("referrals") or [])
            self.kb_article = draft.get("kb_article")
            self.units_overridden = bool(draft.get("units_overridden"))
            self.form.load(draft.get("form") or {})
            self.query_one(CallPanel).start(self.call_started_at)
            self._after_form_change("phone")
            self._after_form_change("description")
            self.notify("已恢复未保存的来电记录（草稿）", title="草稿恢复")
            self.form.focus_field("description")
        elif self.start.caller:
            self.start_call(self.start.caller)
        else:
            self._mark_draft_baseline()
            self.form.focus_field("phone")
        self.seat_app.mark_ready()
        if self.loaded:
            self.seat_app.mark_ready("complete")
            self.call_after_refresh(self._warm_up)
            self.call_after_refresh(self._start_phone)
        else:  # on the app's queue, behind the ready mark: the first frame is not held up
            self.app.call_after_refresh(self._finish_start)

    @work(group="start", exclusive=True)
    async def _finish_start(self) -> None:
        # The context loads in a thread (imports, mostly): the UI thread keeps taking keys.
        if not await asyncio.get_running_loop().run_in_executor(None, self._finish_context):
            return
        await self.form.mount_tail(self.ctx.rules.taxonomy)
        await self.mount_all(list(self._notices()), before="#main")
        await self.query_one("#main").mount(Vertical(*self._side_panels(), id="side"))
        await self.mount(SyncStatusBar(self.seat_app.sync_status, tz=self.ctx.policy.tz, id="sync"), after="#main")
        self.remove_class("-starting")
        self.loaded = True
        if self.call_started_at is not None and self.call_id is None:
            self.call_id = self._new_call_id(self.call_started_at)
        for field in dict.fromkeys(self._pending_fields):
            self._after_form_change(field)
        self._pending_fields.clear()
        self.refresh_bindings()
        self.seat_app.context_ready(self.ctx)
        self.seat_app.mark_ready("complete")
        self._warm_up()
        self._start_phone()  # issue 19: the CTI link, after the first frame

    def _finish_context(self) -> bool:
        """Load the deferred half of the context into `ctx`; False (and the seat closes, saying
        why) if the rules files cannot be read."""
        from ...config import ConfigError
        from ..context import SeatContext

        if isinstance(self._begin, SeatContext):
            return True
        try:
            self.ctx = self._begin.finish()  # once: the draft-restore path may have asked already
        except ConfigError as exc:
            # post_message (under call_later) is safe from the loading thread
            self.app.call_later(self.app.exit, None, 2, Text(f"error: {exc}"))  # Text: never markup
            return False
        return True

    def _new_call_id(self, at: datetime) -> str | None:
        """The call's id (a ULID of its start); None until the seat has finished starting."""
        if not self.loaded:
            return None
        from ...desk import new_id

        return new_id(at)
