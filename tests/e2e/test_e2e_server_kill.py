"""R16.1: the server is killed (SIGKILL) in the middle of a seat's push, then restarted; in the end
every event is on the server exactly once and the seat's outbox is empty."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.rule("R16.1"), pytest.mark.rule("R29.1")]


def test_server_killed_mid_push_then_restarted(backend, seat, delivered, until):
    total = seat.record(500)
    push = seat.sync_cli(backend.url, backend.tokens["seat"], "--batch", "10")
    assert until(lambda: backend.event_count() >= 200), "the push never started"
    assert push.poll() is None, "the push ended before the kill; nothing was tested"
    backend.kill()
    mid = backend.event_count()
    assert 0 < mid < total
    backend.start()
    push.communicate(timeout=300)  # ends done, or offline if its retries ran out while the server was down
    seat.sync_until_done(backend.url, backend.tokens["seat"])
    delivered(backend, seat)
