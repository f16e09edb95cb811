"""FreeSWITCH adapter: the Event Socket in inbound mode, with mod_callcenter for the agent.

Written against the FreeSWITCH 1.10 documentation (mod_event_socket, mod_commands, mod_dptools,
mod_callcenter). The seat's call id is the UUID of the seat's own leg: the channel mod_callcenter
(or our `originate`) makes to the seat's phone. A channel is the seat's when it carries
`variable_cc_agent` = this agent, when its presence id is this extension on an outbound leg, or
when this link originated it.

Commands go out as `bgapi` with a `Job-UUID`, and a command returns when its BACKGROUND_JOB says
`+OK` (`-ERR …` raises `CtiCommandError` with the switch's words). The watchdog pings with
`api uptime`; replies to `api` and plain commands come back in order, so they queue.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any

from .boundary import CtiAuthError, CtiCommandError, CtiLinkDown, check_number
from .config import CtiConfig
from .esl_wire import EslMessage, command, parse_event, read_message
from .events import (
    AgentState,
    Answered,
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
from .link import LinkBase, LiveCall

EVENTS = (
    "CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HOLD CHANNEL_UNHOLD CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE "
    "RECORD_START HEARTBEAT BACKGROUND_JOB CUSTOM callcenter::info"
)
ANSWERED_STATES = {"ACTIVE", "HELD", "UNHELD"}


def agent_state_of(status: str | None, state: str | None) -> AgentState | None:
    """mod_callcenter's status (Available, On Break, Logged Out) and state (Waiting, Idle, …) as one."""
    if status == "Logged Out":
        return AgentState.LOGGED_OUT
    if status == "On Break":
        return AgentState.NOT_READY
    if status in ("Available", "Available (On Demand)"):
        # Idle is mod_callcenter's "no calls given": what this link sets for after-call work.
        return AgentState.AFTER_CALL_WORK if state == "Idle" else AgentState.READY
    return None


class FreeSwitchLink(LinkBase):
    def __init__(self, config: CtiConfig, **kwargs) -> None:
        agent = config.option("agent") or ""
        super().__init__(config, agent=agent, **kwargs)
        self.agent = agent
        self.extension = config.option("extension", agent.split("@")[0])
        self.endpoint = config.option("endpoint", f"user/{self.extension}")
        self.context = config.option("context", "default")
        self.caller_id = config.option("caller_id", "8890")
        self.format = config.option("format", "json")
        self.command_timeout = 10.0
        self._replies: deque[asyncio.Future[EslMessage]] = deque()
        self._jobs: dict[str, asyncio.Future[str]] = {}
        self._originated: dict[str, str] = {}  # uuid we asked for -> number dialled
        self._partner: dict[str, str] = {}  # the other leg's uuid -> the seat's call id
        self._attended: dict[str, str] = {}  # call id -> target of an attended transfer under way
        self._cc_status: str | None = None
        self._cc_state: str | None = None
        self._break_reason: str | None = None

    # -- wire -----------------------------------------------------------------------------------
    async def _read_message(self, reader: asyncio.StreamReader) -> EslMessage | None:
        return await read_message(reader)

    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        greeting = await read_message(reader)
        if greeting is None or greeting.content_type != "auth/request":
            raise CtiLinkDown(f"{self.config.url} 不是 FreeSWITCH 事件套接字（没有收到 auth/request）")
        writer.write(command(f"auth {self.config.password}"))
        reply = await read_message(reader)
        text = reply.headers.get("Reply-Text", "") if reply else ""
        if not text.startswith("+OK"):
            raise CtiAuthError(
                f"FreeSWITCH {self.config.url} 拒绝了 ESL 密码（{text or '连接被关闭'}）："
                "请核对 event_socket.conf.xml 的 password 与 HOTLINE_CTI_PASSWORD"
            )

    async def _request(self, line: str) -> EslMessage:
        """A plain command or `api`: its reply is the next command/reply or api/response."""
        fut: asyncio.Future[EslMessage] = asyncio.get_running_loop().create_future()
        self._write(command(line))
        self._replies.append(fut)
        return await asyncio.wait_for(fut, self.command_timeout)

    async def _bgapi(self, line: str, timeout: float | None = None) -> str:
        """Run an API command in the background; its BACKGROUND_JOB body, or CtiCommandError."""
        job = str(uuid.uuid4())
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._jobs[job] = fut
        try:
            reply_fut: asyncio.Future[EslMessage] = asyncio.get_running_loop().create_future()
            self._write(command(f"bgapi {line}", Job_UUID=job))
            self._replies.append(reply_fut)
            reply = await asyncio.wait_for(reply_fut, self.command_timeout)
            accepted = reply.headers.get("Reply-Text", "")
            if not accepted.startswith("+OK"):
                raise CtiCommandError(f"FreeSWITCH 拒绝了 {line.split()[0]}：{accepted}")
            body = (await asyncio.wait_for(fut, timeout or self.command_timeout)).strip()
        finally:
            self._jobs.pop(job, None)
        if not body.startswith("+OK"):
            raise CtiCommandError(f"FreeSWITCH 拒绝了 {line.split()[0]}：{body or '无应答'}")
        return body

    def _fail_pending(self, exc: Exception) -> None:
        futures: list[asyncio.Future[Any]] = [*self._replies, *self._jobs.values()]
        for fut in futures:
            if not fut.done():
                fut.set_exception(exc)
        self._replies.clear()

    async def _ping(self) -> None:
        await self._request("api uptime")

    async def _after_login(self) -> None:
        reply = await self._request(f"event {self.format} {EVENTS}")
        if not reply.headers.get("Reply-Text", "").startswith("+OK"):
            raise CtiLinkDown(f"FreeSWITCH 拒绝订阅事件：{reply.headers.get('Reply-Text', '')}")
        channels = await self._request("api show channels as json")
        live = self._live_calls(channels.body)
        status = (await self._request(f"api callcenter_config agent get status {self.agent}")).body.strip()
        state = (await self._request(f"api callcenter_config agent get state {self.agent}")).body.strip()
        if not status.startswith("-ERR"):
            self._cc_status, self._cc_state = status, state if not state.startswith("-ERR") else None
        self._reconcile(live, agent_state_of(self._cc_status, self._cc_state), self._break_reason)

    def _live_calls(self, body: str) -> list[LiveCall]:
        try:
            rows = json.loads(body or "{}").get("rows") or []
        except (ValueError, AttributeError):
            rows = []
        live = []
        for row in rows:
            uid = row.get("uuid", "")
            name, presence = row.get("name", ""), row.get("presence_id", "")
            ours = (
                uid in self.book.live()
                or uid in self._originated
                or presence.split("@")[0] == self.extension
                or f"/{self.extension}@" in name
            )
            if not ours or row.get("direction") == "inbound" and uid not in self.book.live():
                continue  # the seat's leg is the one the switch placed to its phone
            callstate = row.get("callstate", "")
            outbound = uid in self._originated
            live.append(
                LiveCall(
                    uid,
                    self._originated.get(uid) or row.get("cid_num", ""),
                    None,
                    callstate in ANSWERED_STATES,
                    {"HELD": True, "ACTIVE": False, "UNHELD": False}.get(callstate),
                    Direction.OUTBOUND if outbound else Direction.INBOUND,
                )
            )
        return live

    # -- events ---------------------------------------------------------------------------------
    def _on_message(self, msg: EslMessage) -> None:
        kind = msg.content_type
        if kind in ("command/reply", "api/response"):
            while self._replies:
                fut = self._replies.popleft()
                if not fut.done():
                    fut.set_result(msg)
                    break
        elif kind in ("text/event-json", "text/event-plain"):
            self._on_event(parse_event(msg))
        elif kind in ("text/disconnect-notice", "text/rude-rejection"):
            self._drop("FreeSWITCH closed the event socket")

    def _at(self, ev: dict[str, str]) -> datetime:
        try:
            return datetime.fromtimestamp(int(ev["Event-Date-Timestamp"]) / 1e6, UTC)
        except (KeyError, ValueError):
            return self.clock()

    def _call_of(self, ev: dict[str, str]) -> str | None:
        uid = ev.get("Unique-ID", "")
        if uid in self.book.records or uid in self._originated:
            return uid
        return self._partner.get(uid)

    def _on_event(self, ev: dict[str, str]) -> None:
        name = ev.get("Event-Name", "")
        if name == "BACKGROUND_JOB":
            fut = self._jobs.get(ev.get("Job-UUID", ""))
            if fut and not fut.done():
                fut.set_result(ev.get("_body", ""))
            return
        if name == "CUSTOM" and ev.get("Event-Subclass") == "callcenter::info":
            self._on_callcenter(ev)
            return
        at, uid = self._at(ev), ev.get("Unique-ID", "")
        if name == "CHANNEL_CREATE":
            self._on_create(ev, at, uid)
            return
        call = self._call_of(ev)
        if call is None:
            return
        if name == "CHANNEL_ANSWER" and uid == call:
            self._emit(Answered(at, call))
        elif name == "CHANNEL_BRIDGE" and ev.get("Other-Leg-Unique-ID"):
            self._partner[ev["Other-Leg-Unique-ID"]] = call
        elif name == "CHANNEL_HOLD":
            self._emit(Held(at, call))
        elif name == "CHANNEL_UNHOLD":
            self._emit(Unheld(at, call))
        elif name == "RECORD_START":
            self._emit(RecordingStarted(at, call, reference=ev.get("Record-File-Path", "")))
        elif name == "CHANNEL_HANGUP_COMPLETE" and uid == call:
            cause = ev.get("Hangup-Cause", "UNKNOWN")
            target = self._attended.pop(call, None)
            if target and cause == "ATTENDED_TRANSFER":
                self._emit(Transferred(at, call, target=target, mode=TransferMode.ATTENDED))
            q850 = ev.get("variable_hangup_cause_q850", "")
            self._emit(HungUp(at, call, cause=cause, q850=int(q850) if q850.isdigit() else None))
            self._originated.pop(call, None)
            for other in [k for k, v in self._partner.items() if v == call]:
                del self._partner[other]

    def _on_create(self, ev: dict[str, str], at: datetime, uid: str) -> None:
        presence = ev.get("Channel-Presence-ID") or ev.get("variable_presence_id") or ""
        if uid in self._originated:
            self._emit(Ringing(at, uid, caller=self._originated[uid], direction=Direction.OUTBOUND))
        elif ev.get("variable_cc_agent") == self.agent or (
            ev.get("Call-Direction") == "outbound" and presence.split("@")[0] == self.extension
        ):
            caller = ev.get("Caller-Caller-ID-Number") or ev.get("Caller-Orig-Caller-ID-Number") or ""
            self._emit(Ringing(at, uid, caller=caller, queue=ev.get("variable_cc_queue") or None))
            if ev.get("variable_cc_member_session_uuid"):
                self._partner[ev["variable_cc_member_session_uuid"]] = uid

    def _on_callcenter(self, ev: dict[str, str]) -> None:
        if ev.get("CC-Agent") != self.agent:
            return
        action = ev.get("CC-Action")
        if action == "agent-status-change":
            self._cc_status = ev.get("CC-Agent-Status")
        elif action == "agent-state-change":
            self._cc_state = ev.get("CC-Agent-State")
        elif action == "bridge-agent-start" and ev.get("CC-Agent-UUID") in self.book.records:
            self._partner[ev.get("CC-Member-Session-UUID", "")] = ev["CC-Agent-UUID"]
            return
        else:
            return
        state = agent_state_of(self._cc_status, self._cc_state)
        if state is not None:
            self._note_agent_state(state, self._break_reason)

    # -- commands -------------------------------------------------------------------------------
    def _live(self, call_id: str) -> str:
        if not self._connected:
            raise CtiLinkDown("电话条离线：命令未发出")
        rec = self.book.records.get(call_id)
        if rec is None or rec.ended:
            raise CtiCommandError(f"没有进行中的通话 {call_id}")
        return call_id

    def _dial_string(self, number: str) -> str:
        check_number(number)
        return f"{{origination_caller_id_number={self.caller_id}}}loopback/{number}/{self.context}"

    async def answer(self, call_id: str) -> None:
        await self._bgapi(f"uuid_answer {self._live(call_id)}")

    async def hold(self, call_id: str) -> None:
        await self._bgapi(f"uuid_hold {self._live(call_id)}")

    async def unhold(self, call_id: str) -> None:
        await self._bgapi(f"uuid_hold off {self._live(call_id)}")

    async def transfer(self, call_id: str, number: str, mode: TransferMode = TransferMode.BLIND) -> None:
        call = self._live(call_id)
        check_number(number)
        if mode is TransferMode.BLIND:
            # -bleg: the caller (the seat leg's bridged partner) goes to the number; the seat's leg ends.
            await self._bgapi(f"uuid_transfer {call} -bleg {number} XML {self.context}")
            self._emit(Transferred(self.clock(), call, target=number, mode=TransferMode.BLIND))
        else:
            # att_xfer runs on the seat's leg: the operator talks to the number, the caller hears
            # hold music; the operator hanging up joins them (the leg ends with ATTENDED_TRANSFER).
            self._attended[call] = number
            try:
                await self._bgapi(f"uuid_broadcast {call} att_xfer::{self._dial_string(number)} aleg")
            except Exception:
                self._attended.pop(call, None)
                raise

    async def three_way(self, call_id: str, number: str) -> None:
        call = self._live(call_id)
        # three_way on a new leg to the number joins it to the seat's call: all three hear each other.
        await self._bgapi(f"originate {self._dial_string(number)} &three_way({call})", timeout=60.0)
        self._emit(ThreeWayStarted(self.clock(), call, target=number))

    async def set_state(self, state: AgentState, reason: str | None = None) -> None:
        if not self._connected:
            raise CtiLinkDown("电话条离线：命令未发出")
        set_ = f"callcenter_config agent set {{}} {self.agent} '{{}}'"
        if state is AgentState.READY:
            await self._bgapi(set_.format("status", "Available"))
            await self._bgapi(set_.format("state", "Waiting"))
        elif state is AgentState.NOT_READY:
            # mod_callcenter has no reason field: the link keeps it and reports it with the state.
            self._break_reason = reason
            await self._bgapi(set_.format("status", "On Break"))
        elif state is AgentState.AFTER_CALL_WORK:
            await self._bgapi(set_.format("state", "Idle"))
        else:
            await self._bgapi(set_.format("status", "Logged Out"))

    async def dial(self, number: str) -> str:
        if not self._connected:
            raise CtiLinkDown("电话条离线：命令未发出")
        check_number(number)
        call = str(uuid.uuid4())
        self._originated[call] = number
        # The seat's phone rings first; when the operator picks up, the dialplan dials the number.
        line = (
            f"originate {{origination_uuid={call},origination_caller_id_number={self.caller_id}}}"
            f"{self.endpoint} {number} XML {self.context}"
        )
        try:
            await self._bgapi(line, timeout=60.0)
        except Exception:
            if call not in self.book.records:
                self._originated.pop(call, None)
            raise
        return call
