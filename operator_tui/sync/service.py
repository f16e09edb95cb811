"""`SyncService`: push the outbox, pull the change feed, keep the status (R16.1).

The seat calls `sync_once()` from a worker thread (every store access opens its own connection)
and shows `status()`. Nothing here decides what a ticket is: pushed events are judged by the
server's workflow, pulled tickets are the server's projection, with the seat's own pending events
replayed on top so the operator keeps seeing what they just recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..clock import utc_now
from ..config import Rules
from ..contract import MAX_BATCH, Change, IdConflictPublic, KbArticlePublic
from ..domain.deadlines import running_clock
from ..domain.errors import Misconfigured, RuleViolation
from ..domain.model import STATUS_NAMES, Event, Status
from ..identity import Identity, remember
from ..store import meta, outbox, sync_state
from ..store.db import Store
from ..store.outbox import OutboxRow
from . import restore
from .client import HotlineClient
from .errors import CursorGone, Offline, ProtocolError, SeatMismatch, SyncError
from .status import SyncStatus, read_status

Progress = Callable[[str, int, "int | None"], None]  # phase ("push" | "pull"), done, total if known


@dataclass(frozen=True)
class SyncReport:
    pushed: int = 0  # events the server now holds (applied or already held)
    rejected: int = 0  # events set aside as conflicts
    pulled: int = 0  # ticket changes applied locally
    resynced: bool = False
    online: bool = True
    error: str | None = None
    repushed: int = 0  # own events pushed again because the server was restored without them

    @property
    def ok(self) -> bool:
        return self.error is None


def _server_state(status: str | None) -> str | None:
    """The ticket's state on the server, kept with a conflict so the operator sees both sides."""
    if not status:
        return None
    try:
        name = STATUS_NAMES[Status(status)]
    except ValueError:
        name = status
    return json.dumps({"status": status, "status_name": name}, ensure_ascii=False)


@dataclass
class Tally:
    """What a run has done so far, counted as each transaction commits, so that a run that ends
    early (offline, refused) still reports what it did: the outbox shrank by exactly this much."""

    pushed: int = 0
    refused: int = 0
    pulled: int = 0
    resynced: bool = False
    requeued: int = 0


class SyncService:
    def __init__(
        self,
        store: Store,
        client: HotlineClient,
        rules: Rules,
        *,
        batch_size: int = 500,
        page_size: int = 200,
        clock: Callable[[], datetime] = utc_now,
        on_identity: Callable[[Identity], None] | None = None,
    ):
        self.store, self.client, self.rules, self.clock = store, client, rules, clock
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.page_size = page_size
        # Set by the seat: who holds the token is asked once per run (GET /v1/me) and remembered
        # for offline starts (operator_tui.identity); the callback puts it on the desk.
        self.on_identity = on_identity
        self.identity: Identity | None = None

    # --- identity --------------------------------------------------------------------------------
    def check_identity(self) -> Identity | None:
        """Ask the server whose token this is (once a run), remember it, tell the seat. Offline
        and a refused token raise as any call does; a server without /v1/me is not an error."""
        if self.identity is None and self.client.token:
            try:
                me = self.client.me()
            except ProtocolError:
                return None
            self.identity = Identity.from_principal(me)
            remember(self.store, self.client.token, self.identity)
            if self.on_identity is not None:
                self.on_identity(self.identity)
        if self.identity is not None and self.identity.seat:
            with self.store.transaction() as db:
                problem = meta.adopt_seat_code(db, self.identity.seat)
            if problem:
                raise SeatMismatch(problem)
        return self.identity

    def _seat_code_chosen(self) -> bool:
        with self.store.connect() as db:
            return meta.get(db, "seat_code") is not None

    # --- push ----------------------------------------------------------------------------------
    def push(self, progress: Progress | None = None, tally: Tally | None = None) -> tuple[int, int]:
        """Drain the outbox in order, in batches. Raises Offline (what is not yet acknowledged
        stays in the outbox; `tally` holds what was)."""
        tally = tally if tally is not None else Tally()
        with self.store.connect() as db:
            total = outbox.depth(db)
        start = tally.pushed + tally.refused
        while True:
            with self.store.connect() as db:
                rows = outbox.pending(db, self.batch_size)
            if not rows:
                return tally.pushed, tally.refused
            self._push_rows(rows, tally)
            if progress:
                done = tally.pushed + tally.refused - start
                progress("push", done, max(total, done))

    def _push_rows(self, rows: list[OutboxRow], tally: Tally) -> None:
        try:
            answer = self.client.push([r.body for r in rows])
        except Offline as exc:
            with self.store.transaction() as db:
                outbox.record_failure(db, [r.op_id for r in rows], str(exc), None)
            raise
        except ProtocolError as exc:
            if exc.status not in (413, 422):
                raise
            if len(rows) > 1:  # find the one event the server cannot read; push the rest
                half = len(rows) // 2
                self._push_rows(rows[:half], tally)
                self._push_rows(rows[half:], tally)
                return
            with self.store.transaction() as db:
                outbox.set_aside(db, rows[0], exc.rule, f"服务器无法接收此事件：{exc.detail}", None, self.clock())
            tally.refused += 1
            return
        now = self.clock()
        if isinstance(answer, IdConflictPublic):  # nothing was applied; set these aside, retry the rest
            by_id = {r.op_id: r for r in rows}
            with self.store.transaction() as db:
                for c in answer.conflicts:
                    if c.id in by_id:
                        outbox.set_aside(db, by_id[c.id], None, f"事件编号冲突：{c.reason}", None, now)
            tally.refused += len(answer.conflicts)
            return
        results = {r.id: r for r in answer.results}
        missing = [r.op_id for r in rows if r.op_id not in results]
        if missing:
            raise ProtocolError(200, f"the server gave no answer for event {missing[0]}")
        received: dict[str, str] = {}
        refused = 0
        with self.store.transaction() as db:
            for row in rows:
                res = results[row.op_id]
                if res.status == "applied":
                    received[row.op_id] = res.received_at.isoformat()
                    continue
                refused += 1
                outbox.set_aside(db, row, res.rule, res.reason or "rejected", _server_state(res.ticket_status), now)
            outbox.acknowledge(db, received)
        tally.pushed += len(received)
        tally.refused += refused

    # --- pull ----------------------------------------------------------------------------------
    def pull(self, progress: Progress | None = None, tally: Tally | None = None) -> tuple[int, bool]:
        """Apply the change feed page by page, each page with its cursor in one transaction.
        An unknown cursor (410) starts again from the beginning, once. A 410 on a cursor means
        the server was restored from a backup: the full pull also finds the seat's own events
        the server lost, and re-queues them (sync/restore.py; `tally.requeued`)."""
        tally = tally if tally is not None else Tally()
        with self.store.connect() as db:
            cursor = sync_state.cursor(db)
            missing = restore.own_acknowledged(db) if restore.recovering(db) else None
        if missing is not None:
            cursor = ""  # an interrupted recovery: only a whole pull tells what the server holds
        start, resynced = tally.pulled, False
        while True:
            try:
                page = self.client.changes(cursor, self.page_size)
            except CursorGone:
                if resynced or not cursor:
                    raise
                with self.store.transaction() as db:
                    restore.begin(db)
                    missing = restore.own_acknowledged(db)
                cursor, resynced = "", True
                tally.resynced = True
                continue
            now = self.clock()
            with self.store.transaction() as db:
                for change in page.changes:
                    self._apply(db, change, now)
                    if missing:
                        missing.difference_update(e.id for e in change.events)
                sync_state.set_cursor(db, page.next)
                if missing is not None and not page.more:
                    tally.requeued += restore.requeue(db, missing, now)
            tally.pulled += len(page.changes)
            cursor = page.next
            if progress:
                progress("pull", tally.pulled - start, None)
            if not page.more:
                return tally.pulled - start, resynced

    def _apply(self, db, change: Change, now: datetime) -> None:
        sync_state.add_server_events(db, [(e.to_domain(), e.received_at) for e in change.events])
        ticket = change.ticket.ticket
        held = {e.id for e in change.events}
        for row in outbox.pending_for(db, ticket.id):  # the seat's own events, not yet pushed
            if row.op_id in held:
                continue
            try:
                ticket = self.rules.workflow.apply(ticket, Event.model_validate_json(row.body), now)
            # Refused here, or a payload the effects cannot read (as the server's ingest sees it): the
            # push will bring the server's verdict on it. A broken invariant is a bug and is raised.
            except (RuleViolation, KeyError, TypeError, ValueError, OverflowError):
                break
        try:
            clock = running_clock(ticket, now, self.rules.clocks, self.rules.taxonomy)
        except (Misconfigured, ValueError):  # holiday or policy data this seat cannot count with:
            clock = None  # stored without a clock; the server's deadlines are the ones that count
        problem = sync_state.put_server_ticket(db, ticket, clock, now)
        if problem:
            sync_state.note_conflict(
                db, f"ticket:{ticket.id}", ticket.id, "R18.1", problem, change.ticket.model_dump(mode="json"), now
            )

    # --- knowledge base --------------------------------------------------------------------------
    def pull_kb(self, apply: Callable[[list[KbArticlePublic]], None]) -> int:
        """Articles changed on the server since the last call, handed page by page to `apply` (the
        knowledge-base engine's importer); the cursor moves on only after `apply` returns."""
        with self.store.connect() as db:
            cursor = sync_state.cursor(db, sync_state.KB_CURSOR)
        count, restarted = 0, False
        while True:
            try:
                page = self.client.kb_changes(cursor, self.page_size)
            except CursorGone:
                if restarted or not cursor:
                    raise
                cursor, restarted = "", True
                continue
            if page.articles:
                apply(page.articles)
            with self.store.transaction() as db:
                sync_state.set_cursor(db, page.next, sync_state.KB_CURSOR)
            count, cursor = count + len(page.articles), page.next
            if not page.more:
                return count

    # --- both ----------------------------------------------------------------------------------
    def sync_once(self, progress: Progress | None = None) -> SyncReport:
        """Push, then pull. Never raises for a sync problem: the report and the status say it,
        with the true counts of what was done before the problem (issue 11)."""
        t = Tally()
        try:
            if self.on_identity is not None or not self._seat_code_chosen():
                self.check_identity()  # also: this database numbers in the token's seat series
            self.push(progress, t)
            self.pull(progress, t)
            if t.requeued:  # the server was restored without some of our events: send them again
                self.push(progress, t)
                self.pull(progress, t)
        except Offline as exc:
            return self._finish(
                SyncReport(t.pushed, t.refused, t.pulled, t.resynced, online=False, error=str(exc), repushed=t.requeued)
            )
        except SyncError as exc:
            return self._finish(
                SyncReport(t.pushed, t.refused, t.pulled, t.resynced, online=True, error=str(exc), repushed=t.requeued)
            )
        return self._finish(SyncReport(t.pushed, t.refused, t.pulled, t.resynced, repushed=t.requeued))

    def _finish(self, report: SyncReport) -> SyncReport:
        with self.store.transaction() as db:
            sync_state.record_attempt(db, self.clock(), online=report.online, error=report.error)
            if self.client.clock_offset is not None:
                sync_state.set_clock_offset(db, self.client.clock_offset)
        return report

    def status(self) -> SyncStatus:
        return read_status(self.store)
