"""Transport errors, 5xx, 408 and 429 are retried with capped exponential backoff and full jitter;
everything else is answered at once; giving up leaves the outbox whole."""

from __future__ import annotations

import httpx
import pytest

from operator_tui.sync.backoff import Backoff
from operator_tui.sync.client import HotlineClient
from operator_tui.sync.errors import AuthRejected, Offline, ProtocolError

pytestmark = pytest.mark.rule("R16.1")

OK = {"id": "p", "name": "x", "role": "operator", "unit": None, "seat": "012"}


def scripted(*answers):
    """A transport answering with `answers` in turn: a status code, or an exception class."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer("injected", request=request)
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        return httpx.Response(status, json=OK if status == 200 else {"detail": "no"}, headers=headers)

    return httpx.Client(transport=httpx.MockTransport(handle), base_url="http://s"), seen


def test_the_delay_doubles_up_to_the_cap_with_full_jitter():
    top = Backoff(base=0.5, cap=4, rng=lambda: 1.0)
    assert [top.delay(n) for n in range(6)] == [0.5, 1, 2, 4, 4, 4]
    bottom = Backoff(base=0.5, cap=4, rng=lambda: 0.0)
    assert [bottom.delay(n) for n in range(3)] == [0, 0, 0]
    half = Backoff(base=0.5, cap=4, rng=lambda: 0.5)
    assert half.delay(3) == 2


def test_retry_after_is_a_floor_but_never_beyond_the_cap():
    b = Backoff(base=0.5, cap=10, rng=lambda: 0.0)
    assert b.delay(0, retry_after=3) == 3
    assert b.delay(0, retry_after=3600) == 10


@pytest.mark.parametrize(
    "failure", [503, 500, 502, 408, 429, httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError]
)
def test_retryable_failures_are_retried(failure):
    http, seen = scripted(failure, failure, 200)
    sleeps: list[float] = []
    client = HotlineClient(http, "t", backoff=Backoff(base=1, cap=8, attempts=5, rng=lambda: 1.0), sleep=sleeps.append)
    assert client.me().seat == "012"
    assert len(seen) == 3 and sleeps == [1, 2] and client.retries == 2
    assert seen[0].headers["authorization"] == "Bearer t"


def test_429_retry_after_is_honoured():
    http, _ = scripted((429, {"Retry-After": "5"}), 200)
    sleeps: list[float] = []
    HotlineClient(http, "t", backoff=Backoff(base=1, cap=8, rng=lambda: 0.0), sleep=sleeps.append).me()
    assert sleeps == [5]


def test_giving_up_is_offline_after_the_set_number_of_tries():
    http, seen = scripted(*[503] * 4)
    sleeps: list[float] = []
    client = HotlineClient(http, "t", backoff=Backoff(base=1, cap=3, attempts=4, rng=lambda: 1.0), sleep=sleeps.append)
    with pytest.raises(Offline, match="after 4 tries: HTTP 503"):
        client.me()
    assert len(seen) == 4 and sleeps == [1, 2, 3]


@pytest.mark.parametrize(
    "status,error",
    [(400, ProtocolError), (404, ProtocolError), (422, ProtocolError), (401, AuthRejected), (403, AuthRejected)],
)
def test_other_answers_are_not_retried(status, error):
    http, seen = scripted(status)
    with pytest.raises(error):
        HotlineClient(http, "t", sleep=lambda s: None).me()
    assert len(seen) == 1


def test_a_push_that_cannot_get_through_leaves_the_outbox_whole(hub):
    hub.record(2)
    http, seen = scripted(*[503] * 3)
    report = hub.service(http, attempts=3).sync_once()
    assert report.online is False and "503" in report.error
    assert hub.outbox_depth() == 6 and len(hub.sleeps) == 2
    with hub.store.connect() as db:
        rows = db.conn.execute("SELECT attempts, last_error FROM outbox").fetchall()
    assert {r[0] for r in rows} == {1} and all("503" in r[1] for r in rows)
    status = hub.service().status()
    assert status.online is False and "503" in status.last_error


def test_a_refused_token_is_reported_not_raised(hub):
    hub.record(1)
    service = hub.service()
    service.client.token = "hl_operator_forged"
    report = service.sync_once()
    assert report.online is True and "does not accept this token" in report.error and hub.outbox_depth() == 3


def test_an_answer_that_is_not_the_expected_shape_is_a_protocol_error():
    http = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, text="<html>proxy</html>")), base_url="http://s"
    )
    with pytest.raises(ProtocolError, match="unexpected answer"):
        HotlineClient(http, "t", sleep=lambda s: None).changes("", 10)
