"""A real `hotline server` process on 127.0.0.1 for tests that talk to it as other programs do
(a GeoReport client, a browser): started on a free port over a database, ready once /healthz
answers, stopped at the end. Its output goes to a log file that a failed start shows."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MAIN = "import sys; from operator_tui.cli import main; main(sys.argv[1:])"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(db: Path | str, log: Path) -> Iterator[str]:
    """Yields the server's URL. The test's own HOTLINE_* settings are not handed on: the server
    reads only its command line."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")} | {"PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", MAIN, "server", "--db", str(db), "--port", str(port)]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [*argv, "--sweep-every", "0", "--log-level", "warning"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # bounds a hung start only; not a measure
    try:
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
