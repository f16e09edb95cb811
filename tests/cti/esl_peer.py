"""A FreeSWITCH event socket (inbound mode) for the tests, written from the mod_event_socket docs.

It greets with `auth/request`, answers `auth` (+OK accepted / -ERR invalid then a disconnect
notice), `event json|plain …`, `api …` (api/response with Content-Length) and `bgapi …` with a
Job-UUID (command/reply "+OK Job-UUID: …", then a BACKGROUND_JOB event whose body is the result).
Tests push events with `send(...)` and read every command line the client sent in `received`.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote


class EslPeer:
    def __init__(self, password: str = "ClueCon") -> None:
        self.password = password
        self.received: list[str] = []  # every command's first line, in order ("auth …" included)
        self.channels: list[dict] = []  # what `show channels as json` lists
        self.agent_status = "Available"
        self.agent_state = "Waiting"
        self.results: dict[str, str] = {}  # command word -> BACKGROUND_JOB body (default "+OK\n")
        self.format = "json"
        self.silent = False  # True: read commands but answer nothing (a frozen switch)
        self.connections = 0
        self.clock_us = 1_790_000_000_000_000  # Event-Date-Timestamp, microseconds; each event +1 s
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.Server | None = None
        self.subscribed = asyncio.Event()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop()
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    def drop(self) -> None:
        """Close the client's connection (the switch restarted, the cable was pulled)."""
        if self._writer:
            self._writer.close()
            self._writer = None
        self.subscribed.clear()

    def commands(self, word: str) -> list[str]:
        return [c for c in self.received if c.split(" ", 2)[:2][-1] == word or c.startswith(word)]

    def send(self, name: str, **fields: str) -> None:
        self.clock_us += 1_000_000
        ev = {"Event-Name": name, "Event-Date-Timestamp": str(self.clock_us), **fields}
        self._send_event(ev)

    def _send_event(self, ev: dict) -> None:
        if self.format == "json":
            body = json.dumps(ev).encode()
            kind = "text/event-json"
        else:
            extra = ev.pop("_body", None)
            if extra is not None:
                ev.pop("Content-Length", None)
            head = "".join(f"{k}: {quote(str(v))}\n" for k, v in ev.items())
            if extra is not None:
                head += f"Content-Length: {len(extra.encode())}\n\n{extra}"
            body = (head if extra is not None else head + "\n").encode()
            kind = "text/event-plain"
        self._write(f"Content-Length: {len(body)}\nContent-Type: {kind}\n\n".encode() + body)

    def _write(self, data: bytes) -> None:
        if self._writer:
            self._writer.write(data)

    def _reply(self, text: str, **headers: str) -> None:
        extra = "".join(f"{k.replace('_', '-')}: {v}\n" for k, v in headers.items())
        self._write(f"Content-Type: command/reply\nReply-Text: {text}\n{extra}\n".encode())

    def _api(self, line: str) -> str:
        if line == "show channels as json":
            return (
                json.dumps({"row_count": len(self.channels), "rows": self.channels})
                if self.channels
                else json.dumps({"row_count": 0})
            )
        if line.startswith("callcenter_config agent get status"):
            return self.agent_status + "\n"
        if line.startswith("callcenter_config agent get state"):
            return self.agent_state + "\n"
        if line.startswith("uptime"):
            return "12345\n"
        return "-ERR no such command\n"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.drop()
        self._writer = writer
        self.connections += 1
        writer.write(b"Content-Type: auth/request\n\n")
        try:
            while True:
                lines = []
                while True:
                    raw = await reader.readline()
                    if not raw:
                        return
                    text = raw.decode().rstrip("\n")
                    if not text:
                        break
                    lines.append(text)
                if not lines:
                    continue
                line, headers = lines[0], dict(h.split(": ", 1) for h in lines[1:])
                self.received.append(line)
                if self.silent or writer is not self._writer:
                    continue
                await self._answer(line, headers, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            return

    async def _answer(self, line: str, headers: dict, writer: asyncio.StreamWriter) -> None:
        word, _, rest = line.partition(" ")
        if word == "auth":
            if rest == self.password:
                self._reply("+OK accepted")
            else:
                self._reply("-ERR invalid")
                notice = b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
                writer.write(b"Content-Type: text/disconnect-notice\nContent-Length: %d\n\n%s" % (len(notice), notice))
                await writer.drain()
                self.drop()
        elif word == "event":
            self.format = rest.split(" ", 1)[0]
            self._reply(f"+OK event listener enabled {self.format}")
            self.subscribed.set()
        elif word == "api":
            body = self._api(rest).encode()
            self._write(b"Content-Type: api/response\nContent-Length: %d\n\n%s" % (len(body), body))
        elif word == "bgapi":
            job = headers["Job-UUID"]
            self._reply(f"+OK Job-UUID: {job}", Job_UUID=job)
            result = self.results.get(rest.split(" ", 1)[0], "+OK\n")
            self.clock_us += 1
            self._send_event(
                {
                    "Event-Name": "BACKGROUND_JOB",
                    "Event-Date-Timestamp": str(self.clock_us),
                    "Job-UUID": job,
                    "Job-Command": rest.split(" ", 1)[0],
                    "Content-Length": str(len(result.encode())),
                    "_body": result,
                }
            )
        else:
            self._reply("-ERR command not found")
