"""The seat in a real terminal (tmux), under a fast typist and a power cut (issue 14).

Keys go in through `tmux send-keys`: a burst is one send, which the seat reads as a terminal
delivers a paste or a typist on a loaded machine. What the seat kept is read back the way it would
be after a crash: the autosaved draft in its database, and the screen of a restarted seat.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from tmux_seat import read_draft

pytestmark = pytest.mark.slow  # each starts one or two seat processes (a few seconds)


def wait_for_draft(db, check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        draft = read_draft(db)
        if draft and check(draft):
            return draft
        time.sleep(0.1)
    return read_draft(db)


@pytest.mark.rule("R19.1")
def test_a_burst_typed_into_a_picker_goes_to_one_picker_and_on(tmux_seat):
    """Number ⏎ address ⏎ `tdzq` ⏎ description, all in one burst at 120×36."""
    seat = tmux_seat(size=(120, 36))
    seat.wait_complete()
    seat.keys("13800001111", "Enter", "铁东区站前街道7号楼", "Enter", "tdzq", "Enter", "暖气不热")
    draft = wait_for_draft(tmux_seat.db, lambda d: d["form"]["description"] == "暖气不热")
    form = draft["form"]
    assert form["appellant"]["phone"] == "13800001111"
    assert form["appellant"]["address"] == "铁东区站前街道7号楼"
    assert form["place"] == "tiedong.站前街道"
    assert form["description"] == "暖气不热"
    screen = seat.screen()
    assert "选择区县/街道" not in screen, "no picker left open"
    assert "区县/街道：铁东区站前街道" in screen


@pytest.mark.rule("R16.1")
def test_killed_0_1_s_after_typing_at_10_per_second_keeps_the_description(tmux_seat):
    """Typed at 10 characters a second, SIGKILL 0.1 s after the last key, started again: the
    restarted seat shows the description but for at most the last half second (5 characters)."""
    seat = tmux_seat(size=(120, 36))
    seat.wait_complete()
    seat.keys("13800001111", "Enter", "铁东区站前街道7号楼", "Enter", "Tab")
    time.sleep(0.5)
    text = "家里暖气一直不热卧室只有十五度老人冻感冒了"  # 21 characters, ~2 s
    seat.type_slowly(text, per_second=10)
    time.sleep(0.1)
    seat.kill()
    kept = (read_draft(tmux_seat.db) or {}).get("form", {}).get("description", "")
    assert text.startswith(kept), (kept, text)
    if len(text) - len(kept) > 5:  # say what the seat showed, for the diagnosis
        again = tmux_seat(size=(120, 36))
        again.wait_complete()
        pytest.fail(f"lost {len(text) - len(kept)} characters: kept {kept!r}; restarted:\n{again.screen()}")
    again = tmux_seat(size=(120, 36))
    again.wait_complete()
    screen = again.wait_for("已恢复", timeout=10)
    assert kept[:10] in screen


@pytest.mark.rule("R13.1")
@pytest.mark.rule("R20.2")
def test_a_standard_call_takes_at_most_17_keys_beyond_the_callers_words(tmux_seat):
    """A known caller (the phone system gives the number), a heating complaint, dispatched; keys
    at paste speed at 120×36. Counted: every key that is not the caller's words."""
    seat = tmux_seat(size=(120, 36), args=("--caller", "13912345678"))
    seat.wait_complete()
    words = {
        "name": "马先生",
        "address": "铁东区站前街道54号楼5单元101",
        "description": "家里暖气还是不热卧室只有十五度",
    }
    # name ⏎ (phone given) ⏎ address ⏎ place: tdzq ⏎ description Tab type: t ⏎ matter: gn ⏎ F6 ⏎
    steps = [
        words["name"],
        "Enter",
        "Enter",
        words["address"],
        "Enter",
        *"tdzq",
        "Enter",
        words["description"],
        "Tab",
        "t",
        "Enter",
        *"gn",
        "Enter",
        "F6",
        "Enter",
    ]
    keys = sum(1 for s in steps if s not in words.values())
    assert keys == 16  # the figure: at most 17
    seat.keys(*steps)
    screen = seat.wait_for("已保存", timeout=15)
    conn = sqlite3.connect(tmux_seat.db)
    try:
        row = conn.execute(
            "SELECT number, status, matter, place, lead_unit FROM tickets WHERE phone = ? "
            "ORDER BY registered_at DESC LIMIT 1",
            ("13912345678",),
        ).fetchone()
    finally:
        conn.close()
    number, status, matter, place, lead = row
    assert (status, matter, place, lead) == ("dispatched", "heating_temperature", "tiedong.站前街道", "heat_group")
    assert f"{number[:6]} {number[6:9]} {number[9:]}" in screen
    assert "已转办" in screen or "待单位签收" in screen
    assert "话后整理" in screen  # the call ended with its ticket; after-call work counts down


@pytest.mark.rule("R19.1")
@pytest.mark.rule("R13.1")
def test_the_standard_call_with_the_suggestions_takes_12_keys(tmux_seat):
    """The same call confirming the seat's proposals (issue 13 part 4): the place from the address,
    投诉 and 供暖温度不达标 from the description, each opened with Enter and confirmed with Enter.
    Keys at paste speed: the pickers ask the suggester as they open, not after the debounce."""
    seat = tmux_seat(size=(120, 36), args=("--caller", "13912345678"))
    seat.wait_complete()
    words = {
        "name": "马先生",
        "address": "铁东区站前街道54号楼5单元101",
        "description": "家里暖气还是不热卧室只有十五度",
    }
    # name ⏎ (phone given) ⏎ address ⏎ place ⏎⏎ description Tab type ⏎⏎ matter ⏎⏎ F6 ⏎
    steps = [
        words["name"],
        "Enter",
        "Enter",
        words["address"],
        "Enter",
        "Enter",
        "Enter",
        words["description"],
        "Tab",
        "Enter",
        "Enter",
        "Enter",
        "Enter",
        "F6",
        "Enter",
    ]
    keys = sum(1 for s in steps if s not in words.values())
    assert keys == 12  # 16 without the suggestions
    seat.keys(*steps)
    seat.wait_for("已保存", timeout=15)
    conn = sqlite3.connect(tmux_seat.db)
    try:
        row = conn.execute(
            "SELECT status, appeal_type, matter, place, lead_unit FROM tickets WHERE phone = ? "
            "ORDER BY registered_at DESC LIMIT 1",
            ("13912345678",),
        ).fetchone()
    finally:
        conn.close()
    assert row == ("dispatched", "complaint", "heating_temperature", "tiedong.站前街道", "heat_group")
