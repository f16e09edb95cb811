"""The Asterisk adapter against a Manager Interface peer speaking the real wire protocol over TCP.

Event sequences as the Asterisk 18/20 AMI documentation gives them for app_queue: the caller's
channel enters the queue, the member's channel is created (Newchannel) and offered (AgentCalled),
dialled (DialBegin/DialEnd), connected (AgentConnect), and both channels hang up (Hangup with
Cause and Cause-txt); pauses come back as QueueMemberPause.
"""

from __future__ import annotations

import asyncio

import pytest

from operator_tui.cti import (
    AgentState,
    AgentStateChanged,
    Answered,
    CtiAuthError,
    CtiCommandError,
    Direction,
    Held,
    HungUp,
    LinkDown,
    LinkUp,
    RecordingStarted,
    Ringing,
    ThreeWayStarted,
    TransferMode,
    Transferred,
    Unheld,
)

CALLER_CHAN, CALLER_UID = "PJSIP/trunk-00000001", "1790000000.1"
AGENT_CHAN, AGENT_UID = "PJSIP/1001-00000002", "1790000000.2"
CALLER = "13912345678"
SNAP = {
    "Channel": CALLER_CHAN,
    "Uniqueid": CALLER_UID,
    "Linkedid": CALLER_UID,
    "CallerIDNum": CALLER,
    "DestChannel": AGENT_CHAN,
    "DestUniqueid": AGENT_UID,
    "DestLinkedid": CALLER_UID,
    "DestCallerIDNum": "1001",
}


def queue_call_rings(ami):
    ami.send("Newchannel", Channel=CALLER_CHAN, Uniqueid=CALLER_UID, CallerIDNum=CALLER, ChannelStateDesc="Ring")
    ami.send("QueueCallerJoin", Channel=CALLER_CHAN, Uniqueid=CALLER_UID, Queue="8890", Position="1", Count="1")
    ami.send("Newchannel", Channel=AGENT_CHAN, Uniqueid=AGENT_UID, CallerIDNum="1001", ChannelStateDesc="Down")
    ami.send("AgentCalled", Queue="8890", Interface="PJSIP/1001", MemberName="1001", **SNAP)
    ami.send("DialBegin", DialString="1001", **SNAP)


def connects(ami):
    ami.send("DialEnd", DialStatus="ANSWER", **SNAP)
    ami.send(
        "AgentConnect", Queue="8890", Interface="PJSIP/1001", MemberName="1001", HoldTime="3", RingTime="2", **SNAP
    )
    ami.send("BridgeEnter", Channel=AGENT_CHAN, Uniqueid=AGENT_UID, BridgeUniqueid="br-1")


def hangs_up(ami, cause="16", text="Normal Clearing"):
    ami.send("Hangup", Channel=CALLER_CHAN, Uniqueid=CALLER_UID, Cause=cause, **{"Cause-txt": text})
    ami.send("Hangup", Channel=AGENT_CHAN, Uniqueid=AGENT_UID, Cause=cause, **{"Cause-txt": text})


async def up(ami_link, take_events, **kw):
    link = await ami_link(**kw)
    state, ev = await take_events(link, 2)
    assert isinstance(state, AgentStateChanged) and state.state is AgentState.READY and state.replayed
    assert isinstance(ev, LinkUp) and not ev.resynced
    return link


@pytest.mark.rule("R13.1")
async def test_queue_call_rings_is_answered_recorded_and_hung_up(ami, ami_link, take_events):
    link = await up(ami_link, take_events)
    assert ami.actions[0] == {"Action": "Login", "Username": "hotline", "Secret": "s3cret", "Events": "on"}
    assert [a["Action"] for a in ami.actions[1:3]] == ["CoreShowChannels", "QueueStatus"]
    assert ami.actions[2]["Member"] == "PJSIP/1001"
    queue_call_rings(ami)
    [ring] = await take_events(link, 1)
    assert isinstance(ring, Ringing)
    assert (ring.call_id, ring.caller, ring.queue, ring.direction) == (AGENT_UID, CALLER, "8890", Direction.INBOUND)
    await link.answer(AGENT_UID)
    assert ami.actions[-1] == {"Action": "PJSIPNotify", "Endpoint": "1001", "Variable": "Event=talk"}
    connects(ami)
    answered, rec = await take_events(link, 2)  # DialEnd and AgentConnect say it once
    assert isinstance(answered, Answered) and answered.call_id == AGENT_UID
    assert isinstance(rec, RecordingStarted) and rec.reference == f"/var/spool/asterisk/monitor/{AGENT_UID}.wav"
    assert ami.named("MixMonitor") == [
        {"Action": "MixMonitor", "Channel": AGENT_CHAN, "File": rec.reference, "Options": "b"}
    ]
    hangs_up(ami)
    [hung] = await take_events(link, 1)
    assert isinstance(hung, HungUp) and (hung.cause, hung.q850) == ("Normal Clearing", 16)
    record = link.calls[AGENT_UID]
    assert record.queue == "8890" and record.agent == "PJSIP/1001" and record.recording_ref == rec.reference
    assert record.answer_at and record.hangup_cause == "Normal Clearing"


async def test_hold_from_the_seat_and_from_the_phone(ami, ami_link, take_events):
    link = await up(ami_link, take_events, query="interface=PJSIP/1001&record_dir=")
    queue_call_rings(ami)
    connects(ami)
    await take_events(link, 2)
    assert not ami.named("MixMonitor")  # record_dir= empty: the switch records, not this link
    await link.hold(AGENT_UID)
    assert ami.actions[-1] == {
        "Action": "Redirect",
        "Channel": CALLER_CHAN,
        "Context": "hotline-hold",
        "Exten": "s",
        "Priority": "1",
        "ExtraChannel": AGENT_CHAN,
        "ExtraContext": "hotline-wait",
        "ExtraExten": "s",
        "ExtraPriority": "1",
    }
    await link.unhold(AGENT_UID)
    assert ami.actions[-1] == {"Action": "Bridge", "Channel1": AGENT_CHAN, "Channel2": CALLER_CHAN, "Tone": "no"}
    ami.send("Hold", Channel=AGENT_CHAN, Uniqueid=AGENT_UID, MusicClass="default")
    ami.send("Unhold", Channel=AGENT_CHAN, Uniqueid=AGENT_UID)
    events = await take_events(link, 4)
    assert [type(e) for e in events] == [Held, Unheld, Held, Unheld]
    assert len(link.calls[AGENT_UID].holds) == 2


@pytest.mark.rule("R20.3")
async def test_blind_transfer_to_110(ami, ami_link, take_events):
    link = await up(ami_link, take_events, query="interface=PJSIP/1001&record_dir=&context=hotline")
    queue_call_rings(ami)
    connects(ami)
    await take_events(link, 2)
    await link.transfer(AGENT_UID, "110")
    assert ami.actions[-1] == {"Action": "BlindTransfer", "Channel": AGENT_CHAN, "Exten": "110", "Context": "hotline"}
    ami.send(
        "BlindTransfer",
        Result="Success",
        TransfererChannel=AGENT_CHAN,
        TransfererUniqueid=AGENT_UID,
        Extension="110",
        Context="hotline",
        IsExternal="No",
    )
    ami.send("Hangup", Channel=AGENT_CHAN, Uniqueid=AGENT_UID, Cause="16", **{"Cause-txt": "Normal Clearing"})
    moved, hung = await take_events(link, 2)  # the action's Success and the event: one Transferred
    assert isinstance(moved, Transferred) and (moved.target, moved.mode) == ("110", TransferMode.BLIND)
    assert isinstance(hung, HungUp)


@pytest.mark.rule("R20.3")
async def test_attended_transfer(ami, ami_link, take_events):
    link = await up(ami_link, take_events, query="interface=PJSIP/1001&record_dir=")
    queue_call_rings(ami)
    connects(ami)
    await take_events(link, 2)
    await link.transfer(AGENT_UID, "119", TransferMode.ATTENDED)
    assert ami.actions[-1] == {"Action": "Atxfer", "Channel": AGENT_CHAN, "Exten": "119", "Context": "from-internal"}
    ami.send(
        "AttendedTransfer",
        Result="Success",
        OrigTransfererChannel=AGENT_CHAN,
        OrigTransfererUniqueid=AGENT_UID,
        SecondTransfererChannel="Local/119@from-internal-00000003;1",
        SecondTransfererConnectedLineNum="119",
        DestType="Bridge",
    )
    [moved] = await take_events(link, 1)
    assert isinstance(moved, Transferred) and (moved.target, moved.mode) == ("119", TransferMode.ATTENDED)


@pytest.mark.rule("R20.3")
async def test_three_way_call_with_110(ami, ami_link, take_events):
    link = await up(ami_link, take_events, query="interface=PJSIP/1001&record_dir=")
    queue_call_rings(ami)
    connects(ami)
    await take_events(link, 2)
    await link.three_way(AGENT_UID, "110")
    assert ami.actions[-1] == {
        "Action": "Originate",
        "Async": "true",
        "Channel": "Local/110@from-internal",
        "Application": "ChanSpy",
        "Data": f"{AGENT_CHAN},qBE",
        "CallerID": "8890",
    }
    [joined] = await take_events(link, 1)
    assert isinstance(joined, ThreeWayStarted) and joined.target == "110"
    ami.originate_result = {"Response": "Failure", "Reason": "5"}  # busy
    with pytest.raises(CtiCommandError, match="Reason 5"):
        await link.three_way(AGENT_UID, "110")


async def test_hang_up_during_ringing(ami, ami_link, take_events):
    link = await up(ami_link, take_events)
    queue_call_rings(ami)
    ami.send("QueueCallerAbandon", Channel=CALLER_CHAN, Uniqueid=CALLER_UID, Queue="8890", HoldTime="4")
    ami.send("AgentRingNoAnswer", Queue="8890", Interface="PJSIP/1001", RingTime="4", **SNAP)
    ami.send("Hangup", Channel=AGENT_CHAN, Uniqueid=AGENT_UID, Cause="26", **{"Cause-txt": "Answered elsewhere"})
    ring, hung = await take_events(link, 2)
    assert isinstance(ring, Ringing) and isinstance(hung, HungUp) and hung.q850 == 26
    assert link.calls[AGENT_UID].answer_at is None and not ami.named("MixMonitor")


async def test_pause_with_a_reason_and_after_call_work(ami, ami_link, take_events):
    link = await up(ami_link, take_events, query="interface=PJSIP/1001&queue=8890")
    await link.set_state(AgentState.NOT_READY, "小休")
    assert ami.actions[-1] == {
        "Action": "QueuePause",
        "Interface": "PJSIP/1001",
        "Paused": "true",
        "Reason": "小休",
        "Queue": "8890",
    }
    ami.send(
        "QueueMemberPause", Queue="8890", Interface="PJSIP/1001", MemberName="1001", Paused="1", PausedReason="小休"
    )
    await link.set_state(AgentState.AFTER_CALL_WORK)
    assert ami.actions[-1]["Reason"] == "after-call-work"
    ami.send("QueueMemberPause", Queue="8890", Interface="PJSIP/1001", Paused="1", PausedReason="after-call-work")
    await link.set_state(AgentState.READY)
    assert ami.actions[-1] == {"Action": "QueuePause", "Interface": "PJSIP/1001", "Paused": "false", "Queue": "8890"}
    ami.send("QueueMemberPause", Queue="8890", Interface="PJSIP/1002", Paused="1", PausedReason="x")  # another seat
    ami.send("QueueMemberPause", Queue="8890", Interface="PJSIP/1001", Paused="0", PausedReason="")
    states = await take_events(link, 3)
    assert [(s.state, s.reason) for s in states] == [
        (AgentState.NOT_READY, "小休"),
        (AgentState.AFTER_CALL_WORK, None),
        (AgentState.READY, None),
    ]


async def test_refused_action_raises_with_asterisk_words(ami, ami_link, take_events):
    link = await up(ami_link, take_events)
    ami.errors["QueuePause"] = "Interface not found"
    with pytest.raises(CtiCommandError, match="Interface not found"):
        await link.set_state(AgentState.READY)


@pytest.mark.rule("R23.2")
async def test_dial_out_for_a_callback(ami, ami_link, take_events):
    link = await up(ami_link, take_events, query="interface=PJSIP/1001&record_dir=")
    call_id = await link.dial("13800001111")
    assert ami.named("Originate")[0] == {
        "Action": "Originate",
        "Async": "true",
        "Channel": "PJSIP/1001",
        "Context": "from-internal",
        "Exten": "13800001111",
        "Priority": "1",
        "CallerID": "8890",
        "ChannelId": call_id,
    }
    ring, answered = await take_events(link, 2)
    assert (ring.direction, ring.caller, ring.call_id) == (Direction.OUTBOUND, "13800001111", call_id)
    assert isinstance(answered, Answered)


async def test_bad_credentials_are_a_clear_error_and_stop_retrying(ami, ami_link, take_events):
    link = await ami_link(password="wrong", start=False)
    with pytest.raises(CtiAuthError, match="HOTLINE_CTI_USER"):
        await link.connect()
    await link.start()
    [down] = await take_events(link, 1)
    assert isinstance(down, LinkDown) and not down.retrying and "Authentication failed" in down.reason
    await asyncio.sleep(0.3)
    assert ami.connections == 2


async def test_dropped_link_reconnects_and_resyncs(ami, ami_link, take_events):
    link = await up(ami_link, take_events, query="interface=PJSIP/1001&record_dir=")
    queue_call_rings(ami)
    connects(ami)
    await take_events(link, 2)
    # While down: that call ended, a new queue call was answered, and the member was paused.
    ami.channels = [
        {
            "Channel": "PJSIP/1001-00000005",
            "Uniqueid": "1790000000.5",
            "ChannelState": "6",
            "ChannelStateDesc": "Up",
            "ConnectedLineNum": "13700002222",
            "Application": "AppQueue",
            "BridgeId": "br-2",
        },
        {
            "Channel": "PJSIP/trunk-00000004",
            "Uniqueid": "1790000000.4",
            "ChannelState": "6",
            "ChannelStateDesc": "Up",
            "CallerIDNum": "13700002222",
            "Application": "Queue",
            "BridgeId": "br-2",
        },
    ]
    ami.members[0].update(Paused="1", PausedReason="小休")
    ami.drop()
    down, *missed, back = await take_events(link, 6)
    assert isinstance(down, LinkDown) and isinstance(back, LinkUp) and back.resynced
    assert [type(e).__name__ for e in missed] == ["HungUp", "Ringing", "Answered", "AgentStateChanged"]
    assert all(e.replayed for e in missed)
    assert (missed[1].call_id, missed[1].caller) == ("1790000000.5", "13700002222")
    assert (missed[3].state, missed[3].reason) == (AgentState.NOT_READY, "小休")
    await link.hold("1790000000.5")  # the resync learnt both channels of the new call
    assert ami.actions[-1]["Channel"] == "PJSIP/trunk-00000004"


async def test_a_frozen_switch_is_noticed_by_the_ping(ami, ami_link, take_events):
    link = await up(ami_link, take_events)
    ami.silent = True
    [down] = await take_events(link, 1)
    assert isinstance(down, LinkDown) and "ping" in down.reason
    assert ami.named("Ping")
    ami.silent = False
    [back] = await take_events(link, 1)
    assert isinstance(back, LinkUp) and back.resynced
