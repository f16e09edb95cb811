"""What the phone system tells the seat: one set of events for both switches.

Every event is a frozen dataclass with the time the switch reported it (`at`, aware) and, for call
events, the call id the adapter uses in its commands (the seat's own leg: FreeSWITCH's channel
UUID, Asterisk's Uniqueid). `replayed=True` marks an event learnt on resynchronisation after the
link came back: it happened while the link was down, so its time is when the seat learnt it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class AgentState(str, Enum):
    """The agent's state on the switch (示闲 / 示忙 / 话后整理 / 未登录)."""

    READY = "ready"  # 示闲: the queue may offer calls
    NOT_READY = "not_ready"  # 示忙 / 小休, with a reason
    AFTER_CALL_WORK = "after_call_work"  # 话后整理: no calls until the ticket is done
    LOGGED_OUT = "logged_out"


class TransferMode(str, Enum):
    BLIND = "blind"  # the caller goes straight to the number
    ATTENDED = "attended"  # the operator speaks to the number first, then hangs up to join them


class Direction(str, Enum):
    INBOUND = "inbound"  # a caller reached the seat (queue or direct)
    OUTBOUND = "outbound"  # the seat dialled out (a callback, R23)


@dataclass(frozen=True)
class CtiEvent:
    at: datetime


@dataclass(frozen=True)
class CallEvent(CtiEvent):
    call_id: str
    replayed: bool = False


@dataclass(frozen=True)
class Ringing(CallEvent):
    caller: str = ""  # the caller's number (or the number dialled, outbound)
    queue: str | None = None  # the queue that offered the call, if any
    direction: Direction = Direction.INBOUND


@dataclass(frozen=True)
class Answered(CallEvent):
    pass


@dataclass(frozen=True)
class Held(CallEvent):
    pass


@dataclass(frozen=True)
class Unheld(CallEvent):
    pass


@dataclass(frozen=True)
class Transferred(CallEvent):
    target: str = ""
    mode: TransferMode = TransferMode.BLIND


@dataclass(frozen=True)
class ThreeWayStarted(CallEvent):
    """A third party (110, a unit) joined the call (三方通话)."""

    target: str = ""


@dataclass(frozen=True)
class HungUp(CallEvent):
    cause: str = "UNKNOWN"  # the switch's cause name (NORMAL_CLEARING, ORIGINATOR_CANCEL, …)
    q850: int | None = None  # the ITU-T Q.850 cause code where the switch gives one


@dataclass(frozen=True)
class RecordingStarted(CallEvent):
    reference: str = ""  # the switch's file path: what a supervisor looks the recording up by (R11.1)


@dataclass(frozen=True)
class AgentStateChanged(CtiEvent):
    state: AgentState
    reason: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class LinkUp(CtiEvent):
    """The link is (again) up; `resynced` is True after a reconnect whose missed events were replayed."""

    resynced: bool = False


@dataclass(frozen=True)
class LinkDown(CtiEvent):
    """The link is down (电话条离线). `retrying` is False when the adapter gave up (bad credentials)."""

    reason: str = ""
    retrying: bool = True
