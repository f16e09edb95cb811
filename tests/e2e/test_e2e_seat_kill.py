"""R16.1: the seat's sync process is killed (SIGKILL) while pushing; the next sync finishes the
job with nothing lost and nothing doubled."""

from __future__ import annotations

import signal

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.rule("R16.1")]


def test_seat_killed_mid_sync(backend, seat, delivered, until):
    total = seat.record(500)
    push = seat.sync_cli(backend.url, backend.tokens["seat"], "--batch", "10")
    assert until(lambda: seat.depth() <= total - 200), "the push never started"
    push.send_signal(signal.SIGKILL)
    push.wait()
    assert 0 < seat.depth() < total
    seat.sync_until_done(backend.url, backend.tokens["seat"])
    delivered(backend, seat)
