"""The seat's operator is the person behind its token, and `hotline sync` tells the truth about
what it did however the run ends (issue 11)."""

from __future__ import annotations

import httpx
import pytest

from operator_tui.identity import UNVERIFIED, cached, operator_for
from operator_tui.settings import Settings

pytestmark = pytest.mark.rule("R18.2")


class GoesDown(httpx.BaseTransport):
    """Passes `ok` requests to the in-process server, then the network is gone."""

    def __init__(self, inner: httpx.BaseTransport, ok: int):
        self.inner, self.ok = inner, ok

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.ok <= 0:
            raise httpx.ConnectError("network is unreachable", request=request)
        self.ok -= 1
        return self.inner.handle_request(request)


@pytest.mark.rule("R16.1")
def test_a_sync_that_goes_offline_half_way_reports_what_it_pushed(hub):
    hub.record(4)  # 12 events
    flaky = httpx.Client(base_url=str(hub.http.base_url), transport=GoesDown(hub.http._transport, ok=2))
    report = hub.service(http=flaky, batch_size=3).sync_once()
    assert not report.online and report.error
    assert report.pushed == 6  # two batches of 3 acknowledged before the link went
    assert hub.outbox_depth() == 6 and len(hub.server_event_ids()) == 6


@pytest.mark.rule("R16.1")
def test_the_cli_prints_the_true_count_of_a_run_that_ended_offline(hub, cli, monkeypatch, tmp_path):
    """`hotline sync` against the same store: "已推送 6 条", not "已推送 0 条", and exit 2 (offline)."""
    import operator_tui.sync.client as client
    from operator_tui.sync.backoff import Backoff

    hub.record(4)
    monkeypatch.setenv("HOTLINE_DB", str(hub.store.path))
    # GET /v1/me (whose token) and two pushes of 3 get through; then the link is gone
    monkeypatch.setattr(
        client,
        "http_client",
        lambda url, **kw: httpx.Client(base_url=str(hub.http.base_url), transport=GoesDown(hub.http._transport, ok=3)),
    )
    monkeypatch.setattr(client, "Backoff", lambda: Backoff(base=0.001, cap=0.001, attempts=2))
    r = cli("sync", "--server", "http://hotline.test", "--token", hub.tokens["seat"], "--batch", "3", "--quiet")
    assert r.code == 2 and "错误：离线：" in r.err
    assert "已推送 6 条" in r.out and "待同步 6 条" in r.out


def person_token(hub, staff_no: str = "1024", name: str = "张三") -> str:
    r = hub.http.post(
        "/v1/principals",
        headers={"Authorization": f"Bearer {hub.tokens['admin']}"},
        json={"name": name, "role": "operator", "seat": "012", "staff_no": staff_no},
    )
    assert r.status_code == 201, r.text
    return r.json()["token"]


def test_the_first_sync_learns_who_holds_the_token_and_remembers_it(hub):
    token = person_token(hub)
    hub.tokens["person"] = token
    seen = []
    service = hub.service(token="person", on_identity=seen.append)
    assert service.sync_once().ok
    assert [who.actor for who in seen] == ["1024"] and seen[0].name == "张三"
    assert cached(hub.store, token).staff_no == "1024"
    assert cached(hub.store, hub.tokens["seat"]) is None  # remembered per token


def test_offline_the_seat_uses_the_remembered_person_never_the_os_user(hub, monkeypatch):
    token = person_token(hub)
    hub.tokens["person"] = token
    implicit = Settings(
        db_path=hub.store.path,
        operator="root",
        server_url="http://x",
        config_dir=hub.store.path.parent,
        operator_explicit=False,
    )
    assert operator_for(implicit, hub.store, token) == UNVERIFIED  # never "root"
    explicit = Settings(
        db_path=hub.store.path, operator="op-7", server_url="http://x", config_dir=hub.store.path.parent
    )
    assert operator_for(explicit, hub.store, token) == "op-7"  # HOTLINE_OPERATOR, until known
    assert hub.service(token="person", on_identity=lambda who: None).sync_once().ok
    assert operator_for(implicit, hub.store, token) == "1024"
    assert operator_for(explicit, hub.store, token) == "1024"  # the token's person wins


def test_the_seat_greets_and_records_as_the_tokens_person(hub, monkeypatch, tmp_path):
    """The seat's start: no network call before the desk exists; the first sync puts the person
    from the token on the desk, which the F3 greeting (工号{operator}) and new events use."""
    import operator_tui.sync.client as client
    from operator_tui.seat_start import start_seat

    token = person_token(hub, staff_no="2048", name="李四")
    calls = []
    monkeypatch.setattr(client, "http_client", lambda url, **kw: calls.append(url) or hub.http)
    settings = Settings(
        db_path=hub.store.path,
        operator="root",
        server_url="http://hotline.test",
        config_dir=tmp_path,
        operator_explicit=False,
    )
    ctx = start_seat(settings, token=token).finish()
    assert ctx.desk.actor == UNVERIFIED and not hub.sleeps
    assert ctx.sync.sync_once().ok
    assert ctx.desk.actor == "2048"
    t = ctx.desk.register(hub.form(), hub.seat_clock())
    assert t.operator == "2048"
    # the next start, offline, knows the person straight away, with no network call
    ctx2 = start_seat(settings, token=token, offline=True).finish()
    assert ctx2.desk.actor == "2048" and ctx2.sync is None and calls == ["http://hotline.test"]
    # a seat with no token at all is a standalone seat: its operator is whoever runs it, as before
    ctx3 = start_seat(settings, offline=True).finish()
    assert ctx3.desk.actor == "root"
