"""An Asterisk Manager Interface for the tests, written from the Asterisk 18/20 AMI docs.

It sends the banner, answers `Login` (Success / Error "Authentication failed", then closes),
`Ping` (Ping: Pong), the list actions `CoreShowChannels` and `QueueStatus` (events carrying the
ActionID, closed by a *Complete event with EventList: Complete), `Originate` with Async (Response
then OriginateResponse) and every other action with `Response: Success` (or what `errors` says).
Tests push events with `send(...)` and read every action the client sent in `actions`.
"""

from __future__ import annotations

import asyncio


class AmiPeer:
    def __init__(self, user: str = "hotline", secret: str = "s3cret") -> None:
        self.user, self.secret = user, secret
        self.actions: list[dict[str, str]] = []  # every action, in order (ActionID removed)
        self.channels: list[dict[str, str]] = []  # CoreShowChannel events for CoreShowChannels
        self.members: list[dict[str, str]] = [
            {
                "Queue": "8890",
                "Name": "1001",
                "Location": "PJSIP/1001",
                "StateInterface": "PJSIP/1001",
                "Paused": "0",
                "PausedReason": "",
            }
        ]
        self.errors: dict[str, str] = {}  # action name -> Message of an Error response
        self.originate_result: dict[str, str] = {"Response": "Success", "Reason": "4"}
        self.silent = False
        self.connections = 0
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop()
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    def drop(self) -> None:
        if self._writer:
            self._writer.close()
            self._writer = None

    def named(self, name: str) -> list[dict[str, str]]:
        return [a for a in self.actions if a["Action"] == name]

    def send(self, event: str, **fields: str) -> None:
        self._send({"Event": event, "Privilege": "call,all", **fields})

    def _send(self, msg: dict[str, str]) -> None:
        if self._writer:
            self._writer.write(("".join(f"{k}: {v}\r\n" for k, v in msg.items()) + "\r\n").encode())

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.drop()
        self._writer = writer
        self.connections += 1
        writer.write(b"Asterisk Call Manager/7.0.3\r\n")
        try:
            while True:
                msg: dict[str, str] = {}
                while True:
                    raw = await reader.readline()
                    if not raw:
                        return
                    line = raw.decode().rstrip("\r\n")
                    if not line:
                        break
                    key, _, value = line.partition(": ")
                    msg[key] = f"{msg[key]},{value}" if key in msg else value
                if not msg:
                    continue
                aid = msg.pop("ActionID", "")
                self.actions.append(msg)
                if self.silent or writer is not self._writer:
                    continue
                await self._answer(msg, aid, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            return

    async def _answer(self, msg: dict[str, str], aid: str, writer: asyncio.StreamWriter) -> None:
        name = msg["Action"]
        if name == "Login":
            if (msg.get("Username"), msg.get("Secret")) == (self.user, self.secret):
                self._send({"Response": "Success", "ActionID": aid, "Message": "Authentication accepted"})
                self.send("FullyBooted", Status="Fully Booted")
            else:
                self._send({"Response": "Error", "ActionID": aid, "Message": "Authentication failed"})
                await writer.drain()
                self.drop()
        elif name in self.errors:
            self._send({"Response": "Error", "ActionID": aid, "Message": self.errors[name]})
        elif name == "Ping":
            self._send({"Response": "Success", "ActionID": aid, "Ping": "Pong", "Timestamp": "1790000000.000000"})
        elif name == "CoreShowChannels":
            self._list(aid, "CoreShowChannel", self.channels, "CoreShowChannelsComplete")
        elif name == "QueueStatus":
            self._list(aid, "QueueMember", self.members, "QueueStatusComplete")
        elif name == "Originate":
            self._send({"Response": "Success", "ActionID": aid, "Message": "Originate successfully queued"})
            uid = msg.get("ChannelId", "1790000000.99")
            if self.originate_result.get("Response") == "Success":  # the channel exists before it answers
                self.send(
                    "Newchannel", Channel=msg.get("Channel", "") + "-0000000a", Uniqueid=uid, ChannelStateDesc="Down"
                )
            self.send(
                "OriginateResponse", ActionID=aid, Channel=msg.get("Channel", ""), Uniqueid=uid, **self.originate_result
            )
        else:
            self._send({"Response": "Success", "ActionID": aid, "Message": f"{name} done"})

    def _list(self, aid: str, event: str, items: list[dict[str, str]], complete: str) -> None:
        self._send({"Response": "Success", "ActionID": aid, "EventList": "start", "Message": "will follow"})
        for item in items:
            self.send(event, ActionID=aid, **item)
        self.send(complete, ActionID=aid, EventList="Complete", ListItems=str(len(items)))
