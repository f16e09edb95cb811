"""Arabic, Hebrew and emoji at paste speed in a real terminal (tmux): the words keep their order and
the boxes keep their borders (issue 14: "Emoji and RTL text leave debris at the box border").

The text carries what makes terminals and Rich disagree or forms rewrite it: combining marks
(harakat, niqqud), Arabic-Indic digits, a right-to-left mark, and an emoji with a skin-tone modifier
that the form drops (ui/safe.py). Until the form kept the cursor where it was when it dropped it,
the rest of the burst went in before the text.
"""

from __future__ import annotations

import time

import pytest
from rich.cells import cell_len
from tmux_seat import read_draft

from operator_tui.ui.safe import clean_text

pytestmark = pytest.mark.slow

MIXED = "شَارِعُ الْمَدِينَةِ 😀👍🏽 رَقْمُ ١٢٣\u200f וְ שְׁכוּנַת הַתִּקְוָה 暖气 "
BORDERS = "▏│▎▊╮╯"


def border_columns(screen: str) -> dict[int, tuple[int, ...]]:
    """Row → the terminal columns of the box borders drawn on it."""
    return {
        n: tuple(cell_len(line[:i]) for i, ch in enumerate(line) if ch in BORDERS)
        for n, line in enumerate(screen.splitlines())
    }


def settle(seat, seconds: float = 0.3) -> dict[int, tuple[int, ...]]:
    time.sleep(seconds)
    return border_columns(seat.screen())


@pytest.mark.rule("R19.1")
def test_mixed_scripts_keep_their_order_and_the_borders_stay_put(tmux_seat):
    seat = tmux_seat(size=(120, 36))
    seat.wait_complete()
    before = settle(seat, 0.1)
    assert max(cell_len(line) for line in seat.screen().splitlines()) == 120, "the seat fills the terminal"
    # address (a one-line box that scrolls), then the description (a box that wraps), each a burst
    seat.keys("13800001111", "Enter", MIXED * 2, "Enter", "tdzq", "Enter", MIXED * 4)
    deadline = time.monotonic() + 8
    expected = clean_text(MIXED * 4)
    while time.monotonic() < deadline:
        form = (read_draft(tmux_seat.db) or {}).get("form", {})
        if form.get("description") == expected:
            break
        time.sleep(0.1)
    assert form["description"] == expected, "the burst kept its order"
    assert form["appellant"]["address"].strip() == clean_text(MIXED * 2).strip()
    moved = []
    # then edit inside the text the way an operator corrects it: walk, delete, jump to the ends
    for keys in [
        ("Left",) * 7,
        ("BSpace", "BSpace"),
        ("Up",),
        ("End",),
        ("Home",),
        ("BTab",) * 6,
        ("End",),
        ("Left",) * 5,
        ("BSpace",),
    ]:
        seat.keys(*keys)
        now = settle(seat)
        moved += [
            (n, keys[0], before[n], now.get(n)) for n in before if n > 0 and before[n] and now.get(n) != before[n]
        ]
    assert moved == [], "a border moved or left debris"
