"""A lean HTTP/1.1 keep-alive client for the load benchmarks (bench_sync.py, bench_screen_pop.py).

The load generator shares the machine's two cores with the server processes and PostgreSQL it
measures. `httpx.AsyncClient` spent ~1.3 ms of CPU per request, so 1,000 simulated seats took two
thirds of a core from the servers (issue 17). This client writes the request bytes itself and
reads a `Content-Length` answer: a tenth of that. It speaks only what the benchmarks need (GET
and POST of JSON over plain HTTP to one host, one connection per simulated seat, as a real seat
keeps); anything else is an error, never a guess. Products use httpx.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode, urlsplit


class HttpError(Exception):
    """The connection failed or the answer was not HTTP/1.1 with a Content-Length."""


class Response:
    __slots__ = ("body", "status_code")

    def __init__(self, status_code: int, body: bytes):
        self.status_code, self.body = status_code, body

    def json(self) -> Any:
        return json.loads(self.body)


class RawClient:
    """One keep-alive connection to `base_url`, reopened after a failure. Requests take turns on it
    (a lock), as a seat's pushes do: a second request started before the first is answered waits."""

    def __init__(self, base_url: str, *, token: str, timeout: float = 10.0):
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"raw_http speaks plain http to one host, not {base_url!r}")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self._head = f"Host: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        self._io: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._turn = asyncio.Lock()

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        target = f"{path}?{urlencode(params)}" if params else path
        return await self._send(f"GET {target} HTTP/1.1\r\n{self._head}\r\n".encode())

    async def post(self, path: str, *, json: Any) -> Response:
        body = _dumps(json)
        head = (
            f"POST {path} HTTP/1.1\r\n{self._head}Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return await self._send(head.encode() + body)

    async def _send(self, request: bytes) -> Response:
        async with self._turn:
            try:
                return await asyncio.wait_for(self._exchange(request), self.timeout)
            except BaseException as exc:
                # Whatever went wrong (a timeout, a cancellation, a misread answer), the connection may
                # still hold part of this answer: never let the next request read it as its own.
                await self.aclose()
                if isinstance(exc, TimeoutError | OSError | asyncio.IncompleteReadError | ValueError):
                    raise HttpError(type(exc).__name__) from exc
                raise

    async def _exchange(self, request: bytes) -> Response:
        if self._io is not None and self._io[0].at_eof():
            await self.aclose()  # the server closed it while idle (uvicorn's keep-alive timeout), as httpx checks
        if self._io is None:
            self._io = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._io
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close = None, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise ValueError("chunked answers are not spoken here")
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if length is None:
            raise ValueError("an answer without Content-Length")
        body = await reader.readexactly(length)
        if close:
            await self.aclose()
        return Response(status, body)

    async def aclose(self) -> None:
        if self._io is not None:
            writer = self._io[1]
            self._io = None
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
