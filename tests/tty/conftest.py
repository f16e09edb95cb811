"""Fixtures for driving `hotline seat` in a real terminal (tmux), as an operator's terminal does.

``tmux_seat(size=(120, 36), args=())`` starts a seat on a fresh demo database (``hotline db init
--demo``) in a detached tmux session and returns a `TmuxSeat` (scripts/tmux_seat.py); every seat
started is killed and its session closed at the end. tmux is installed when missing and the
tests run as root (CI); otherwise they are skipped with the reason.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from tmux_seat import TmuxSeat, ensure_tmux, make_db  # noqa: E402


@pytest.fixture(scope="session")
def tmux_ready() -> None:
    if not ensure_tmux():
        pytest.skip("tmux is not installed (apt-get install tmux) and cannot be installed here")


@pytest.fixture
def seat_db(tmp_path) -> Path:
    return make_db(tmp_path / "seat.db")


@pytest.fixture
def tmux_seat(tmux_ready, seat_db):
    started: list[TmuxSeat] = []

    def start(size: tuple[int, int] = (120, 36), args: tuple[str, ...] = ()) -> TmuxSeat:
        seat = TmuxSeat(seat_db, size=size, args=args).start()
        started.append(seat)
        return seat

    start.db = seat_db  # type: ignore[attr-defined]
    yield start
    for seat in started:
        seat.close()
