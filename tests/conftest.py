"""Shared fixtures for the whole suite.

Every fixture here is general on purpose: tests in any folder (domain, store, cli, ui, server, kb)
may use them without a conftest of their own.

Fixtures and helpers
--------------------
``rules``       the packaged rules (taxonomy, policy, calendar, workflow), loaded once per session
                with ``HOTLINE_HOLIDAYS``/``HOTLINE_POLICY`` ignored, so the runner's environment
                cannot change an answer.
``clock_at``    ``clock_at("2026-09-30T10:00")`` or ``clock_at(2026, 9, 30, 10)``: an aware datetime
                in Asia/Shanghai (an ISO string with its own offset is kept as written).
``event``       ``event(kind, ticket_id, payload=None, role=Role.OPERATOR, at=None, actor=None,
                seat="001")``: an `Event` with a fresh ULID id.
``registered``  ``registered(at=None, **form_overrides)``: a ticket just registered through
                ``Workflow.apply`` (form keys: name, phone, address, kind, vulnerable, appeal_type,
                scope, matter, place, description, channel, number, ticket_id).
``act``         ``act(ticket, kind, payload=None, role=None, at=None, actor=None)``: apply one event; the role
                defaults to the first of operator/supervisor/admin/unit/system the table allows,
                and a unit event without ``unit`` gets the ticket's lead unit. Events default to one
                hour after the ticket's last change.
``ticket_in``   ``ticket_in(status, at=None, **form_overrides)``: a ticket walked to ``status`` by
                the usual path (register → accept → dispatch → receive → respond → …), one hour
                per step from ``at`` (default ``T0``); the lead unit is ``heat_group``.
``extension_request``  ``extension_request(ticket, at, days=14)``: a valid R22.2 payload.
``store``       a migrated `Store` in ``tmp_path/"seat.db"``.
``cli``         ``cli("ticket", "list", "--json")`` runs ``operator_tui.cli.main`` in-process with
                ``HOTLINE_DB`` pointed at ``tmp_path/"seat.db"`` and returns a `CliResult`
                (``code``, ``out``, ``err``, ``err_lines``, ``json()``). ``cli.db_path`` is that file;
                the ``default_rules`` cache is cleared around each call so env changes take effect.
``t0``          Monday 2026-11-02 09:00 Asia/Shanghai (a plain working week), the default time.
``form``        ``form(**overrides)``: a valid intake form (same keys as ``registered``).

Tests import nothing from this file (it is not a package module); they take fixtures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ulid import ULID

from operator_tui.config import Rules, default_rules, load_rules
from operator_tui.domain.model import Event, Role, Status, Ticket
from operator_tui.domain.workflow import TRANSITIONS
from operator_tui.store.db import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday; the week has no holiday
LEAD_UNIT = "heat_group"

FORM: dict[str, Any] = {
    "appellant": {
        "name": "王先生",
        "phone": "13912345678",
        "address": "铁东区站前街道1号楼2单元301",
        "kind": "person",
        "vulnerable": [],
    },
    "appeal_type": "complaint",
    "matter": "heating_temperature",
    "place": "tiedong.站前街道",
    "description": "家里暖气不热，室温只有15度。",
    "channel": "hotline_8890",
}

_APPELLANT_KEYS = ("name", "phone", "address", "kind", "vulnerable")
_ROLE_PREFERENCE = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN, Role.UNIT, Role.SYSTEM)


def local(*args: Any) -> datetime:
    """An aware datetime in Asia/Shanghai from an ISO string or from datetime() arguments."""
    if len(args) == 1 and isinstance(args[0], str):
        at = datetime.fromisoformat(args[0])
        return at if at.tzinfo else at.replace(tzinfo=SHANGHAI)
    if len(args) == 1 and isinstance(args[0], datetime):
        return args[0] if args[0].tzinfo else args[0].replace(tzinfo=SHANGHAI)
    return datetime(*args, tzinfo=SHANGHAI)


def make_form(**overrides: Any) -> dict[str, Any]:
    """A valid intake form with appellant or appeal fields replaced (``phone=…``, ``matter=…``).
    A value of ``None`` removes the field."""
    form = json.loads(json.dumps(FORM))
    for key, value in overrides.items():
        target = form["appellant"] if key in _APPELLANT_KEYS else form
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return form


def default_role(kind: str) -> Role:
    roles = TRANSITIONS[kind].roles
    return next(r for r in _ROLE_PREFERENCE if r in roles)


@pytest.fixture(scope="session")
def rules() -> Rules:
    """The packaged rules, independent of HOTLINE_HOLIDAYS / HOTLINE_POLICY in the environment."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("HOTLINE_HOLIDAYS", raising=False)
        mp.delenv("HOTLINE_POLICY", raising=False)
        return load_rules()


@pytest.fixture
def clock_at() -> Callable[..., datetime]:
    return local


@pytest.fixture
def t0() -> datetime:
    return T0


@pytest.fixture
def form() -> Callable[..., dict[str, Any]]:
    return make_form


@pytest.fixture
def event() -> Callable[..., Event]:
    def make(
        kind: str,
        ticket_id: str,
        payload: dict[str, Any] | None = None,
        role: Role = Role.OPERATOR,
        at: datetime | None = None,
        actor: str | None = None,
        seat: str = "001",
    ) -> Event:
        at = at or T0
        return Event(
            id=str(ULID.from_datetime(at)),
            ticket_id=ticket_id,
            kind=kind,
            actor=actor or f"{role.value}-1",
            role=role,
            seat=seat,
            at=at,
            payload=payload or {},
        )

    return make


@pytest.fixture
def registered(rules: Rules, event) -> Callable[..., Ticket]:
    counter = iter(range(1, 10_000))

    def make(at: datetime | None = None, **overrides: Any) -> Ticket:
        at = at or T0
        number = overrides.pop("number", None) or f"{at:%y%m%d}001{next(counter):04d}"
        ticket_id = overrides.pop("ticket_id", None) or str(ULID.from_datetime(at))
        payload = {**make_form(**overrides), "number": number}
        return rules.workflow.apply(None, event("register", ticket_id, payload, Role.OPERATOR, at, "op-1"), at)

    return make


@pytest.fixture
def act(rules: Rules, event) -> Callable[..., Ticket]:
    def apply(
        ticket: Ticket,
        kind: str,
        payload: dict[str, Any] | None = None,
        role: Role | None = None,
        at: datetime | None = None,
        actor: str | None = None,
    ) -> Ticket:
        role = role or default_role(kind)
        payload = dict(payload or {})
        if role is Role.UNIT and "unit" not in payload and ticket.lead_unit:
            payload["unit"] = ticket.lead_unit
        at = at or ticket.updated_at + timedelta(hours=1)
        return rules.workflow.apply(ticket, event(kind, ticket.id, payload, role, at, actor), at)

    return apply


# The usual path to each status: (status reached before, kind, payload).
PATHS: dict[Status, tuple[Status, str, dict[str, Any]]] = {
    Status.ACCEPTED: (Status.REGISTERED, "accept", {}),
    Status.ANSWERED: (Status.REGISTERED, "answer_on_spot", {"answer": "按政策解释，诉求人表示理解。"}),
    Status.REFUSED: (Status.REGISTERED, "refuse", {"reason": "不属于受理范围"}),
    Status.ADVISED: (
        Status.REGISTERED,
        "advise_channel",
        {"channel": "litigation", "text": "已告知可向人民法院起诉。"},
    ),
    Status.DISPATCHED: (Status.ACCEPTED, "dispatch", {"lead_unit": LEAD_UNIT, "co_units": []}),
    Status.IN_PROGRESS: (Status.DISPATCHED, "receive", {}),
    Status.RETURNED: (Status.DISPATCHED, "return_to_centre", {"reason": "不属于本单位职责"}),
    Status.EXTENSION_REQUESTED: (Status.IN_PROGRESS, "request_extension", None),  # payload from the clock
    Status.RESPONDED: (Status.IN_PROGRESS, "respond", {"result": "已派人维修，室温恢复。", "told_appellant": True}),
    Status.AWAITING_CALLBACK: (Status.RESPONDED, "review_pass", {}),
    Status.RATED: (
        Status.AWAITING_CALLBACK,
        "callback",
        {"ratings": {"timeliness": 5, "result": 4, "attitude": 5, "overall": 5}, "words": "满意"},
    ),
    Status.RATING_DISPUTED: (Status.RATED, "dispute_rating", {"reason": "诉求人所述与事实不符"}),
    Status.RERATED: (
        Status.RATING_DISPUTED,
        "rerate",
        {"ratings": {"timeliness": 5, "result": 5, "attitude": 5, "overall": 5}},
    ),
    Status.ARCHIVED: (Status.RATED, "archive", {}),
}


def _extension_payload(rules: Rules, ticket: Ticket, at: datetime, days: int = 14) -> dict[str, Any]:
    from operator_tui.domain.deadlines import running_clock

    clock = running_clock(ticket, at, rules.clocks, rules.taxonomy)
    assert clock is not None
    return {
        "reason": "需协调多个部门",
        "progress": "已现场查看",
        "measures": "联系施工单位整改",
        "new_due": (clock.due.at + timedelta(days=days)).isoformat(),
    }


@pytest.fixture
def extension_request(rules: Rules) -> Callable[..., dict[str, Any]]:
    """``extension_request(ticket, at, days=14)``: a valid R22.2 payload whose new limit is `days`
    calendar days after the limit running at `at`."""
    return lambda ticket, at, days=14: _extension_payload(rules, ticket, at, days)


@pytest.fixture
def ticket_in(rules: Rules, registered, act) -> Callable[..., Ticket]:
    def walk(status: Status | str, at: datetime | None = None, **overrides: Any) -> Ticket:
        status = Status(status)
        if status is Status.REGISTERED:
            return registered(at=at, **overrides)
        before, kind, payload = PATHS[status]
        ticket = walk(before, at, **overrides)
        when = ticket.updated_at + timedelta(hours=1)
        if payload is None:
            payload = _extension_payload(rules, ticket, when)
        return act(ticket, kind, payload, at=when)

    return walk


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "seat.db")


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


class CliRunner:
    """Calls `operator_tui.cli.main(argv)` in-process; see the module docstring."""

    def __init__(self, capsys: pytest.CaptureFixture[str], db_path: Path):
        self.capsys = capsys
        self.db_path = db_path

    def __call__(self, *args: str) -> CliResult:
        from operator_tui.cli import main

        self.capsys.readouterr()
        default_rules.cache_clear()  # the environment may have changed since the last call
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            default_rules.cache_clear()
        captured = self.capsys.readouterr()
        return CliResult(code, captured.out, captured.err)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliRunner:
    db_path = tmp_path / "seat.db"
    monkeypatch.setenv("HOTLINE_DB", str(db_path))
    monkeypatch.setenv("HOTLINE_OPERATOR", "test-operator")
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("HOTLINE_HOLIDAYS", raising=False)
    monkeypatch.delenv("HOTLINE_POLICY", raising=False)
    monkeypatch.delenv("HOTLINE_SERVER", raising=False)
    return CliRunner(capsys, db_path)


# --- the server's two engines (issue 17) -------------------------------------------------------
# ``server_db``    a fresh server database for the test's engine: a file in tmp_path on SQLite, a
#                  new database (a copy of a migrated template) on the session's throwaway
#                  PostgreSQL. A test that asks for it, directly or through a fixture (``api``,
#                  ``centre``, ``backend`` …), runs once per engine: ids ``[sqlite]`` and
#                  ``[postgresql]``. ``--engine sqlite|postgresql`` runs one; a test marked
#                  ``sqlite_only`` (about SQLite's files or FTS5) runs on SQLite only, one marked
#                  ``postgresql_only`` (pg_trgm plans, several processes) on PostgreSQL only.
# ``pg_cluster``   the throwaway cluster (server_stub/pg_cluster.py), one per xdist worker, started
#                  from the machine's PostgreSQL 15 binaries and removed after the session.
#                  ``pg_cluster.fresh()`` is another new database's URL.

ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=(*ENGINES, "both"),
        default="both",
        help="the server storage engine(s) the server tests run on (default: both)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "server_engine" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("engine")
        engines = [e for e in ENGINES if chosen in (e, "both")]
        if metafunc.definition.get_closest_marker("sqlite_only"):
            engines = [e for e in engines if e == "sqlite"]
        if metafunc.definition.get_closest_marker("postgresql_only"):
            engines = [e for e in engines if e == "postgresql"]
        metafunc.parametrize("server_engine", engines, indirect=True)


@pytest.fixture
def server_engine(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


class _PgDatabases:
    def __init__(self, cluster: Any, template: str):
        self.cluster, self.template, self.made = cluster, template, 0

    def fresh(self) -> str:
        self.made += 1
        return self.cluster.create_database(f"t{self.made}", template=self.template)

    def drop(self, url: str) -> None:
        self.cluster.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory):
    from server_stub import pg
    from server_stub.pg_cluster import Cluster

    cluster = Cluster.create()  # its own directory, owned by `postgres` when we are root
    try:
        pg.migrate(cluster.create_database("hotline_template"))
        yield _PgDatabases(cluster, "hotline_template")
    finally:
        cluster.destroy()


@pytest.fixture
def server_db(server_engine: str, tmp_path: Path, request: pytest.FixtureRequest):
    if server_engine == "sqlite":
        yield tmp_path / "server.db"
        return
    databases = request.getfixturevalue("pg_cluster")
    url = databases.fresh()
    yield url
    databases.drop(url)  # FORCE: a server process a test left behind cannot hold it
