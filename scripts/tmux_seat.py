"""Drive `hotline seat` in a real terminal: tmux (issue 14).

A seat runs in a detached tmux session of a given size; keys go in through `tmux send-keys` (a burst
is one `send-keys` call, read by the seat as a terminal delivers a paste), the screen comes out
through `capture-pane`, and the seat can be killed with SIGKILL like a power cut. Used by
`tests/tty/` and `scripts/kill_while_typing.py`.

    with TmuxSeat(db, size=(120, 36)) as seat:
        seat.wait_complete()
        seat.keys("13800001111", "Enter")     # tmux key names (Enter, Tab, F6, Escape) and text
        seat.type_slowly("暖气不热", per_second=10)
        seat.kill()                           # SIGKILL

Needs tmux (`apt-get install tmux`); `ensure_tmux()` installs it when running as root.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOTLINE = ROOT / ".venv" / "bin" / "hotline"


def ensure_tmux() -> bool:
    """tmux is there, or was installed now (root only); False when it cannot be had."""
    if shutil.which("tmux"):
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(["apt-get", "install", "-y", "-q", "tmux"], check=False, **quiet)
    if not shutil.which("tmux"):
        subprocess.run(["apt-get", "update", "-q"], check=False, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "tmux"], check=False, **quiet)
    return bool(shutil.which("tmux"))


def make_db(path: Path, demo: bool = True) -> Path:
    """A seat database made the way an operator makes one (`hotline db init`)."""
    env = {**os.environ, "HOTLINE_DB": str(path)}
    subprocess.run(
        [str(HOTLINE), "db", "init", *(["--demo"] if demo else [])], env=env, check=True, capture_output=True
    )
    return path


def read_draft(db: Path) -> dict | None:
    """The autosaved form, as a restarted seat would find it."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT data FROM drafts WHERE slot = 'intake'").fetchone()
    finally:
        conn.close()
    return json.loads(row[0]) if row else None


class TmuxSeat:
    def __init__(
        self, db: Path, size: tuple[int, int] = (120, 36), args: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> None:
        self.db = Path(db)
        self.extra_env = dict(env or {})  # e.g. HOTLINE_CTI_PASSWORD, HOTLINE_POLICY
        self.size = size
        self.args = args
        self.session = f"seat-{uuid.uuid4().hex[:8]}"
        # A tmux server of its own (-L): seats in parallel tests, or the user's own tmux, never
        # share one, so one ending cannot take another's server down mid-start.
        self.tmux = ["tmux", "-L", f"hotline-{self.session}"]
        self.ready_file = self.db.with_name(f"{self.session}.ready")
        self.pid: int | None = None

    # --- life --------------------------------------------------------------------------------

    def start(self) -> TmuxSeat:
        env = {
            "HOTLINE_DB": str(self.db),
            "HOTLINE_CONFIG_DIR": str(self.db.parent / "config"),
            "HOTLINE_READY_FILE": str(self.ready_file),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOTLINE_OPERATOR": "tty-test",
            **self.extra_env,
        }
        for stale in (self.ready_file, Path(f"{self.ready_file}.complete")):
            stale.unlink(missing_ok=True)
        # COLUMNS/LINES are dropped: the seat must read its size from the terminal. A test process
        # that loaded GNU readline has them set to 80×24 in its C environment (readline exports the
        # size it found at start-up), which tmux hands on, and Textual would believe them over the
        # pane: the "120×36" tests ran at 80×24 until this.
        command = " ".join(
            [
                "env",
                "-u",
                "COLUMNS",
                "-u",
                "LINES",
                *(f"{k}={v}" for k, v in env.items()),
                str(HOTLINE),
                "seat",
                *self.args,
            ]
        )
        w, h = self.size
        subprocess.run(
            [*self.tmux, "-u", "new-session", "-d", "-s", self.session, "-x", str(w), "-y", str(h), command], check=True
        )
        out = subprocess.run(
            [*self.tmux, "display-message", "-p", "-t", self.session, "#{pane_pid}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        self.pid = int(out.strip())
        return self

    def wait_complete(self, timeout: float = 30.0) -> float:
        """Until the seat has finished starting (the rules, the whole form, the side panels)."""
        done = Path(f"{self.ready_file}.complete")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done.exists():
                time.sleep(0.2)  # its frame is painted; let the first lookups settle
                return float(done.read_text())
            time.sleep(0.05)
        raise TimeoutError(f"the seat did not finish starting:\n{self.screen()}")

    def kill(self) -> None:
        """SIGKILL, as a crash or a power cut: no handler runs, nothing is flushed."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pid = None

    def close(self) -> None:
        self.kill()
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)
        for f in (self.ready_file, Path(f"{self.ready_file}.complete")):
            f.unlink(missing_ok=True)

    def __enter__(self) -> TmuxSeat:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- keys and screen -----------------------------------------------------------------------

    def keys(self, *keys: str) -> None:
        """One `send-keys` call: tmux key names (Enter, Tab, F6) as keys, anything else as text."""
        names = {
            "Enter",
            "Tab",
            "BTab",
            "Escape",
            "BSpace",
            "DC",
            "Home",
            "End",
            "Up",
            "Down",
            "Left",
            "Right",
            "Space",
            *(f"F{n}" for n in range(1, 13)),
            *(f"C-{c}" for c in "abcdefghijklmnopqrstuvwxyz"),
        }
        # send-keys -l makes every argument literal, so text and key names go in separate calls
        # joined by tmux's command separator: still one command list, read by tmux at once.
        cmd: list[str] = list(self.tmux)
        for k in keys:
            if cmd != self.tmux:
                cmd.append(";")
            cmd += ["send-keys", "-t", self.session] + ([k] if k in names else ["-l", k])
        subprocess.run(cmd, check=True)

    def type_slowly(self, text: str, per_second: float = 10.0, on_key=None) -> None:
        """One character at a time, `per_second` of them (a person typing)."""
        gap = 1.0 / per_second
        next_at = time.monotonic()
        for i, ch in enumerate(text):
            subprocess.run(
                [*self.tmux, "send-keys", "-t", self.session, "-l", ch], check=True, stderr=subprocess.DEVNULL
            )
            if on_key is not None:
                on_key(i + 1)
            next_at += gap
            time.sleep(max(0.0, next_at - time.monotonic()))

    def screen(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.session], capture_output=True, text=True
        ).stdout

    def wait_for(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.05)
        raise TimeoutError(f"{text!r} never appeared:\n{self.screen()}")
