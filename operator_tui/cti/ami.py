"""Asterisk adapter: the Manager Interface (AMI), with app_queue for the agent.

Written against the Asterisk 18/20 LTS AMI documentation (AMI 2.x/5.x event shapes: a caller
snapshot plus `Dest*` fields for the agent's channel). The seat is a queue member interface
(`PJSIP/1001`); the seat's call id is the Uniqueid of its own channel (`PJSIP/1001-…`), from
`AgentCalled`'s DestUniqueid or the ChannelId this link gives an `Originate`.

Asterisk has no "hold this bridge" action: `hold` redirects the caller to `hold_context` (music
on hold) and the seat's channel to `wait_context`, and `unhold` bridges them again (`Bridge`).
Holds the operator makes on the phone arrive as `Hold`/`Unhold` events. `answer` sends the phone a
NOTIFY with `Event: talk` (PJSIPNotify/SIPnotify), which Yealink, Fanvil and Polycom phones obey.
Direct calls to the extension that bypass the queues are not followed (8890 calls come by queue).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

from .ami_wire import action, read_banner, read_message
from .boundary import CtiAuthError, CtiCommandError, CtiLinkDown, check_number
from .config import CtiConfig
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

ACW_REASON = "after-call-work"  # the QueuePause reason that means 话后整理 to this link
_ids = itertools.count(1)


def agent_state_of(paused: str, reason: str) -> AgentState:
    if paused.lower() not in ("1", "true", "yes"):
        return AgentState.READY
    return AgentState.AFTER_CALL_WORK if reason == ACW_REASON else AgentState.NOT_READY


class AsteriskLink(LinkBase):
    def __init__(self, config: CtiConfig, **kwargs) -> None:
        interface = config.option("interface") or ""
        super().__init__(config, agent=interface, **kwargs)
        self.interface = interface
        self.context = config.option("context", "from-internal")
        self.queue = config.option("queue")
        self.caller_id = config.option("caller_id", "8890")
        self.hold_context = config.option("hold_context", "hotline-hold")
        self.wait_context = config.option("wait_context", "hotline-wait")
        self.record_dir = config.options.get("record_dir", "/var/spool/asterisk/monitor")
        self.command_timeout = 10.0
        self._pending: dict[str, asyncio.Future[dict]] = {}
        self._lists: dict[str, tuple[list[dict], asyncio.Future[list[dict]]]] = {}
        self._originates: dict[str, asyncio.Future[dict]] = {}
        self._channel: dict[str, str] = {}  # call id -> the seat's channel name
        self._peer: dict[str, str] = {}  # call id -> the other party's channel name
        self._partner: dict[str, str] = {}  # the other party's Uniqueid -> call id
        self._originated: dict[str, str] = {}  # ChannelId we gave -> number dialled
        self._attended: dict[str, str] = {}  # call id -> target of an Atxfer under way
        self._reason: str | None = None

    # -- wire -----------------------------------------------------------------------------------
    async def _read_message(self, reader: asyncio.StreamReader) -> dict | None:
        return await read_message(reader)

    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await read_banner(reader)
        except ValueError:
            raise CtiLinkDown(f"{self.config.url} 不是 Asterisk 管理接口（没有 AMI 欢迎行）") from None
        aid = f"login-{next(_ids)}"
        writer.write(action("Login", aid, Username=self.config.user, Secret=self.config.password, Events="on"))
        while True:
            msg = await read_message(reader)
            if msg is None:
                raise CtiAuthError(f"Asterisk {self.config.url} 登录时关闭了连接")
            if msg.get("ActionID") == aid:
                break
        if msg.get("Response") != "Success":
            raise CtiAuthError(
                f"Asterisk {self.config.url} 拒绝了 AMI 登录（{msg.get('Message', '')}）："
                "请核对 manager.conf 的用户名、secret 与 HOTLINE_CTI_USER/HOTLINE_CTI_PASSWORD"
            )

    async def _action(self, name: str, **fields) -> dict:
        aid = f"hotline-{next(_ids)}"
        fut: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._pending[aid] = fut
        try:
            self._write(action(name, aid, **fields))
            reply = await asyncio.wait_for(fut, self.command_timeout)
        finally:
            self._pending.pop(aid, None)
        if reply.get("Response") not in ("Success", "Goodbye"):
            raise CtiCommandError(f"Asterisk 拒绝了 {name}：{reply.get('Message', reply.get('Response', ''))}")
        return reply

    async def _list(self, name: str, **fields) -> list[dict]:
        aid = f"hotline-{next(_ids)}"
        done: asyncio.Future[list[dict]] = asyncio.get_running_loop().create_future()
        self._lists[aid] = ([], done)
        try:
            reply_fut: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
            self._pending[aid] = reply_fut
            self._write(action(name, aid, **fields))
            reply = await asyncio.wait_for(reply_fut, self.command_timeout)
            if reply.get("Response") != "Success":
                raise CtiCommandError(f"Asterisk 拒绝了 {name}：{reply.get('Message', '')}")
            return await asyncio.wait_for(done, self.command_timeout)
        finally:
            self._pending.pop(aid, None)
            self._lists.pop(aid, None)

    async def _originate(self, timeout: float = 60.0, **fields) -> dict:
        """Originate with Async: the response says queued; OriginateResponse says how it went."""
        aid = f"hotline-{next(_ids)}"
        done: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._originates[aid] = done
        fut: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._pending[aid] = fut
        try:
            self._write(action("Originate", aid, Async="true", **fields))
            reply = await asyncio.wait_for(fut, self.command_timeout)
            if reply.get("Response") != "Success":
                raise CtiCommandError(f"Asterisk 拒绝了 Originate：{reply.get('Message', '')}")
            result = await asyncio.wait_for(done, timeout)
        finally:
            self._pending.pop(aid, None)
            self._originates.pop(aid, None)
        if result.get("Response") != "Success":
            raise CtiCommandError(f"Asterisk 外呼失败（Reason {result.get('Reason', '?')}）")
        return result

    def _fail_pending(self, exc: Exception) -> None:
        futures: list[asyncio.Future[Any]] = [
            *self._pending.values(),
            *self._originates.values(),
            *(f for _, f in self._lists.values()),
        ]
        for fut in futures:
            if not fut.done():
                fut.set_exception(exc)

    async def _ping(self) -> None:
        await self._action("Ping")

    async def _after_login(self) -> None:
        channels = await self._list("CoreShowChannels")
        members = await self._list(
            "QueueStatus", Member=self.interface, **({"Queue": self.queue} if self.queue else {})
        )
        live = self._live_calls(channels)
        state = None
        for m in members:
            if m.get("Event") == "QueueMember" and self.interface in (
                m.get("Location"),
                m.get("StateInterface"),
                m.get("Interface"),
            ):
                state = agent_state_of(m.get("Paused", "0"), m.get("PausedReason", ""))
                if state is AgentState.NOT_READY:
                    self._reason = m.get("PausedReason") or self._reason
        self._reconcile(live, state, self._reason)

    def _live_calls(self, channels: list[dict]) -> list[LiveCall]:
        bridges: dict[str, list[dict]] = {}
        for c in channels:
            if c.get("BridgeId"):
                bridges.setdefault(c["BridgeId"], []).append(c)
        live = []
        for c in channels:
            if c.get("Event") != "CoreShowChannel" or not self._is_ours(c.get("Channel", "")):
                continue
            uid = c.get("Uniqueid", "")
            self._channel[uid] = c["Channel"]
            for other in bridges.get(c.get("BridgeId", ""), []):
                if other is not c:
                    self._peer[uid], self._partner[other.get("Uniqueid", "")] = other["Channel"], uid
            number = self._originated.get(uid) or c.get("ConnectedLineNum", "")
            live.append(
                LiveCall(
                    uid,
                    number,
                    None,
                    c.get("ChannelStateDesc") == "Up",
                    None,
                    Direction.OUTBOUND if uid in self._originated else Direction.INBOUND,
                )
            )
        return live

    def _is_ours(self, channel: str) -> bool:
        return channel.startswith(self.interface + "-")

    # -- events ---------------------------------------------------------------------------------
    def _on_message(self, msg: dict) -> None:
        aid = msg.get("ActionID", "")
        if "Response" in msg and "Event" not in msg:  # OriginateResponse has a Response field too
            fut = self._pending.get(aid)
            if fut and not fut.done():
                fut.set_result(msg)
            return
        if aid in self._lists:
            items, done = self._lists[aid]
            if msg.get("EventList") == "Complete" or msg.get("Event", "").endswith("Complete"):
                if not done.done():
                    done.set_result(items)
            else:
                items.append(msg)
            return
        if msg.get("Event") == "OriginateResponse" and aid in self._originates:
            if not self._originates[aid].done():
                self._originates[aid].set_result(msg)
            if msg.get("Response") == "Success" and msg.get("Uniqueid") in self._originated:
                self._emit(Answered(self.clock(), msg["Uniqueid"]))
            return
        self._on_event(msg.get("Event", ""), msg)

    def _call_of(self, uid: str) -> str | None:
        return uid if uid in self.book.records else self._partner.get(uid)

    def _on_event(self, name: str, ev: dict) -> None:
        at = self.clock()
        if name == "AgentCalled" and ev.get("Interface") == self.interface:
            call = ev.get("DestUniqueid", "")
            self._channel[call], self._peer[call] = ev.get("DestChannel", ""), ev.get("Channel", "")
            self._partner[ev.get("Uniqueid", "")] = call
            self._emit(Ringing(at, call, caller=ev.get("CallerIDNum", ""), queue=ev.get("Queue") or None))
        elif name == "Newchannel" and ev.get("Uniqueid") in self._originated:
            call = ev["Uniqueid"]
            self._channel[call] = ev.get("Channel", "")
            self._emit(Ringing(at, call, caller=self._originated[call], direction=Direction.OUTBOUND))
        elif name == "AgentConnect" and ev.get("Interface") == self.interface:
            self._answered(at, ev.get("DestUniqueid", ""))
        elif name == "DialEnd" and ev.get("DialStatus") == "ANSWER" and ev.get("DestUniqueid") in self.book.records:
            self._answered(at, ev["DestUniqueid"])
        elif name in ("Hold", "Unhold") and (call := self._call_of(ev.get("Uniqueid", ""))):
            self._emit((Held if name == "Hold" else Unheld)(at, call))
        elif (
            name == "BlindTransfer"
            and ev.get("Result") == "Success"
            and ev.get("TransfererUniqueid") in self.book.records
        ):
            self._emit(
                Transferred(at, ev["TransfererUniqueid"], target=ev.get("Extension", ""), mode=TransferMode.BLIND)
            )
        elif (
            name == "AttendedTransfer"
            and ev.get("Result") == "Success"
            and (call := ev.get("OrigTransfererUniqueid", "")) in self.book.records
        ):
            target = self._attended.pop(call, None) or ev.get("SecondTransfererConnectedLineNum", "")
            self._emit(Transferred(at, call, target=target, mode=TransferMode.ATTENDED))
        elif name == "Hangup" and ev.get("Uniqueid") in self.book.records:
            call, code = ev["Uniqueid"], ev.get("Cause", "")
            self._emit(
                HungUp(at, call, cause=ev.get("Cause-txt", "") or "UNKNOWN", q850=int(code) if code.isdigit() else None)
            )
            self._forget(call)
        elif name == "QueueMemberPause" and ev.get("Interface") == self.interface:
            reason = ev.get("PausedReason", ev.get("Reason", ""))
            state = agent_state_of(ev.get("Paused", "0"), reason)
            self._note_agent_state(state, reason or self._reason)

    def _answered(self, at, call: str) -> None:
        if call not in self.book.records or self.book.records[call].answer_at:
            return
        self._emit(Answered(at, call))
        if self.record_dir and call in self._channel:
            self._spawn(self._record(call))

    async def _record(self, call: str) -> None:
        path = f"{self.record_dir.rstrip('/')}/{call}.wav"
        await self._action("MixMonitor", Channel=self._channel[call], File=path, Options="b")
        self._emit(RecordingStarted(self.clock(), call, reference=path))

    def _forget(self, call: str) -> None:
        self._channel.pop(call, None)
        self._peer.pop(call, None)
        self._originated.pop(call, None)
        for other in [k for k, v in self._partner.items() if v == call]:
            del self._partner[other]

    # -- commands -------------------------------------------------------------------------------
    def _live(self, call_id: str) -> str:
        if not self._connected:
            raise CtiLinkDown("电话条离线：命令未发出")
        rec = self.book.records.get(call_id)
        if rec is None or rec.ended or call_id not in self._channel:
            raise CtiCommandError(f"没有进行中的通话 {call_id}")
        return self._channel[call_id]

    async def answer(self, call_id: str) -> None:
        self._live(call_id)
        tech, _, endpoint = self.interface.partition("/")
        if tech == "PJSIP":
            await self._action("PJSIPNotify", Endpoint=endpoint, Variable="Event=talk")
        elif tech == "SIP":
            await self._action("SIPnotify", Channel=endpoint, Variable="Event=talk")
        else:
            raise CtiCommandError(f"{tech} 话机不能远程接听：请在话机上接听")

    async def hold(self, call_id: str) -> None:
        channel = self._live(call_id)
        peer = self._peer.get(call_id)
        if not peer:
            raise CtiCommandError("通话尚未接通，不能保持")
        await self._action(
            "Redirect",
            Channel=peer,
            Context=self.hold_context,
            Exten="s",
            Priority="1",
            ExtraChannel=channel,
            ExtraContext=self.wait_context,
            ExtraExten="s",
            ExtraPriority="1",
        )
        self._emit(Held(self.clock(), call_id))

    async def unhold(self, call_id: str) -> None:
        channel = self._live(call_id)
        peer = self._peer.get(call_id)
        if not peer:
            raise CtiCommandError("通话没有在保持中")
        await self._action("Bridge", Channel1=channel, Channel2=peer, Tone="no")
        self._emit(Unheld(self.clock(), call_id))

    async def transfer(self, call_id: str, number: str, mode: TransferMode = TransferMode.BLIND) -> None:
        channel = self._live(call_id)
        check_number(number)
        if mode is TransferMode.BLIND:
            await self._action("BlindTransfer", Channel=channel, Exten=number, Context=self.context)
            self._emit(Transferred(self.clock(), call_id, target=number, mode=TransferMode.BLIND))
        else:
            self._attended[call_id] = number
            try:
                await self._action("Atxfer", Channel=channel, Exten=number, Context=self.context)
            except Exception:
                self._attended.pop(call_id, None)
                raise

    async def three_way(self, call_id: str, number: str) -> None:
        channel = self._live(call_id)
        check_number(number)
        # ChanSpy with B barges into both sides of the seat's call: the number hears and is heard by both.
        await self._originate(
            Channel=f"Local/{number}@{self.context}",
            Application="ChanSpy",
            Data=f"{channel},qBE",
            CallerID=self.caller_id,
        )
        self._emit(ThreeWayStarted(self.clock(), call_id, target=number))

    async def set_state(self, state: AgentState, reason: str | None = None) -> None:
        if not self._connected:
            raise CtiLinkDown("电话条离线：命令未发出")
        queue = {"Queue": self.queue} if self.queue else {}
        if state is AgentState.LOGGED_OUT:
            if not self.queue:
                raise CtiCommandError("Asterisk 登出需要在 --cti 地址里给出 queue=")
            await self._action("QueueRemove", Interface=self.interface, **queue)
            return
        if state is AgentState.NOT_READY:
            self._reason = reason
        paused = "false" if state is AgentState.READY else "true"
        why = ACW_REASON if state is AgentState.AFTER_CALL_WORK else (reason or "")
        await self._action(
            "QueuePause", Interface=self.interface, Paused=paused, Reason=why if paused == "true" else None, **queue
        )

    async def dial(self, number: str) -> str:
        if not self._connected:
            raise CtiLinkDown("电话条离线：命令未发出")
        check_number(number)
        call = str(uuid.uuid4())
        self._originated[call] = number
        try:
            await self._originate(
                Channel=self.interface,
                Context=self.context,
                Exten=number,
                Priority="1",
                CallerID=self.caller_id,
                ChannelId=call,
            )
        except Exception:
            if call not in self.book.records:
                self._originated.pop(call, None)
            raise
        return call
