"""`hotline seat --cti` in a real terminal (tmux) against each switch's protocol peer (issue 19):
a queue call rings and pops the caller's history, F11 answers, the call is recorded into a ticket
and transferred three-way to 110 from F9, the caller hangs up, after-call work counts down to 示闲
(3 s, from a policy file) and the ticket carries the call's id, times and recording reference.

The peers of tests/cti (the real ESL and AMI wire protocols over TCP) run in a thread of the test
process with their own event loop; the seat is its own process in tmux."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import threading
import time
from importlib.resources import files
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cti"))

import test_ami_adapter as ami_calls  # noqa: E402  (the documented event sequences)
import test_esl_adapter as esl_calls  # noqa: E402
from ami_peer import AmiPeer  # noqa: E402
from esl_peer import EslPeer  # noqa: E402

pytestmark = pytest.mark.slow
CALLER = "13912345678"  # the demo caller: 3 earlier tickets


class PeerThread:
    """A protocol peer serving on 127.0.0.1 from a thread; `call(fn, *args)` runs on its loop."""

    def __init__(self, peer) -> None:
        self.peer = peer
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> int:
        self.thread.start()
        return asyncio.run_coroutine_threadsafe(self.peer.start(), self.loop).result(5)

    def call(self, fn, *args) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.peer.stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def until(check, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(what)


SWITCHES = {
    "freeswitch": dict(
        peer=lambda: EslPeer(password="tty-secret"),
        url="freeswitch://127.0.0.1:{port}?agent=1001@default",
        env={"HOTLINE_CTI_PASSWORD": "tty-secret"},
        ring=esl_calls.queue_call_rings,
        answer=esl_calls.answered_and_bridged,
        hang_up=esl_calls.hangup,
        call_id=esl_calls.AGENT_LEG,
        answered=lambda p: p.commands("uuid_answer"),
        three_way=lambda p: [c for c in p.received if "three_way" in c and "loopback/110" in c],
        recording=lambda p: p.send(
            "RECORD_START", **{"Unique-ID": esl_calls.MEMBER_LEG, "Record-File-Path": "/rec/fs-call.wav"}
        ),
        reference="/rec/fs-call.wav",
    ),
    "asterisk": dict(
        peer=lambda: AmiPeer(user="hotline", secret="tty-secret"),
        url="asterisk://127.0.0.1:{port}?interface=PJSIP/1001",  # one parameter: tmux runs it through a shell
        env={"HOTLINE_CTI_USER": "hotline", "HOTLINE_CTI_PASSWORD": "tty-secret"},
        ring=ami_calls.queue_call_rings,
        answer=ami_calls.connects,
        hang_up=ami_calls.hangs_up,
        call_id=ami_calls.AGENT_UID,
        answered=lambda p: p.named("PJSIPNotify"),
        three_way=lambda p: [a for a in p.named("Originate") if a.get("Channel", "").startswith("Local/110")],
        recording=lambda p: None,  # MixMonitor into record_dir on answer
        reference=f"/var/spool/asterisk/monitor/{ami_calls.AGENT_UID}.wav",
    ),
}


@pytest.mark.rule("R13.1")
@pytest.mark.rule("R20.3")
@pytest.mark.rule("R11.1")
@pytest.mark.parametrize("switch", list(SWITCHES))
def test_a_queue_call_end_to_end_in_a_real_terminal(tmux_ready, seat_db, tmp_path, switch):
    from tmux_seat import TmuxSeat

    s = SWITCHES[switch]
    peer = PeerThread(s["peer"]())
    port = peer.start()
    policy = tmp_path / "policy.toml"
    policy.write_text(
        files("operator_tui.data")
        .joinpath("policy.toml")
        .read_text(encoding="utf-8")
        .replace("wrap_up_seconds = 30", "wrap_up_seconds = 3"),
        encoding="utf-8",
    )
    seat = TmuxSeat(
        seat_db,
        size=(140, 40),
        args=("--cti", s["url"].format(port=port)),
        env={**s["env"], "HOTLINE_POLICY": str(policy)},
    )
    try:
        seat.start()
        run_the_call(seat, peer, s, seat_db)
    finally:
        seat.close()
        peer.stop()


def run_the_call(seat, peer, s, db: Path) -> None:
    seat.wait_complete()
    seat.wait_for("坐席 示闲", timeout=10)  # the link is up, the agent state read from the switch
    peer.call(s["ring"], peer.peer)
    screen = seat.wait_for("来电振铃", timeout=10)
    screen = seat.wait_for("来电历史 3 单", timeout=10)
    assert CALLER in screen.replace(" ", "")
    seat.keys("F11")
    until(lambda: s["answered"](peer.peer), "F11 did not send the answer")
    peer.call(s["answer"], peer.peer)
    peer.call(s["recording"], peer.peer)
    seat.wait_for("通话中", timeout=10)
    # The standard call's keys (tests/tty/test_seat_in_tmux.py), the number given by the phone.
    seat.keys(
        "马先生",
        "Enter",
        "Enter",
        "铁东区站前街道54号楼5单元101",
        "Enter",
        *"tdzq",
        "Enter",
        "家里暖气还是不热卧室只有十五度",
        "Tab",
        "t",
        "Enter",
        *"gn",
        "Enter",
    )
    time.sleep(1.0)
    seat.keys("F9")
    seat.wait_for("转接电话", timeout=10)
    seat.keys("1", "Enter")  # 110, 已转接, 三方通话 (the default with a live call)
    until(lambda: s["three_way"](peer.peer), "F9 did not start the three-way call to 110")
    time.sleep(1.0)  # the transfer acknowledged, the referral kept for the save
    seat.keys("F6", "Enter")
    seat.wait_for("已保存", timeout=15)
    peer.call(s["hang_up"], peer.peer)
    seat.wait_for("话后整理", timeout=10)
    seat.wait_for("示闲", timeout=10)  # 3 s of after-call work, then ready
    conn = sqlite3.connect(db)
    try:
        (tid,) = conn.execute(
            "SELECT id FROM tickets WHERE phone = ? ORDER BY registered_at DESC LIMIT 1", (CALLER,)
        ).fetchone()
        events = {
            kind: json.loads(payload)
            for kind, payload in conn.execute(
                "SELECT kind, payload FROM events WHERE ticket_id = ? ORDER BY seq", (tid,)
            )
        }
    finally:
        conn.close()
    assert events["register"]["call_id"] == s["call_id"]  # the ticket's call is the switch's
    assert events["referral"]["transfer_mode"] == "three_way" and events["referral"]["transfer_result"] == "done"
    record = events["call_record"]
    assert record["call_id"] == s["call_id"] and record["recordings"] == [s["reference"]]
    assert record["ring_at"] < record["answer_at"] < record["hangup_at"] and record["hangup_cause"]
