"""The FreeSWITCH adapter against an event socket peer speaking the real wire protocol over TCP.

The event sequences are the documented ones for FreeSWITCH 1.10 with mod_callcenter: the agent leg
is created with cc_* variables (CHANNEL_CREATE), answered, bridged to the member leg, recorded, and
hung up (CHANNEL_HANGUP_COMPLETE with Hangup-Cause and variable_hangup_cause_q850).
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
    CtiLinkDown,
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

AGENT_LEG = "a1b2c3d4-0000-4000-8000-000000000001"
MEMBER_LEG = "a1b2c3d4-0000-4000-8000-0000000000ff"
CALLER = "13912345678"


def queue_call_rings(esl, leg=AGENT_LEG):
    """mod_callcenter offers a member to agent 1001@default: the agent leg is created."""
    esl.send(
        "CUSTOM",
        **{
            "Event-Subclass": "callcenter::info",
            "CC-Action": "agent-offering",
            "CC-Agent": "1001@default",
            "CC-Queue": "8890@default",
            "CC-Member-Session-UUID": MEMBER_LEG,
            "CC-Member-CID-Number": CALLER,
        },
    )
    esl.send(
        "CHANNEL_CREATE",
        **{
            "Unique-ID": leg,
            "Call-Direction": "outbound",
            "Channel-Name": "sofia/internal/1001@10.0.0.21:5060",
            "Channel-Presence-ID": "1001@10.0.0.5",
            "Caller-Caller-ID-Number": CALLER,
            "variable_cc_queue": "8890@default",
            "variable_cc_agent": "1001@default",
            "variable_cc_member_session_uuid": MEMBER_LEG,
        },
    )


def answered_and_bridged(esl, leg=AGENT_LEG):
    esl.send("CHANNEL_ANSWER", **{"Unique-ID": leg, "Answer-State": "answered"})
    esl.send("CHANNEL_BRIDGE", **{"Unique-ID": leg, "Other-Leg-Unique-ID": MEMBER_LEG})
    esl.send(
        "CUSTOM",
        **{
            "Event-Subclass": "callcenter::info",
            "CC-Action": "bridge-agent-start",
            "CC-Agent": "1001@default",
            "CC-Agent-UUID": leg,
            "CC-Member-Session-UUID": MEMBER_LEG,
        },
    )


def hangup(esl, cause="NORMAL_CLEARING", q850="16", leg=AGENT_LEG):
    esl.send("CHANNEL_HANGUP_COMPLETE", **{"Unique-ID": leg, "Hangup-Cause": cause, "variable_hangup_cause_q850": q850})


async def up(esl_link, take_events, **kw):
    """A started link, past its first resync: the agent's state (replayed), then LinkUp."""
    link = await esl_link(**kw)
    state, ev = await take_events(link, 2)
    assert isinstance(state, AgentStateChanged) and state.state is AgentState.READY and state.replayed
    assert isinstance(ev, LinkUp) and not ev.resynced
    return link


@pytest.mark.rule("R13.1")
async def test_queue_call_rings_is_answered_recorded_and_hung_up(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    assert esl.received[:2] == [
        "auth ClueCon",
        "event json CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HOLD CHANNEL_UNHOLD "
        "CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE RECORD_START HEARTBEAT BACKGROUND_JOB "
        "CUSTOM callcenter::info",
    ]
    assert "api show channels as json" in esl.received
    assert "api callcenter_config agent get status 1001@default" in esl.received
    queue_call_rings(esl)
    [ring] = await take_events(link, 1)
    assert isinstance(ring, Ringing)
    assert (ring.call_id, ring.caller, ring.queue, ring.direction) == (
        AGENT_LEG,
        CALLER,
        "8890@default",
        Direction.INBOUND,
    )
    await link.answer(AGENT_LEG)
    assert esl.received[-1] == f"bgapi uuid_answer {AGENT_LEG}"
    answered_and_bridged(esl)
    esl.send(
        "RECORD_START",
        **{
            "Unique-ID": MEMBER_LEG,
            "Record-File-Path": "/var/lib/freeswitch/recordings/2026-11-02/" + MEMBER_LEG + ".wav",
        },
    )
    esl.send("HEARTBEAT", **{"Up-Time": "0 years, 1 day"})
    hangup(esl)
    answered, rec, hung = await take_events(link, 3)
    assert isinstance(answered, Answered) and answered.call_id == AGENT_LEG
    assert (
        isinstance(rec, RecordingStarted) and rec.call_id == AGENT_LEG and rec.reference.endswith(MEMBER_LEG + ".wav")
    )
    assert isinstance(hung, HungUp) and (hung.cause, hung.q850) == ("NORMAL_CLEARING", 16)
    record = link.calls[AGENT_LEG]
    assert record.ring_at < record.answer_at < record.hangup_at  # the switch's own event times
    assert record.queue == "8890@default" and record.agent == "1001@default"
    assert record.recording_ref == rec.reference and record.hangup_cause == "NORMAL_CLEARING"


async def test_plain_events_are_url_decoded(esl, esl_link, take_events):
    link = await up(esl_link, take_events, query="agent=1001@default&format=plain")
    assert esl.received[1].startswith("event plain CHANNEL_CREATE")
    esl.send(
        "CHANNEL_CREATE",
        **{
            "Unique-ID": AGENT_LEG,
            "Call-Direction": "outbound",
            "Caller-Caller-ID-Number": CALLER,
            "variable_cc_agent": "1001@default",
            "variable_cc_queue": "8890 热线@default",
        },
    )
    [ring] = await take_events(link, 1)
    assert ring.queue == "8890 热线@default"
    await link.hold(AGENT_LEG)  # the BACKGROUND_JOB comes back as a plain event with a body
    assert esl.received[-1] == f"bgapi uuid_hold {AGENT_LEG}"


async def test_hold_and_unhold(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    queue_call_rings(esl)
    answered_and_bridged(esl)
    await take_events(link, 2)
    await link.hold(AGENT_LEG)
    esl.send("CHANNEL_HOLD", **{"Unique-ID": AGENT_LEG})
    await link.unhold(AGENT_LEG)
    esl.send("CHANNEL_UNHOLD", **{"Unique-ID": AGENT_LEG})
    held, unheld = await take_events(link, 2)
    assert isinstance(held, Held) and isinstance(unheld, Unheld)
    assert esl.received[-2:] == [f"bgapi uuid_hold {AGENT_LEG}", f"bgapi uuid_hold off {AGENT_LEG}"]
    ((start, end),) = link.calls[AGENT_LEG].holds
    assert start < end


@pytest.mark.rule("R20.3")
async def test_blind_transfer_to_110(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    queue_call_rings(esl)
    answered_and_bridged(esl)
    await take_events(link, 2)
    await link.transfer(AGENT_LEG, "110", TransferMode.BLIND)
    assert esl.received[-1] == f"bgapi uuid_transfer {AGENT_LEG} -bleg 110 XML default"
    hangup(esl, cause="BLIND_TRANSFER", q850="16")
    moved, hung = await take_events(link, 2)
    assert isinstance(moved, Transferred) and (moved.target, moved.mode) == ("110", TransferMode.BLIND)
    assert isinstance(hung, HungUp) and hung.cause == "BLIND_TRANSFER"
    assert [(t.target, t.mode) for t in link.calls[AGENT_LEG].transfers] == [("110", TransferMode.BLIND)]


@pytest.mark.rule("R20.3")
async def test_attended_transfer_completes_when_the_operator_hangs_up(esl, esl_link, take_events):
    link = await up(esl_link, take_events, query="agent=1001@default&context=hotline&caller_id=12345")
    queue_call_rings(esl)
    answered_and_bridged(esl)
    await take_events(link, 2)
    await link.transfer(AGENT_LEG, "119", TransferMode.ATTENDED)
    assert esl.received[-1] == (
        f"bgapi uuid_broadcast {AGENT_LEG} att_xfer::{{origination_caller_id_number=12345}}loopback/119/hotline aleg"
    )
    hangup(esl, cause="ATTENDED_TRANSFER", q850="16")
    moved, hung = await take_events(link, 2)
    assert isinstance(moved, Transferred) and (moved.target, moved.mode) == ("119", TransferMode.ATTENDED)
    assert isinstance(hung, HungUp)


@pytest.mark.rule("R20.3")
async def test_three_way_call_with_110(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    queue_call_rings(esl)
    answered_and_bridged(esl)
    await take_events(link, 2)
    await link.three_way(AGENT_LEG, "110")
    assert esl.received[-1] == (
        f"bgapi originate {{origination_caller_id_number=8890}}loopback/110/default &three_way({AGENT_LEG})"
    )
    [joined] = await take_events(link, 1)
    assert isinstance(joined, ThreeWayStarted) and joined.target == "110"


async def test_hang_up_during_ringing(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    queue_call_rings(esl)
    hangup(esl, cause="ORIGINATOR_CANCEL", q850="487")
    ring, hung = await take_events(link, 2)
    assert isinstance(ring, Ringing) and isinstance(hung, HungUp)
    assert (hung.cause, hung.q850) == ("ORIGINATOR_CANCEL", 487)
    assert link.calls[AGENT_LEG].answer_at is None


async def test_a_refused_command_raises_with_the_switch_words(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    queue_call_rings(esl)
    await take_events(link, 1)
    esl.results["uuid_answer"] = "-ERR No such channel!\n"
    with pytest.raises(CtiCommandError, match="No such channel"):
        await link.answer(AGENT_LEG)
    with pytest.raises(CtiCommandError, match="号码"):
        await link.transfer(AGENT_LEG, "110; hangup")


async def test_agent_states_follow_mod_callcenter(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    await link.set_state(AgentState.NOT_READY, "小休")
    assert esl.received[-1] == "bgapi callcenter_config agent set status 1001@default 'On Break'"
    esl.send(
        "CUSTOM",
        **{
            "Event-Subclass": "callcenter::info",
            "CC-Action": "agent-status-change",
            "CC-Agent": "1001@default",
            "CC-Agent-Status": "On Break",
        },
    )
    await link.set_state(AgentState.READY)
    assert esl.received[-2:] == [
        "bgapi callcenter_config agent set status 1001@default 'Available'",
        "bgapi callcenter_config agent set state 1001@default 'Waiting'",
    ]
    esl.send(
        "CUSTOM",
        **{
            "Event-Subclass": "callcenter::info",
            "CC-Action": "agent-status-change",
            "CC-Agent": "1001@default",
            "CC-Agent-Status": "Available",
        },
    )
    await link.set_state(AgentState.AFTER_CALL_WORK)
    assert esl.received[-1] == "bgapi callcenter_config agent set state 1001@default 'Idle'"
    esl.send(
        "CUSTOM",
        **{
            "Event-Subclass": "callcenter::info",
            "CC-Action": "agent-state-change",
            "CC-Agent": "1001@default",
            "CC-Agent-State": "Idle",
        },
    )
    esl.send(
        "CUSTOM",
        **{
            "Event-Subclass": "callcenter::info",
            "CC-Action": "agent-state-change",
            "CC-Agent": "1002@default",
            "CC-Agent-State": "Idle",
        },
    )  # another seat's agent
    brk, ready, acw = await take_events(link, 3)
    assert (brk.state, brk.reason) == (AgentState.NOT_READY, "小休")
    assert (ready.state, ready.reason) == (AgentState.READY, None)
    assert acw.state is AgentState.AFTER_CALL_WORK


@pytest.mark.rule("R23.2")
async def test_dial_out_for_a_callback(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    task = asyncio.create_task(link.dial("13800001111"))
    while not esl.commands("originate"):
        await asyncio.sleep(0.01)
    call_id = await task
    assert esl.received[-1] == (
        f"bgapi originate {{origination_uuid={call_id},origination_caller_id_number=8890}}"
        "user/1001 13800001111 XML default"
    )
    esl.send("CHANNEL_CREATE", **{"Unique-ID": call_id, "Call-Direction": "outbound"})
    esl.send("CHANNEL_ANSWER", **{"Unique-ID": call_id})
    ring, answered = await take_events(link, 2)
    assert (ring.direction, ring.caller) == (Direction.OUTBOUND, "13800001111")
    assert isinstance(answered, Answered)


async def test_bad_password_is_a_clear_error_and_stops_retrying(esl, esl_link, take_events):
    link = await esl_link(password="wrong", start=False)
    with pytest.raises(CtiAuthError, match="HOTLINE_CTI_PASSWORD"):
        await link.connect()
    await link.start()
    [down] = await take_events(link, 1)
    assert isinstance(down, LinkDown) and not down.retrying and "ESL 密码" in down.reason
    await asyncio.sleep(0.3)
    assert esl.connections == 2  # one for connect(), one for start(): no retry loop


async def test_commands_while_the_link_is_down_raise_link_down(esl, esl_link):
    link = await esl_link(start=False)
    with pytest.raises(CtiLinkDown):
        await link.set_state(AgentState.READY)


async def test_dropped_link_reconnects_and_resyncs_missed_calls(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    queue_call_rings(esl)
    answered_and_bridged(esl)
    await take_events(link, 2)
    # While the link is down the call is put on hold and ends, and a new call is answered.
    esl.channels = [
        {
            "uuid": "b2" * 18,
            "direction": "outbound",
            "name": "sofia/internal/1001@10.0.0.21:5060",
            "cid_num": "13700002222",
            "callstate": "HELD",
            "presence_id": "1001@10.0.0.5",
        },
        {
            "uuid": "c3" * 18,
            "direction": "inbound",
            "name": "sofia/external/13700002222@gw",
            "cid_num": "13700002222",
            "callstate": "ACTIVE",
        },
    ]
    esl.agent_status = "On Break"
    esl.drop()
    down, *missed, back = await take_events(link, 7)
    assert isinstance(down, LinkDown) and down.retrying
    assert isinstance(back, LinkUp) and back.resynced
    assert [type(e).__name__ for e in missed] == ["HungUp", "Ringing", "Answered", "Held", "AgentStateChanged"]
    assert all(e.replayed for e in missed)
    assert missed[0].call_id == AGENT_LEG and missed[1].call_id == "b2" * 18 and missed[1].caller == "13700002222"
    assert missed[4].state is AgentState.NOT_READY
    assert esl.connections == 2 and esl.received.count("api show channels as json") == 2


async def test_a_frozen_switch_is_noticed_by_the_ping(esl, esl_link, take_events):
    link = await up(esl_link, take_events)
    esl.silent = True  # the socket stays open, nothing answers: no heartbeat, no api reply
    [down] = await take_events(link, 1)
    assert isinstance(down, LinkDown) and "ping" in down.reason
    assert "api uptime" in esl.received
    esl.silent = False
    [back] = await take_events(link, 1)
    assert isinstance(back, LinkUp) and back.resynced and link.is_up
