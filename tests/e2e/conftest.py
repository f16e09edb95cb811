"""Real processes on 127.0.0.1: the server (`hotline server`) and, where a test says so, the seat
(`hotline sync`, or a small runner with a skewed clock). Ports are free ones picked at run time.

``backend``        a started `ServerProcess` on a fresh database (SQLite, then PostgreSQL: ``server_db``): ``.url``, ``.port``, ``.db``,
                   ``.tokens`` (seat 012, admin), ``.kill()`` (SIGKILL), ``.start()``, ``.stop()``.
``seat``           a `Seat`: its store (seat code 012), ``.record(n_tickets, at=None)`` (4 events each:
                   register, accept, dispatch, note — written offline, as the seat would),
                   ``.sync_cli(url, token, *args)`` (a `hotline sync` Popen), ``.runner(url, token, ...)``
                   (a seat process running SyncService until done, clock offset optional).
``server_process`` ``server_process(db, tokens)``: start one more server on any database.
``second_server``  another started `ServerProcess` on ``backend``'s database (two processes, one database).
``centre``         a started `ServerProcess` with seats 001, 002 and 003 enrolled (``.tokens`` by seat code).
``sync_db``        ``sync_db(db, url, token)``: `hotline sync --quiet` on a seat database, as a finished
                   process (``.returncode``, ``.stderr``).
``delivered(backend, seat)``  every seat event on the server exactly once, the outbox empty,
                   no conflicts, as many tickets on both sides. ``until(condition)`` polls.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from ulid import ULID

from operator_tui.domain.deadlines import running_clock
from operator_tui.domain.model import Event, Role
from operator_tui.store import meta, outbox, tickets
from operator_tui.store.db import Store
from server_stub import bootstrap
from server_stub.storage import Storage

ROOT = Path(__file__).resolve().parents[2]
MAIN = "import sys; from operator_tui.cli import main; main(sys.argv[1:])"
RUNNER = """
import sys, time, httpx
from datetime import datetime, timedelta, timezone
from pathlib import Path
from operator_tui.config import default_rules
from operator_tui.store.db import Store
from operator_tui.sync.backoff import Backoff
from operator_tui.sync.client import HotlineClient
from operator_tui.sync.service import SyncService
db, url, token, batch, offset_s, rounds = sys.argv[1:7]
clock = lambda: datetime.now(timezone.utc) + timedelta(seconds=float(offset_s))
store = Store.open(Path(db))
with httpx.Client(base_url=url, timeout=10) as http:
    client = HotlineClient(http, token, backoff=Backoff(base=0.05, cap=0.5, attempts=8), clock=clock)
    service = SyncService(store, client, default_rules(), batch_size=int(batch), clock=clock)
    for _ in range(int(rounds)):
        report = service.sync_once()
        print(report, flush=True)
        if report.ok and service.status().outbox_depth == 0:
            sys.exit(0)
        time.sleep(0.2)
sys.exit(1)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float = 60.0, every: float = 0.01) -> bool:
    """Poll `condition` until it holds; the timeout only bounds a hung test, it is not a measure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    e["PYTHONPATH"] = str(ROOT)
    return e


@dataclass
class ServerProcess:
    db: Path | str  # a SQLite file or a PostgreSQL URL: the fixtures run each test on both engines
    port: int
    log: Path
    tokens: dict[str, str]
    proc: subprocess.Popen | None = None
    extra: tuple[str, ...] = ()

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Rows from the server's database, on either engine (`?` placeholders). A SQLite file is
        read through a connection of its own, opened read-only and closed: never a second
        `Storage` on a file the server has open."""
        if isinstance(self.db, Path):
            conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple(r) for r in conn.execute(sql, args)]
            finally:
                conn.close()
        with Storage.open(self.db) as storage, storage.read() as tx:
            return [tuple(r) for r in tx._all(sql, args)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    MAIN,
                    "server",
                    "--db",
                    str(self.db),
                    "--port",
                    str(self.port),
                    "--sweep-every",
                    "0",
                    "--log-level",
                    "warning",
                    *self.extra,
                ],
                cwd=ROOT,
                env=env(),
                stdout=log,
                stderr=log,
            )

        def up() -> bool:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        assert wait_until(up, every=0.05), "the server did not come up"

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def event_count(self) -> int:
        return self.query("SELECT count(*) FROM events")[0][0]


@pytest.fixture
def backend(tmp_path, server_db, rules):
    db = server_db
    tokens = {}
    for p, token in bootstrap.init(db, datetime.now(UTC), seats=["012"], known_units=rules.taxonomy.units):
        tokens["seat" if p.seat else p.role.value] = token
    server = ServerProcess(db, free_port(), tmp_path / "server.log", tokens)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server_process(tmp_path):
    """``server_process(db, tokens)``: a started `ServerProcess` on `db` (stopped after the test)."""
    started: list[ServerProcess] = []

    def start(db: Path | str, tokens: dict[str, str]) -> ServerProcess:
        server = ServerProcess(db, free_port(), tmp_path / f"server{len(started)}.log", tokens)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def second_server(backend, tmp_path):
    """Another `hotline server` process on `backend`'s database (several processes: PostgreSQL)."""
    other = ServerProcess(backend.db, free_port(), tmp_path / "server2.log", backend.tokens)
    other.start()
    yield other
    other.stop()


@pytest.fixture
def centre(tmp_path, server_db, rules):
    db = server_db
    tokens = {
        p.seat or p.role.value: t
        for p, t in bootstrap.init(db, datetime.now(UTC), seats=["001", "002", "003"], known_units=rules.taxonomy.units)
    }
    server = ServerProcess(db, free_port(), tmp_path / "server.log", tokens)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sync_db():
    def run(db: Path, url: str, token: str) -> subprocess.CompletedProcess:
        e = {**env(), "HOTLINE_DB": str(db), "HOTLINE_SERVER": url, "HOTLINE_TOKEN": token}
        return subprocess.run(
            [sys.executable, "-c", MAIN, "sync", "--quiet", "--timeout", "2"],
            cwd=ROOT,
            env=e,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@dataclass
class Seat:
    store: Store
    rules: object
    form: object
    tmp: Path

    @property
    def db(self) -> Path:
        return self.store.path

    def record(self, n_tickets: int, at: datetime | None = None) -> int:
        """`n_tickets` tickets, 4 events each, saved as `Desk` saves them (event, projection and
        outbox row together), 500 tickets per transaction to keep the test quick."""
        at = at or datetime.now(UTC)
        wf, made = self.rules.workflow, 0
        for start in range(0, n_tickets, 500):
            with self.store.transaction() as db:
                seat = meta.seat_code(db)
                for _ in range(min(500, n_tickets - start)):
                    number = meta.allocate_number(db, at.astimezone(self.rules.policy.tz).date())
                    tid = str(ULID.from_datetime(at))
                    steps = [
                        ("register", {**self.form(), "number": number}),
                        ("accept", {}),
                        ("dispatch", {"lead_unit": "heat_group"}),
                        ("add_note", {"text": "来电人补充情况"}),
                    ]
                    events = [
                        Event(
                            id=str(ULID.from_datetime(at)),
                            ticket_id=tid,
                            kind=k,
                            actor="op-e2e",
                            role=Role.OPERATOR,
                            seat=seat,
                            at=at,
                            payload=p,
                        )
                        for k, p in steps
                    ]
                    ticket = None
                    for e in events:
                        ticket = wf.apply(ticket, e, at)
                    tickets.save(db, ticket, events, running_clock(ticket, at, wf.clocks, wf.taxonomy), at)
                    made += len(events)
        return made

    def depth(self) -> int:
        with self.store.connect() as db:
            return outbox.depth(db)

    def sync_cli(self, url: str, token: str, *args: str) -> subprocess.Popen:
        e = {**env(), "HOTLINE_DB": str(self.db), "HOTLINE_SERVER": url, "HOTLINE_TOKEN": token}
        return subprocess.Popen(
            [sys.executable, "-c", MAIN, "sync", "--quiet", *args],
            cwd=ROOT,
            env=e,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def runner(
        self, url: str, token: str, *, batch: int = 100, offset: timedelta = timedelta(0), rounds: int = 50
    ) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                RUNNER,
                str(self.db),
                url,
                token,
                str(batch),
                str(offset.total_seconds()),
                str(rounds),
            ],
            cwd=ROOT,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def sync_until_done(self, url: str, token: str, tries: int = 5) -> None:
        """`hotline sync` until it exits 0 (a run may end offline while a server restarts)."""
        outputs = []
        for _ in range(tries):
            proc = self.sync_cli(url, token, "--batch", "200")
            out, _ = proc.communicate(timeout=300)
            outputs.append(out)
            if proc.returncode == 0:
                return
        raise AssertionError("sync never completed:\n" + "\n".join(outputs))


@pytest.fixture
def seat(tmp_path, rules, form) -> Seat:
    store = Store.open(tmp_path / "seat.db")
    with store.transaction() as db:
        meta.put(db, "seat_code", "012")
    return Seat(store, rules, form, tmp_path)


def assert_delivered(backend: ServerProcess, seat: Seat) -> None:
    with seat.store.connect() as db:
        local = [r[0] for r in db.conn.execute("SELECT id FROM events")]
        local_tickets = db.conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        assert outbox.depth(db) == 0
        assert outbox.conflicts(db, include_resolved=True) == []
    remote = [r[0] for r in backend.query("SELECT id FROM events")]
    remote_tickets = backend.query("SELECT count(*) FROM tickets")[0][0]
    assert len(remote) == len(set(remote)) == len(local) == len(set(local))  # exactly once each
    assert set(remote) == set(local)
    assert remote_tickets == local_tickets


@pytest.fixture
def delivered():
    """``server_process`` ``server_process(db, tokens)``: start one more server on any database.
    ``second_server``  another started `ServerProcess` on ``backend``'s database (two processes, one database).
    ``centre``         a started `ServerProcess` with seats 001, 002 and 003 enrolled (``.tokens`` by seat code).
    ``sync_db``        ``sync_db(db, url, token)``: `hotline sync --quiet` on a seat database, as a finished
                       process (``.returncode``, ``.stderr``).
    ``delivered(backend, seat)``: see `assert_delivered`."""
    return assert_delivered


@pytest.fixture
def until():
    """``until(condition, timeout=60)``: poll until `condition()` holds (bounds a hung test only)."""
    return wait_until
