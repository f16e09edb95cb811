"""`CallRecord`: what a ticket carries about its call, built from the CTI events.

`CallBook` folds events into records and drops the ones that say nothing new (both switches can
report the same fact twice: AMI's AgentConnect and DialEnd, a transfer's acknowledgement and its
event), so each adapter emits every fact once. The UI keeps the record of the current call and
copies it onto the ticket; nothing in a ticket depends on the link being up.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from .events import (
    Answered,
    CallEvent,
    Direction,
    Held,
    HungUp,
    RecordingStarted,
    Ringing,
    ThreeWayStarted,
    TransferMode,
    Transferred,
    Unheld,
)


@dataclass(frozen=True)
class TransferRecord:
    at: datetime
    target: str
    mode: TransferMode | str  # a TransferMode, or "three_way"


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    caller: str = ""
    queue: str | None = None
    agent: str | None = None
    direction: Direction = Direction.INBOUND
    ring_at: datetime | None = None
    answer_at: datetime | None = None
    holds: tuple[tuple[datetime, datetime | None], ...] = ()  # (held at, resumed at or None)
    transfers: tuple[TransferRecord, ...] = ()
    hangup_at: datetime | None = None
    hangup_cause: str | None = None
    recordings: tuple[str, ...] = ()

    @property
    def ended(self) -> bool:
        return self.hangup_at is not None

    @property
    def on_hold(self) -> bool:
        return bool(self.holds) and self.holds[-1][1] is None

    @property
    def recording_ref(self) -> str | None:
        return self.recordings[0] if self.recordings else None

    def to_json(self) -> dict:
        """The plain-JSON form a ticket's event payload carries (ISO times)."""
        iso = lambda t: t.isoformat() if t else None  # noqa: E731
        return {
            "call_id": self.call_id,
            "caller": self.caller,
            "queue": self.queue,
            "agent": self.agent,
            "direction": self.direction.value,
            "ring_at": iso(self.ring_at),
            "answer_at": iso(self.answer_at),
            "holds": [[iso(a), iso(b)] for a, b in self.holds],
            "transfers": [
                {"at": iso(t.at), "target": t.target, "mode": getattr(t.mode, "value", t.mode)} for t in self.transfers
            ],
            "hangup_at": iso(self.hangup_at),
            "hangup_cause": self.hangup_cause,
            "recordings": list(self.recordings),
        }


@dataclass
class CallBook:
    """The calls one seat knows of, by call id; `apply` says whether an event was news."""

    agent: str | None = None
    records: dict[str, CallRecord] = field(default_factory=dict)

    def live(self) -> dict[str, CallRecord]:
        return {k: r for k, r in self.records.items() if not r.ended}

    def apply(self, ev: CallEvent) -> bool:
        rec = self.records.get(ev.call_id)
        if isinstance(ev, Ringing):
            if rec is not None:
                return False
            self.records[ev.call_id] = CallRecord(
                ev.call_id, ev.caller, ev.queue, self.agent, ev.direction, ring_at=ev.at
            )
            return True
        if rec is None or rec.ended:
            return False  # an event for a call this seat never saw ring, or one already over
        new = self._fold(rec, ev)
        if new == rec:
            return False
        self.records[ev.call_id] = new
        return True

    @staticmethod
    def _fold(rec: CallRecord, ev: CallEvent) -> CallRecord:
        if isinstance(ev, Answered):
            return rec if rec.answer_at else replace(rec, answer_at=ev.at)
        if isinstance(ev, Held):
            return rec if rec.on_hold else replace(rec, holds=rec.holds + ((ev.at, None),))
        if isinstance(ev, Unheld):
            return replace(rec, holds=rec.holds[:-1] + ((rec.holds[-1][0], ev.at),)) if rec.on_hold else rec
        if isinstance(ev, (Transferred, ThreeWayStarted)):
            mode = ev.mode if isinstance(ev, Transferred) else "three_way"
            if rec.transfers and (rec.transfers[-1].target, rec.transfers[-1].mode) == (ev.target, mode):
                return rec
            return replace(rec, transfers=rec.transfers + (TransferRecord(ev.at, ev.target, mode),))
        if isinstance(ev, RecordingStarted):
            return rec if ev.reference in rec.recordings else replace(rec, recordings=rec.recordings + (ev.reference,))
        if isinstance(ev, HungUp):
            holds = rec.holds[:-1] + ((rec.holds[-1][0], ev.at),) if rec.on_hold else rec.holds
            return replace(rec, hangup_at=ev.at, hangup_cause=ev.cause, holds=holds)
        return rec
