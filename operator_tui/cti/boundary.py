"""The CTI boundary: what the seat may ask of any phone system, and what it may get back.

The UI sees only this: `CtiLink` (events in, commands out) and the error tree below. The ESL and
AMI adapters, and the fake one for UI tests, all satisfy it.

Errors (each one's place in the project's one tree is drawn in operator_tui/domain/errors.py):

- CtiError: anything the CTI layer raises (Unavailable).
- CtiConfigError: the URL or the credentials are wrong (one line: what to fix; Misconfigured).
- CtiAuthError: the switch refused the credentials; the link stops retrying (Misconfigured).
- CtiLinkDown: no link now (connect failed, or it dropped): work on without it.
- CtiCommandError: the switch refused a command (its own words in the message; Refused).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from ..domain.errors import Misconfigured, Refused, Unavailable
from .events import AgentState, CtiEvent, TransferMode
from .record import CallRecord


class CtiError(Unavailable):
    """Base of every CTI error; the message is one line a person can act on."""


class CtiConfigError(Misconfigured, CtiError):
    pass


class CtiAuthError(Misconfigured, CtiError):
    pass


class CtiLinkDown(CtiError):
    pass


class CtiCommandError(Refused, CtiError):
    pass


@runtime_checkable
class CtiLink(Protocol):
    """One seat's link to its switch.

    `start()` returns at once and keeps the link up in the background (reconnecting with backoff,
    resynchronising what it missed); `connect()` makes the first connection and raises
    `CtiAuthError`/`CtiLinkDown` if it cannot (for `hotline cti check`). `events()` yields every
    event in order, `LinkUp`/`LinkDown` included, until `close()`. Commands return when the switch
    acknowledged them, raise `CtiCommandError` if it refused and `CtiLinkDown` if there is no link.
    """

    @property
    def is_up(self) -> bool: ...

    @property
    def calls(self) -> dict[str, CallRecord]: ...

    async def connect(self) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def events(self) -> AsyncIterator[CtiEvent]: ...

    async def answer(self, call_id: str) -> None: ...

    async def hold(self, call_id: str) -> None: ...

    async def unhold(self, call_id: str) -> None: ...

    async def transfer(self, call_id: str, number: str, mode: TransferMode = TransferMode.BLIND) -> None: ...

    async def three_way(self, call_id: str, number: str) -> None: ...

    async def set_state(self, state: AgentState, reason: str | None = None) -> None: ...

    async def dial(self, number: str) -> str:
        """Dial out (a callback): rings the seat's phone, then the number. Returns the new call id."""
        ...


def check_number(number: str) -> None:
    """A number the seat may dial or transfer to: digits (and + * #) only, so it cannot smuggle
    arguments into a switch command line."""
    if not number or len(number) > 32 or not all(c.isdigit() or c in "+*#" for c in number):
        raise CtiCommandError(f"号码 {number!r} 只能含数字（及 + * #），最多 32 位")
