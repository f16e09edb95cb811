"""The load benchmarks' lean HTTP client (scripts/raw_http.py) against a real server process: it
gets what httpx gets, reuses its connection, and survives the server closing an idle one; a figure
measured with a client that misreads answers would be no figure (issue 17)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from server_stub import bootstrap
from tests.live_server import running_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from raw_http import HttpError, RawClient  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("raw_http")
    issued = bootstrap.init(tmp / "server.db", datetime.now(UTC), seats=["001"])
    token = next(t for p, t in issued if p.seat == "001")
    with running_server(tmp / "server.db", tmp / "server.log") as url:
        yield url, token


def test_the_raw_client_reads_what_httpx_reads_and_keeps_its_connection(server):
    url, token = server

    async def run():
        client = RawClient(url, token=token)
        first = await client.get("/v1/changes", params={"since": ""})
        connection = client._io
        again = await client.get("/v1/changes", params={"since": first.json()["next"]})
        refused = await RawClient(url, token="hl_operator_wrong").get("/v1/changes")
        pushed = await client.post("/v1/events", json={"sent_at": datetime.now(UTC).isoformat(), "events": []})
        same = client._io is connection
        await client.aclose()
        return first, again, refused, pushed, same

    first, again, refused, pushed, same = asyncio.run(run())
    expected = httpx.get(f"{url}/v1/changes", params={"since": ""}, headers={"Authorization": f"Bearer {token}"})
    assert (first.status_code, first.json()) == (200, expected.json())
    assert again.status_code == 200 and again.json()["changes"] == []
    assert refused.status_code == 401 and "token" in refused.json()["detail"]
    assert pushed.status_code == 422 and pushed.json()["detail"]  # an empty batch, refused with a reason
    assert same  # one keep-alive connection for all three


def test_a_connection_the_server_closed_is_reopened_and_a_dead_server_is_an_error(server):
    url, token = server

    async def run():
        client = RawClient(url, token=token)
        await client.get("/v1/changes")
        reader, _ = client._io
        reader.feed_eof()  # what asyncio does when the server closes an idle keep-alive connection
        after = await client.get("/v1/changes")
        dead = RawClient("http://127.0.0.1:9", token=token, timeout=2)
        with pytest.raises(HttpError):
            await dead.get("/v1/changes")
        await client.aclose()
        return after

    assert asyncio.run(run()).status_code == 200


def test_only_plain_http_is_spoken():
    with pytest.raises(ValueError, match="plain http"):
        RawClient("https://127.0.0.1:8890", token="x")


def test_requests_started_together_take_turns_and_each_reads_its_own_answer(server):
    """Two writes of one seat at once once read each other's answers (a write 'answered' in 0.2 ms):
    they now take turns on the connection, and a timed-out one closes it rather than leave its
    answer for the next."""
    url, token = server

    async def run():
        client = RawClient(url, token=token)
        answers = await asyncio.gather(*(client.get("/v1/changes", params={"limit": 1 + i % 3}) for i in range(60)))
        hurried = RawClient(url, token=token, timeout=0.000_001)
        with pytest.raises(HttpError):
            await hurried.get("/v1/changes")
        hurried.timeout = 10
        after = await hurried.get("/v1/changes")
        await client.aclose()
        await hurried.aclose()
        return answers, after

    answers, after = asyncio.run(run())
    assert [a.status_code for a in answers] == [200] * 60
    assert after.status_code == 200 and "changes" in after.json()
