"""`hotline cti check URL`: logs in, reports the agent's state, and fails in one line (exit 2)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from ami_peer import AmiPeer
from esl_peer import EslPeer


@pytest.fixture
def peer_in_thread():
    """Start a protocol peer on its own event loop in a thread (the CLI runs asyncio.run itself)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    peers = []

    def start(peer):
        peer.port = asyncio.run_coroutine_threadsafe(peer.start(), loop).result(5)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        asyncio.run_coroutine_threadsafe(peer.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def test_check_freeswitch(cli, peer_in_thread, monkeypatch):
    esl = peer_in_thread(EslPeer())
    esl.agent_status = "On Break"
    monkeypatch.setenv("HOTLINE_CTI_PASSWORD", "ClueCon")
    result = cli("cti", "check", f"freeswitch://127.0.0.1:{esl.port}?agent=1001@default")
    assert result.code == 0, result.err
    assert result.out.strip() == (
        f"已连接 freeswitch://127.0.0.1:{esl.port}：坐席 1001@default 状态 示忙，进行中的通话 0 个"
    )
    assert "ClueCon" not in result.out + result.err


def test_check_asterisk_with_a_secret_file(cli, peer_in_thread, monkeypatch, tmp_path):
    ami = peer_in_thread(AmiPeer())
    secret = tmp_path / "cti.secret"
    secret.write_text("user = hotline\npassword = s3cret\n")
    secret.chmod(0o600)
    monkeypatch.setenv("HOTLINE_CTI_SECRET_FILE", str(secret))
    result = cli("cti", "check", f"asterisk://127.0.0.1:{ami.port}?interface=PJSIP/1001")
    assert result.code == 0, result.err
    assert "状态 示闲" in result.out


@pytest.mark.parametrize("case", ["bad password", "nobody listening", "bad url"])
def test_check_fails_in_one_line(cli, peer_in_thread, monkeypatch, case):
    esl = peer_in_thread(EslPeer())
    monkeypatch.setenv("HOTLINE_CTI_PASSWORD", "wrong" if case == "bad password" else "ClueCon")
    port = esl.port if case == "bad password" else 1
    url = f"freeswitch://127.0.0.1:{port}?agent=1001@default" if case != "bad url" else "freeswitch://127.0.0.1"
    result = cli("cti", "check", url, "--timeout", "2")
    assert result.code == 2 and result.out == ""
    assert len(result.err_lines) == 1
    assert {"bad password": "ESL 密码", "nobody listening": "无法连接", "bad url": "agent="}[case] in result.err
    assert "Traceback" not in result.err
