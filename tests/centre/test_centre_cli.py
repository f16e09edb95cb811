"""Issue 11: `hotline ticket list --phone` and `hotline ticket show` on a seat configured with a server
find tickets recorded at any seat; `--local` keeps to this seat's store (R10.1)."""

from __future__ import annotations

import contextlib
import os

import httpx
import pytest

from operator_tui.cli import ticket_cmd

PHONE = "13904120001"
pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument with the TestClient")


@pytest.fixture
def seat002(centre, cli, monkeypatch):
    """The `hotline` command on a seat that syncs with the centre's (in-process) server; seat 001
    has recorded and synced one ticket for PHONE."""
    a = centre.seat("001")
    t = centre.record(a, phone=PHONE, name="欧阳春花")
    assert a.sync.sync_once().ok
    assert cli("db", "init").code == 0
    monkeypatch.setenv("HOTLINE_SERVER", "http://testserver")
    monkeypatch.setenv("HOTLINE_TOKEN", centre.tokens["002"])
    monkeypatch.setattr(ticket_cmd, "_http", lambda url: contextlib.nullcontext(centre.http))
    return t


@pytest.mark.rule("R10.1")
def test_list_by_phone_finds_another_seats_ticket_and_local_does_not(cli, seat002):
    r = cli("ticket", "list", "--phone", PHONE, "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert [(d["number"], d["source"], d["seat"]) for d in rows] == [(seat002.number, "中心", "001")]
    assert rows[0]["appellant"]["name"] == "欧阳春花" and rows[0]["status_name"]
    text = cli("ticket", "list", "--phone", PHONE)
    assert seat002.number in text.out and "[中心]" in text.out
    local = cli("ticket", "list", "--phone", PHONE, "--local", "--json")
    assert local.code == 0 and local.json() == []


@pytest.mark.rule("R10.1")
def test_show_reads_another_seats_ticket_from_the_server(cli, seat002):
    r = cli("ticket", "show", seat002.number, "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["number"] == seat002.number and [e["kind"] for e in d["history"]] == ["register", "accept", "dispatch"]
    assert "受理编号" in cli("ticket", "show", seat002.number).out
    local = cli("ticket", "show", seat002.number, "--local")
    assert local.code == 2 and "中没有办理单" in local.err and "中心服务器" not in local.err
    missing = cli("ticket", "show", "2611269990001")
    assert missing.code == 2 and "中没有办理单" in missing.err and "中心服务器" in missing.err


@pytest.mark.rule("R10.1")
def test_a_server_that_does_not_answer_leaves_the_seats_records_and_says_so(cli, seat002, monkeypatch):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    dead = httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://hotline.invalid")
    monkeypatch.setattr(ticket_cmd, "_http", lambda url: dead)
    r = cli("ticket", "list", "--phone", PHONE, "--json")
    assert r.code == 0 and r.json() == [] and "离线：仅本机记录" in r.err


def test_a_server_without_a_token_is_a_clear_error(cli, seat002, monkeypatch):
    monkeypatch.delenv("HOTLINE_TOKEN")
    r = cli("ticket", "list", "--phone", PHONE)
    assert r.code == 2 and "HOTLINE_TOKEN" in r.err and "--local" in r.err and "Traceback" not in r.err
    assert cli("ticket", "list", "--phone", PHONE, "--local").code == 0


@pytest.mark.rule("R33.1")
def test_the_token_can_come_from_a_private_file_and_a_loose_one_is_refused(cli, seat002, monkeypatch, tmp_path):
    token_file = tmp_path / "token"
    token = os.environ["HOTLINE_TOKEN"]
    token_file.write_text(token)
    token_file.chmod(0o600)
    monkeypatch.delenv("HOTLINE_TOKEN")
    monkeypatch.setenv("HOTLINE_TOKEN_FILE", str(token_file))
    r = cli("ticket", "list", "--phone", PHONE, "--json")
    assert r.code == 0, r.err
    assert [d["number"] for d in r.json()] == [seat002.number]
    token_file.chmod(0o644)
    loose = cli("ticket", "list", "--phone", PHONE)
    assert loose.code == 2 and "chmod 600" in loose.err and token not in loose.err
