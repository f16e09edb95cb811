"""R16.1 through a hostile network: an asyncio proxy between the seat and the server drops
connections, delays them, duplicates requests, resets connections (RST), and loses answers after
the server committed. The seat still ends with every event on the server exactly once."""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
import threading
from collections import Counter
from datetime import timedelta

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.rule("R16.1")]

# One fault after each clean request, so every kind of fault happens and a retry always gets through.
SCHEDULE = ("ok", "drop", "ok", "delay", "ok", "duplicate", "ok", "reset", "ok", "lose_response")


class FaultProxy:
    """HTTP/1.1-aware TCP proxy: reads each request whole, then applies the next fault."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.faults = itertools.cycle(SCHEDULE)
        self.counts: Counter[str] = Counter()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()
        server.close()

    @staticmethod
    async def _read_message(reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        return head + (await reader.readexactly(length) if length else b"")

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            writer.write(request)
            await writer.drain()
            return await self._read_message(reader)
        finally:
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await self._read_message(reader)
                fault = next(self.faults)
                self.counts[fault] += 1
                if fault == "drop":  # closed before the server hears of it
                    writer.close()
                    return
                if fault == "reset":  # RST instead of an orderly close
                    writer.get_extra_info("socket").setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    writer.transport.abort()
                    return
                if fault == "delay":
                    await asyncio.sleep(0.3)
                response = await self._forward(request)
                if fault == "duplicate":  # the server gets the same request twice
                    await self._forward(request)
                if fault == "lose_response":  # the server committed; the seat never hears it
                    writer.close()
                    return
                writer.write(response)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            writer.close()


def test_a_hostile_network_loses_and_doubles_nothing(backend, seat, delivered):
    seat.record(100)
    with FaultProxy(backend.port) as proxy:
        runner = seat.runner(
            f"http://127.0.0.1:{proxy.port}", backend.tokens["seat"], batch=25, offset=timedelta(0), rounds=30
        )
        out, _ = runner.communicate(timeout=300)
        counts = dict(proxy.counts)
    assert runner.returncode == 0, out
    assert all(counts.get(f, 0) >= 1 for f in SCHEDULE), counts
    delivered(backend, seat)
