"""The phone system's record of a call, as the ticket view shows it (issue 19, R11.1).

A supervisor handling a complaint about an operator finds the call here: its id, queue and agent,
when it rang, was answered, held, transferred and hung up, why it ended, and the recording's
reference on the switch."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from ..safe import caller_text

TRANSFER_NAMES = {"blind": "直接转接", "attended": "咨询后转接", "three_way": "三方通话"}
TRANSFER_RESULTS = {"done": "已接通", "failed": "未成功", "offline": "电话条离线，未转接"}
HANGUP_NAMES = {
    "NORMAL_CLEARING": "正常挂机",
    "ORIGINATOR_CANCEL": "振铃中来电方挂断",
    "BLIND_TRANSFER": "已转出",
    "ATTENDED_TRANSFER": "已转出",
    "UNKNOWN": "挂机（原因未知，电话条曾离线）",
}


def _t(at: datetime | None, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M:%S") if at else "—"


def call_lines(call, tz: tzinfo) -> Text:
    """`call`: a domain `CallLog`. Values from the switch are shown as data, never markup."""
    text = Text(end="")
    text.append("通话记录 ", style="bold cyan")
    text.append_text(caller_text(call.call_id))
    for label, value in (("  队列 ", call.queue), ("  坐席 ", call.agent)):
        if value:
            text.append(label)
            text.append_text(caller_text(value))
    if call.direction == "outbound":
        text.append("  外呼")
    day = call.ring_at or call.answer_at or call.hangup_at
    text.append("\n  ")
    if day:
        text.append(day.astimezone(tz).strftime("%Y-%m-%d "))
    text.append(f"振铃 {_t(call.ring_at, tz)}  接听 {_t(call.answer_at, tz)}  挂机 {_t(call.hangup_at, tz)}")
    if call.ring_at and call.answer_at:
        text.append(f"  （{int((call.answer_at - call.ring_at).total_seconds())} 秒接听）")
    for h in call.holds:
        text.append(f"\n  保持 {_t(h.held_at, tz)}–{_t(h.resumed_at, tz)}")
    for x in call.transfers:
        text.append(f"\n  {TRANSFER_NAMES.get(x.mode, x.mode)} {_t(x.at, tz)} → ")
        text.append_text(caller_text(x.target))
    if call.hangup_cause:
        text.append("\n  结束原因 ")
        text.append_text(caller_text(f"{HANGUP_NAMES.get(call.hangup_cause, '')} {call.hangup_cause}".strip()))
    text.append("\n  录音 ")
    if call.recordings:
        text.append_text(caller_text("、".join(call.recordings), "bold"))
    else:
        text.append("（交换机未报告录音）", style="dim")
    text.append("\n")
    return text
