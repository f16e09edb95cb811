"""What both adapters share: one TCP connection kept alive, watched and re-made.

A supervisor task connects, logs in, subscribes and resynchronises (each adapter says how), then
waits for the connection to end. A watchdog pings the switch when nothing has arrived for
`ping_interval` seconds (FreeSWITCH also sends HEARTBEAT events); no answer within `ping_timeout`
drops the connection, so a half-dead link (a cable pulled, a frozen switch) is noticed, not only a
closed socket. Reconnects back off exponentially with jitter up to `backoff_max`. Bad credentials
stop the retries: retrying would not fix them and can lock the account.

Events reach the UI through `events()` in order; call events pass through the `CallBook` first so a
fact reported twice is emitted once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import utc_now
from ..domain.errors import BrokenInvariant
from .boundary import CtiAuthError, CtiError, CtiLinkDown
from .config import CtiConfig
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
    Unheld,
)
from .record import CallBook, CallRecord

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LiveCall:
    """One of the seat's calls as the switch lists it on resynchronisation."""

    call_id: str
    caller: str = ""
    queue: str | None = None
    answered: bool = False
    held: bool | None = None  # None: this switch's listing does not say
    direction: Direction = Direction.INBOUND


class LinkBase:
    """The connection life cycle; subclasses speak the wire protocol."""

    def __init__(
        self,
        config: CtiConfig,
        *,
        agent: str | None = None,
        clock: Clock | None = None,
        ping_interval: float = 5.0,
        ping_timeout: float = 3.0,
        connect_timeout: float = 5.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        self.config = config
        self.clock = clock or utc_now
        self.ping_interval, self.ping_timeout, self.connect_timeout = ping_interval, ping_timeout, connect_timeout
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.book = CallBook(agent=agent)
        self._queue: asyncio.Queue[CtiEvent | None] = asyncio.Queue()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task] = []
        self._ended: asyncio.Future[str] | None = None
        self._connected = False  # the wire is usable (commands may go out)
        self._up = False  # logged in and resynchronised (what the UI is told)
        self._ever_up = False
        self._closing = False
        self._supervisor: asyncio.Task | None = None
        self._last_rx = 0.0
        self._background: set[asyncio.Task] = set()
        self.agent_state: tuple[AgentState, str | None] | None = None

    # -- the boundary's read side ---------------------------------------------------------------
    @property
    def is_up(self) -> bool:
        return self._up

    @property
    def calls(self) -> dict[str, CallRecord]:
        return self.book.records

    async def events(self) -> AsyncIterator[CtiEvent]:
        while True:
            ev = await self._queue.get()
            if ev is None:
                return
            yield ev

    def _emit(self, ev: CtiEvent) -> None:
        if isinstance(ev, CallEvent) and not self.book.apply(ev):
            return
        self._queue.put_nowait(ev)

    def _reconcile(self, live: list[LiveCall], state: AgentState | None, reason: str | None = None) -> None:
        """Replay what the link missed: calls that ended, calls that began or changed, the agent's
        state. Events the seat already had are dropped by the CallBook, so this is safe on the
        first connection too (a seat started mid-call learns its call)."""
        now = self.clock()
        listed = {c.call_id for c in live}
        for call_id in list(self.book.live()):
            if call_id not in listed:
                self._emit(HungUp(now, call_id, replayed=True, cause="UNKNOWN"))
        for c in live:
            self._emit(Ringing(now, c.call_id, replayed=True, caller=c.caller, queue=c.queue, direction=c.direction))
            if c.answered:
                self._emit(Answered(now, c.call_id, replayed=True))
            if c.held is not None:
                self._emit((Held if c.held else Unheld)(now, c.call_id, replayed=True))
        if state is not None:
            self._note_agent_state(state, reason, replayed=True)

    def _note_agent_state(self, state: AgentState, reason: str | None, replayed: bool = False) -> None:
        reason = reason if state is AgentState.NOT_READY else None
        if (state, reason) != self.agent_state:
            self.agent_state = (state, reason)
            self._emit(AgentStateChanged(self.clock(), state, reason, replayed=replayed))

    # -- life cycle -----------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect once, raising `CtiAuthError` or `CtiLinkDown` (with the reason) if that fails."""
        await self._establish()

    async def start(self) -> None:
        if self._supervisor is None:
            self._supervisor = asyncio.create_task(self._supervise())

    async def close(self) -> None:
        self._closing = True
        if self._supervisor:
            self._supervisor.cancel()
        self._drop("closed")
        for task in [*self._tasks, *self._background, *(t for t in [self._supervisor] if t)]:
            task.cancel()
        await asyncio.gather(
            *self._tasks, *self._background, *(t for t in [self._supervisor] if t), return_exceptions=True
        )
        self._queue.put_nowait(None)

    async def _supervise(self) -> None:
        delay = self.backoff_initial
        reported = False  # one LinkDown per outage, not one per failed attempt
        while not self._closing:
            if not self._connected:
                try:
                    await self._establish()
                except CtiAuthError as exc:
                    self._emit(LinkDown(self.clock(), str(exc), retrying=False))
                    return
                except (TimeoutError, CtiError, OSError) as exc:
                    if not reported:
                        self._emit(LinkDown(self.clock(), _reason(exc)))
                        reported = True
                    await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                    delay = min(delay * 2, self.backoff_max)
                    continue
                delay, reported = self.backoff_initial, False
            if self._ended is None:  # set by the connect above, before the loop gets here
                raise BrokenInvariant("CTI link: connected without an end to wait for")
            reason = await self._ended
            was_up, self._up = self._up, False
            if was_up and not self._closing:
                self._emit(LinkDown(self.clock(), reason))
                reported = True

    async def _establish(self) -> None:
        host, port = self.config.host, self.config.port
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), self.connect_timeout)
        except (TimeoutError, OSError) as exc:
            raise CtiLinkDown(f"无法连接电话系统 {self.config.url}：{_reason(exc)}") from None
        self._reader, self._writer = reader, writer
        self._ended = asyncio.get_running_loop().create_future()
        self._last_rx = asyncio.get_running_loop().time()
        try:
            await asyncio.wait_for(self._login(reader, writer), self.connect_timeout)
        except TimeoutError:
            self._drop("login timed out")
            raise CtiLinkDown(f"电话系统 {self.config.url} 在 {self.connect_timeout:g} 秒内没有完成登录") from None
        except (CtiError, OSError, asyncio.IncompleteReadError) as exc:
            self._drop(_reason(exc))
            if isinstance(exc, CtiError):
                raise
            raise CtiLinkDown(f"电话系统 {self.config.url} 登录时断开：{_reason(exc)}") from None
        self._connected = True
        self._tasks = [asyncio.create_task(self._read_loop(reader)), asyncio.create_task(self._watchdog())]
        try:
            await asyncio.wait_for(self._after_login(), self.connect_timeout)
        except (TimeoutError, CtiError, OSError) as exc:
            self._drop(_reason(exc))
            raise CtiLinkDown(f"电话系统 {self.config.url} 订阅或同步失败：{_reason(exc)}") from None
        resynced, self._up, self._ever_up = self._ever_up, True, True
        self._emit(LinkUp(self.clock(), resynced=resynced))

    def _drop(self, reason: str) -> None:
        """End the current connection (idempotent); pending commands fail with CtiLinkDown."""
        self._connected = False
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(reason)
        self._fail_pending(CtiLinkDown(f"电话条离线：{reason}"))
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        loop = asyncio.get_running_loop()
        reason = "connection closed by the switch"
        try:
            while True:
                msg = await self._read_message(reader)
                if msg is None:
                    break
                self._last_rx = loop.time()
                try:
                    self._on_message(msg)
                except Exception:  # a malformed event must not take the link down
                    log.exception("CTI: could not handle a message")
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            reason = _reason(exc)
        self._drop(reason)

    async def _watchdog(self) -> None:
        loop = asyncio.get_running_loop()
        while self._connected:
            await asyncio.sleep(self.ping_interval / 2)
            if loop.time() - self._last_rx < self.ping_interval:
                continue
            try:
                await asyncio.wait_for(self._ping(), self.ping_timeout)
            except (TimeoutError, CtiError, OSError):
                self._drop(f"no answer to a ping within {self.ping_timeout:g} s")
                return

    def _spawn(self, coro: Any) -> None:
        """Run a follow-up command (a recording started on answer) without blocking the reader."""
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)

    def _write(self, data: bytes) -> None:
        if not self._connected or self._writer is None:
            raise CtiLinkDown("电话条离线：命令未发出")
        self._writer.write(data)

    # -- what each adapter provides -------------------------------------------------------------
    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _after_login(self) -> None:
        raise NotImplementedError

    async def _read_message(self, reader: asyncio.StreamReader) -> Any:
        raise NotImplementedError

    def _on_message(self, msg: Any) -> None:
        raise NotImplementedError

    async def _ping(self) -> None:
        raise NotImplementedError

    def _fail_pending(self, exc: Exception) -> None:
        raise NotImplementedError


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("CTI follow-up failed: %s", task.exception())
