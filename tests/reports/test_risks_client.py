"""The seat's risk client (R31.1) against the real in-process server of test_risks_server.py: the
server's warnings with their decisions, a decision posted with the supervisor's token, and every
refusal as one Chinese line with the server's own words."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from test_risks_server import NOW, _surges, centre  # noqa: F401  (centre: the fixture)

from operator_tui.risks_client import LOCAL, OFFLINE, RisksReader, RisksUnavailable
from operator_tui.sync.backoff import Backoff
from operator_tui.sync.client import HotlineClient


def reader(centre, who: str = "supervisor", http: httpx.Client | None = None) -> RisksReader:  # noqa: F811
    client = HotlineClient(
        http or centre.client,
        centre.tokens[who],
        backoff=Backoff(base=0.001, cap=0.002, attempts=3),
        sleep=lambda _: None,
        clock=lambda: NOW,
    )
    return RisksReader(client)


def surge_today(centre) -> str:  # noqa: F811
    for i in range(8):
        centre.register(NOW.replace(hour=7, minute=i), matter="heating_temperature")
    return next(w["id"] for w in _surges(centre.risks().json()) if w["dimension"] == "matter")


@pytest.mark.rule("R31.1")
def test_the_board_carries_each_warning_and_the_decision_the_server_recorded(centre):  # noqa: F811
    wid = surge_today(centre)
    assert centre.decide(wid, {"decision": "dismiss", "reason": "天气骤冷，属正常波动"}).status_code == 200
    board = reader(centre).board()
    assert board.at == NOW
    found = board.by_id()
    assert set(found) == {w["id"] for w in centre.risks().json()["warnings"]}
    w = found[wid]
    assert w.kind == "surge" and w.current and w.count == 8 and len(w.evidence) == 8
    assert w.decision is not None
    assert (w.decision.decision, w.decision.name, w.decision.actor) == ("dismiss", "排除", "值班长")
    assert w.decision.reason == "天气骤冷，属正常波动" and w.decision.decided_at == NOW
    assert all(x.decision is None for x in found.values() if x.id != wid)  # the others are still open


@pytest.mark.rule("R31.1")
def test_a_decision_is_posted_with_the_tokens_actor_and_refusals_carry_the_servers_words(centre):  # noqa: F811
    wid = surge_today(centre)
    with pytest.raises(RisksUnavailable, match="理由"):
        reader(centre).decide(wid, "acknowledge", "  ")
    with pytest.raises(RisksUnavailable, match="^无权处置风险预警："):
        reader(centre, "seat").decide(wid, "acknowledge", "已知")
    with pytest.raises(RisksUnavailable, match="^无权处置风险预警："):
        reader(centre, "seat").board()
    done = reader(centre).decide(wid, "acknowledge", "供热公司已派人排查")
    assert done.id == wid and done.decision is not None and done.decision.actor == "值班长"
    listed = {w["id"]: w for w in centre.risks().json()["warnings"]}
    assert listed[wid]["decision"]["decision"] == "acknowledge"
    assert listed[wid]["decision"]["actor"] == "值班长" and listed[wid]["decision"]["role"] == "supervisor"
    with pytest.raises(RisksUnavailable, match="不能重复处理") as again:
        reader(centre, "admin").decide(wid, "dismiss", "重复")
    assert str(again.value).startswith("服务器拒绝：该预警已于 2026-11-30 10:00 由 值班长 已确认，不能重复处理")
    # a warning from another day is no current warning: 404, said in the server's words
    stale = wid.replace("20261130", (NOW - timedelta(days=1)).strftime("%Y%m%d"))
    with pytest.raises(RisksUnavailable, match="没有编号为"):
        reader(centre).decide(stale, "dismiss", "x")


@pytest.mark.rule("R31.1")
def test_without_a_server_or_with_one_that_does_not_answer_the_line_is_the_offline_one(centre):  # noqa: F811
    with pytest.raises(RisksUnavailable) as none:
        RisksReader.of(None).board()
    assert str(none.value) == LOCAL  # no server set up: not "offline", there is no link to mend
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    dead = httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://127.0.0.1:9")
    with pytest.raises(RisksUnavailable) as down:
        reader(centre, http=dead).decide("surge-20261130-1a2b3c4d", "dismiss", "x")
    assert str(down.value) == OFFLINE
    assert len(calls) == 1  # one try: the supervisor retries, not a worker in backoff

    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "database is locked"})

    sick = httpx.Client(transport=httpx.MockTransport(broken), base_url="http://127.0.0.1:9")
    with pytest.raises(RisksUnavailable, match="服务器暂时无法处理风险预警（HTTP 503"):
        reader(centre, http=sick).board()
