"""The boundary itself: URL and credential configuration, the CallRecord, the fake link."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from operator_tui.cti import (
    AgentState,
    Answered,
    CtiCommandError,
    CtiConfigError,
    CtiLink,
    CtiLinkDown,
    Held,
    HungUp,
    RecordingStarted,
    Ringing,
    TransferMode,
    Transferred,
    Unheld,
    connect_link,
    parse_cti_url,
)
from operator_tui.cti.fake import FakeLink
from operator_tui.cti.record import CallBook

ENV = {"HOTLINE_CTI_PASSWORD": "ClueCon"}


def test_urls_parse_with_defaults():
    fs = parse_cti_url("freeswitch://10.0.0.5?agent=1001@default", env=ENV)
    assert (fs.kind, fs.host, fs.port, fs.password, fs.option("agent")) == (
        "freeswitch",
        "10.0.0.5",
        8021,
        "ClueCon",
        "1001@default",
    )
    ast = parse_cti_url(
        "asterisk://pbx.local:5039?interface=PJSIP/1001&queue=8890",
        env={"HOTLINE_CTI_USER": "hotline", "HOTLINE_CTI_PASSWORD": "s"},
    )
    assert (ast.port, ast.user, ast.option("queue"), ast.url) == (5039, "hotline", "8890", "asterisk://pbx.local:5039")


@pytest.mark.parametrize(
    "url, env, fix",
    [
        ("sip://10.0.0.5", ENV, "freeswitch:// 或 asterisk://"),
        ("freeswitch://u:p@10.0.0.5?agent=1", ENV, "不要写用户名或密码"),
        ("freeswitch://10.0.0.5:99999?agent=1", ENV, "端口"),
        ("freeswitch://10.0.0.5", ENV, "agent="),
        ("freeswitch://10.0.0.5?agent=1&colour=red", ENV, "colour"),
        ("freeswitch://10.0.0.5?agent=1 2", ENV, "特殊字符"),
        ("freeswitch://10.0.0.5?agent=1", {}, "HOTLINE_CTI_PASSWORD"),
        ("asterisk://10.0.0.5?interface=PJSIP/1001", ENV, "HOTLINE_CTI_USER"),
        ("asterisk://?interface=PJSIP/1001", ENV, "主机名"),
    ],
)
def test_bad_urls_say_what_to_fix_in_one_line(url, env, fix):
    with pytest.raises(CtiConfigError) as err:
        parse_cti_url(url, env=env)
    assert fix in str(err.value) and "\n" not in str(err.value)


def test_secret_file_must_be_private(tmp_path):
    secret = tmp_path / "cti.secret"
    secret.write_text("# AMI account\nuser = hotline\npassword = s3cret\n")
    os.chmod(secret, 0o644)
    env = {"HOTLINE_CTI_SECRET_FILE": str(secret)}
    with pytest.raises(CtiConfigError, match="chmod 600"):
        parse_cti_url("asterisk://pbx?interface=PJSIP/1001", env=env)
    os.chmod(secret, 0o600)
    config = parse_cti_url("asterisk://pbx?interface=PJSIP/1001", env=env)
    assert (config.user, config.password) == ("hotline", "s3cret")
    with pytest.raises(CtiConfigError, match="同时设置"):
        parse_cti_url("asterisk://pbx?interface=PJSIP/1001", env={**env, "HOTLINE_CTI_PASSWORD": "x"})
    secret.write_text("secret: s3cret\n")
    with pytest.raises(CtiConfigError, match="第 1 行"):
        parse_cti_url("asterisk://pbx?interface=PJSIP/1001", env=env)


def test_both_adapters_and_the_fake_are_cti_links():
    fs = connect_link(parse_cti_url("freeswitch://h?agent=1001@default", env=ENV))
    ast = connect_link(parse_cti_url("asterisk://h?interface=PJSIP/1001", env={**ENV, "HOTLINE_CTI_USER": "u"}))
    assert type(fs).__name__ == "FreeSwitchLink" and type(ast).__name__ == "AsteriskLink"
    assert all(isinstance(link, CtiLink) for link in (fs, ast, FakeLink()))


@pytest.mark.rule("R11.1")
def test_call_record_keeps_times_cause_and_recording_for_the_ticket():
    t = [datetime(2026, 11, 2, 1, 0, tzinfo=UTC) + timedelta(seconds=s) for s in range(10)]
    book = CallBook(agent="1001@default")
    events = [
        Ringing(t[0], "c1", caller="13912345678", queue="8890"),
        Ringing(t[1], "c1"),
        Answered(t[2], "c1"),
        Answered(t[3], "c1"),
        RecordingStarted(t[3], "c1", reference="/rec/c1.wav"),
        Held(t[4], "c1"),
        Held(t[5], "c1"),
        Unheld(t[6], "c1"),
        Transferred(t[7], "c1", target="110"),
        Transferred(t[7], "c1", target="110"),
        HungUp(t[8], "c1", cause="BLIND_TRANSFER"),
        Answered(t[9], "c1"),
        Held(t[9], "unknown"),
    ]
    news = [book.apply(e) for e in events]
    assert news == [True, False, True, False, True, True, False, True, True, False, True, False, False]
    rec = book.records["c1"]
    assert (rec.ring_at, rec.answer_at, rec.hangup_at) == (t[0], t[2], t[8])
    assert rec.holds == ((t[4], t[6]),) and rec.recording_ref == "/rec/c1.wav" and rec.agent == "1001@default"
    data = rec.to_json()
    assert data["transfers"] == [{"at": t[7].isoformat(), "target": "110", "mode": "blind"}]
    assert data["hangup_cause"] == "BLIND_TRANSFER" and data["recordings"] == ["/rec/c1.wav"]


def test_a_hang_up_on_hold_closes_the_hold():
    t0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    book = CallBook()
    for ev in (Ringing(t0, "c"), Answered(t0, "c"), Held(t0, "c"), HungUp(t0 + timedelta(seconds=5), "c")):
        book.apply(ev)
    assert book.records["c"].holds == ((t0, t0 + timedelta(seconds=5)),) and not book.live()


async def test_fake_link_scripts_a_call_and_records_commands():
    link = FakeLink()
    await link.start()
    call = link.ring("13912345678")
    await link.answer(call)
    await link.three_way(call, "110")
    with pytest.raises(CtiCommandError):
        await link.transfer(call, "110 XML evil")
    link.refuse("hold", "No such channel")
    with pytest.raises(CtiCommandError, match="No such channel"):
        await link.hold(call)
    await link.transfer(call, "110", TransferMode.ATTENDED)
    link.go_down()
    with pytest.raises(CtiLinkDown):
        await link.set_state(AgentState.READY)
    await link.close()
    seen = [type(e).__name__ async for e in link.events()]
    assert seen == ["LinkUp", "Ringing", "Answered", "ThreeWayStarted", "Transferred", "HungUp", "LinkDown"]
    assert link.commands == [("answer", call), ("three_way", call, "110"), ("transfer", call, "110", "attended")]
    assert link.calls[call].ended and not link.is_up


def test_the_cti_package_imports_no_ui():
    """The UI sees only the boundary; the boundary never pulls Textual (or the store) in."""
    import json
    import subprocess
    import sys

    probe = (
        "import json, sys, operator_tui.cti, operator_tui.cti.esl, operator_tui.cti.ami, operator_tui.cti.fake;"
        "print(json.dumps(sorted(sys.modules)))"
    )
    modules = json.loads(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    )
    leaked = [
        m
        for m in modules
        if m.split(".")[0] in ("textual", "rich", "httpx", "sqlite3")
        or m.startswith(("operator_tui.ui", "operator_tui.store"))
    ]
    assert not leaked
