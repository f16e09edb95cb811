"""The seat killed with SIGKILL mid-call keeps the caller's words (issue 3: draft autosave).

A real `hotline seat` process on a pseudo-terminal: keys are typed as bytes, the process is killed
without warning, and the draft must be in the database and come back on the next start.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from operator_tui.store import drafts
from operator_tui.store.db import Store

HOTLINE = str(Path(sys.executable).with_name("hotline"))
WORDS = "楼上每天半夜装修电钻声音特别大"


def spawn(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    proc = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True
    )
    os.close(slave)
    return proc, master


def drain(master: int, seconds: float) -> bytes:
    out, end = b"", time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
    return out


def wait_ready(master: int, ready: Path, timeout: float = 30) -> None:
    end = time.time() + timeout
    while not ready.exists() and time.time() < end:
        drain(master, 0.1)
    assert ready.exists(), "the seat never showed its first frame"


@pytest.mark.slow
def test_draft_survives_sigkill(tmp_path):
    db = tmp_path / "seat.db"
    ready = tmp_path / "ready"
    env = {
        **os.environ,
        "HOTLINE_DB": str(db),
        "HOTLINE_CONFIG_DIR": str(tmp_path / "cfg"),
        "TERM": "xterm-256color",
        "HOTLINE_READY_FILE": str(ready),
    }
    subprocess.run([HOTLINE, "db", "init"], env=env, check=True, capture_output=True)
    proc, master = spawn([HOTLINE, "seat", "--caller", "13912340000"], env)
    try:
        wait_ready(master, ready)
        # Focus is on the name; Enter moves on: name → phone → address → place, Tab → description.
        for chunk in ("王先生".encode(), b"\r", b"\r", "铁西区".encode(), b"\r", b"\t"):
            os.write(master, chunk)
            drain(master, 0.3)
        for ch in WORDS:  # typed, not pasted: one character at a time
            os.write(master, ch.encode())
            drain(master, 0.03)
        drain(master, 1.2)  # the autosave comes within 1 s of the last keystroke
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        os.close(master)
    assert proc.returncode == -signal.SIGKILL
    with Store(db).connect() as conn:
        draft = drafts.load(conn)
    assert draft is not None
    assert draft["form"]["description"] == WORDS
    assert draft["form"]["appellant"]["name"] == "王先生" and draft["form"]["appellant"]["phone"] == "13912340000"

    # Start again on the same file: the draft comes back into the form.
    import asyncio

    from operator_tui.cli.seat_cmd import build_context
    from operator_tui.settings import Settings
    from operator_tui.ui.app import make_app

    async def restart() -> dict:
        app = make_app(build_context(Settings.resolve(db=db, operator="op")))
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
            await pilot.pause()
            return app.screen.form.data()

    form = asyncio.run(restart())
    assert form["description"] == WORDS and form["appellant"]["name"] == "王先生"
