"""The CTI boundary (issue 19): the seat's link to the phone system, with no UI in it.

`connect_link(parse_cti_url(url))` gives a `CtiLink` for `freeswitch://host:8021?agent=…` (ESL,
`esl.py`) or `asterisk://host:5038?interface=…` (AMI, `ami.py`); `fake.FakeLink` stands in for UI
tests. Events are in `events.py`, the record a ticket carries in `record.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .boundary import CtiAuthError, CtiCommandError, CtiConfigError, CtiError, CtiLink, CtiLinkDown
from .config import CtiConfig, parse_cti_url
from .events import (
    AgentState,
    AgentStateChanged,
    Answered,
    CtiEvent,
    Direction,
    Held,
    HungUp,
    LinkDown,
    LinkUp,
    RecordingStarted,
    Ringing,
    ThreeWayStarted,
    TransferMode,
    Transferred,
    Unheld,
)
from .record import CallRecord

if TYPE_CHECKING:
    # Both adapters' base: the link, with what `hotline cti check` reads of it.
    from .link import LinkBase

__all__ = [
    "AgentState",
    "AgentStateChanged",
    "Answered",
    "CallRecord",
    "CtiAuthError",
    "CtiCommandError",
    "CtiConfig",
    "CtiConfigError",
    "CtiError",
    "CtiEvent",
    "CtiLink",
    "CtiLinkDown",
    "Direction",
    "Held",
    "HungUp",
    "LinkDown",
    "LinkUp",
    "RecordingStarted",
    "Ringing",
    "ThreeWayStarted",
    "Transferred",
    "TransferMode",
    "Unheld",
    "connect_link",
    "parse_cti_url",
]


def connect_link(config: CtiConfig, **options: Any) -> LinkBase:
    """The adapter for `config`'s switch (not yet connected: call `start()` or `connect()`)."""
    if config.kind == "freeswitch":
        from .esl import FreeSwitchLink

        return FreeSwitchLink(config, **options)
    from .ami import AsteriskLink

    return AsteriskLink(config, **options)
