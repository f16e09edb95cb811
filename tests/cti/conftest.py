"""Fixtures for the CTI adapters: a protocol peer on 127.0.0.1 and a link to it with short timers.

``esl``   an `EslPeer` listening; ``esl_link(**options)`` a started `FreeSwitchLink` to it (agent
          1001@default) whose watchdog pings after 0.3 s of silence (1 s to answer).
``ami``   an `AmiPeer` listening; ``ami_link(**options)`` the same for `AsteriskLink` (PJSIP/1001).
``take(link, n)``  the next n events (a guard of 5 s so a missing event fails instead of hanging).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from ami_peer import AmiPeer
from esl_peer import EslPeer

from operator_tui.cti import connect_link
from operator_tui.cti.config import parse_cti_url

FAST = dict(ping_interval=0.3, ping_timeout=1.0, connect_timeout=2.0, backoff_initial=0.05, backoff_max=0.2)
CLOCK = lambda: datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # noqa: E731


async def take(link, n: int) -> list:
    out = []
    it = link.events().__aiter__()
    for _ in range(n):
        out.append(await asyncio.wait_for(it.__anext__(), 5))
    return out


@pytest.fixture
def take_events():
    return take


@pytest.fixture
async def esl():
    peer = EslPeer()
    peer.port = await peer.start()
    yield peer
    await peer.stop()


@pytest.fixture
async def ami():
    peer = AmiPeer()
    peer.port = await peer.start()
    yield peer
    await peer.stop()


@pytest.fixture
async def esl_link(esl):
    links = []

    async def make(query: str = "agent=1001@default", password: str = "ClueCon", start: bool = True):
        config = parse_cti_url(f"freeswitch://127.0.0.1:{esl.port}?{query}", env={"HOTLINE_CTI_PASSWORD": password})
        link = connect_link(config, clock=CLOCK, **FAST)
        links.append(link)
        if start:
            await link.start()
        return link

    yield make
    for link in links:
        await link.close()


@pytest.fixture
async def ami_link(ami):
    links = []

    async def make(
        query: str = "interface=PJSIP/1001", user: str = "hotline", password: str = "s3cret", start: bool = True
    ):
        config = parse_cti_url(
            f"asterisk://127.0.0.1:{ami.port}?{query}", env={"HOTLINE_CTI_USER": user, "HOTLINE_CTI_PASSWORD": password}
        )
        link = connect_link(config, clock=CLOCK, **FAST)
        links.append(link)
        if start:
            await link.start()
        return link

    yield make
    for link in links:
        await link.close()
