"""`FakeLink`: a CtiLink for UI tests, with no socket.

The test scripts the switch (`ring`, `hang_up`, `push` any event, `go_down`/`go_up`) and reads the
commands the seat sent in `commands`, e.g. `("transfer", call_id, "110", "blind")`. With
`echo=True` (the default) each command also produces the event a switch would send back (answer →
Answered, hold → Held, …), so a screen test can drive a whole call through the keys; `refuse(name,
message)` makes the next such command raise `CtiCommandError` instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from .boundary import CtiCommandError, CtiLinkDown, check_number
from .events import (
    AgentState,
    AgentStateChanged,
    Answered,
    CallEvent,
    CtiEvent,
    Direction,
    Held,
    HungUp,
    LinkDown,
    LinkUp,
    Ringing,
    ThreeWayStarted,
    TransferMode,
    Transferred,
    Unheld,
)
from .record import CallBook, CallRecord


class FakeLink:
    def __init__(
        self, *, agent: str = "1001", up: bool = True, echo: bool = True, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.book = CallBook(agent=agent)
        self.commands: list[tuple] = []
        self.echo = echo
        self._up = up
        self._refusals: dict[str, str] = {}
        self._queue: asyncio.Queue[CtiEvent | None] = asyncio.Queue()
        self._next = 0
        self._t = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
        self.clock = clock or self._tick

    def _tick(self) -> datetime:
        self._t += timedelta(seconds=1)
        return self._t

    # -- the boundary ---------------------------------------------------------------------------
    @property
    def is_up(self) -> bool:
        return self._up

    @property
    def calls(self) -> dict[str, CallRecord]:
        return self.book.records

    async def connect(self) -> None:
        if not self._up:
            raise CtiLinkDown("电话条离线（fake）")

    async def start(self) -> None:
        if self._up:
            self.push(LinkUp(self.clock()))

    async def close(self) -> None:
        self._queue.put_nowait(None)

    async def events(self) -> AsyncIterator[CtiEvent]:
        while (ev := await self._queue.get()) is not None:
            yield ev

    async def answer(self, call_id: str) -> None:
        self._command("answer", call_id)
        self._echo(Answered(self.clock(), call_id))

    async def hold(self, call_id: str) -> None:
        self._command("hold", call_id)
        self._echo(Held(self.clock(), call_id))

    async def unhold(self, call_id: str) -> None:
        self._command("unhold", call_id)
        self._echo(Unheld(self.clock(), call_id))

    async def transfer(self, call_id: str, number: str, mode: TransferMode = TransferMode.BLIND) -> None:
        check_number(number)
        self._command("transfer", call_id, number, mode.value)
        self._echo(Transferred(self.clock(), call_id, target=number, mode=mode))
        self._echo(
            HungUp(self.clock(), call_id, cause="BLIND_TRANSFER" if mode is TransferMode.BLIND else "ATTENDED_TRANSFER")
        )

    async def three_way(self, call_id: str, number: str) -> None:
        check_number(number)
        self._command("three_way", call_id, number)
        self._echo(ThreeWayStarted(self.clock(), call_id, target=number))

    async def set_state(self, state: AgentState, reason: str | None = None) -> None:
        self._command("set_state", state.value, reason)
        self._echo(AgentStateChanged(self.clock(), state, reason if state is AgentState.NOT_READY else None))

    async def dial(self, number: str) -> str:
        check_number(number)
        self._command("dial", number)
        call_id = self._new_id()
        self._echo(Ringing(self.clock(), call_id, caller=number, direction=Direction.OUTBOUND))
        self._echo(Answered(self.clock(), call_id))
        return call_id

    # -- the test's side: script the switch -----------------------------------------------------
    def push(self, ev: CtiEvent) -> None:
        if isinstance(ev, (LinkUp, LinkDown)):
            self._up = isinstance(ev, LinkUp)
        if not isinstance(ev, CallEvent) or self.book.apply(ev):
            self._queue.put_nowait(ev)

    def ring(self, caller: str = "13912345678", queue: str | None = "8890", call_id: str | None = None) -> str:
        call_id = call_id or self._new_id()
        self.push(Ringing(self.clock(), call_id, caller=caller, queue=queue))
        return call_id

    def hang_up(self, call_id: str, cause: str = "NORMAL_CLEARING", q850: int | None = 16) -> None:
        self.push(HungUp(self.clock(), call_id, cause=cause, q850=q850))

    def go_down(self, reason: str = "test: link pulled") -> None:
        self.push(LinkDown(self.clock(), reason))

    def go_up(self, resynced: bool = True) -> None:
        self.push(LinkUp(self.clock(), resynced=resynced))

    def refuse(self, command: str, message: str = "refused by the fake switch") -> None:
        self._refusals[command] = message

    def _new_id(self) -> str:
        self._next += 1
        return f"fake-call-{self._next}"

    def _command(self, name: str, *args) -> None:
        if not self._up:
            raise CtiLinkDown("电话条离线：命令未发出")
        if name in self._refusals:
            raise CtiCommandError(self._refusals.pop(name))
        if args and name not in ("set_state", "dial") and args[0] not in self.book.live():
            raise CtiCommandError(f"没有进行中的通话 {args[0]}")
        self.commands.append((name, *args))

    def _echo(self, ev: CtiEvent) -> None:
        if self.echo:
            self.push(ev)
