"""Reports made by the server on schedule (R31.1): the previous complete day, week and month, each
once, however often the job runs and however many server processes share the database."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from docs_seed import NOW, api, seeded  # noqa: F401  (fixtures)

from operator_tui.domain.periods import CST
from server_stub.reports import schedule
from server_stub.reports.schedule import ReportJob, ReportsPolicy, ReportsPolicyError, parse_reports_policy
from server_stub.storage import Storage

pytestmark = pytest.mark.rule("R31.1")
EXPECTED = {"8890-daily-2026-11-30", "8890-weekly-2026-W48", "8890-monthly-2026-11"}


def _stems(paths) -> set[str]:
    return {p.name.rsplit(".", 1)[0] for p in paths}


@pytest.fixture
def out(tmp_path):
    """The reports folder (apart from tmp_path, which holds the SQLite database)."""
    return tmp_path / "reports"


def test_each_period_is_made_once_by_two_processes(seeded, server_db, rules, out):
    first = schedule.produce_due(seeded.api.storage, rules, out, NOW)
    assert _stems(first) == EXPECTED and len(first) == 6
    with Storage.open(server_db) as other:  # a second server process on the same database
        assert schedule.produce_due(other, rules, out, NOW) == []
        later = datetime(2026, 12, 1, 23, 0, tzinfo=CST)
        assert schedule.produce_due(other, rules, out, later) == []
    next_day = datetime(2026, 12, 2, 0, 45, tzinfo=CST)
    assert _stems(schedule.produce_due(seeded.api.storage, rules, out, next_day)) == {"8890-daily-2026-12-01"}
    assert len(list(out.iterdir())) == 8


def test_two_runs_at_the_same_moment_make_each_period_once(seeded, server_db, rules, out, monkeypatch):
    written: list[str] = []
    real = schedule.write_files
    monkeypatch.setattr(schedule, "write_files", lambda doc, out: (written.append(doc.stem), real(doc, out))[1])
    stores = [seeded.api.storage, Storage.open(server_db)]
    go = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(storage):
        go.wait()
        try:
            schedule.produce_due(storage, rules, out, NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stores[1].close()
    assert not errors
    assert sorted(written) == sorted(EXPECTED)


def test_nothing_is_made_before_the_time_of_day(seeded, rules, out):
    early = datetime(2026, 12, 1, 0, 20, tzinfo=CST)
    assert schedule.produce_due(seeded.api.storage, rules, out, early) == []
    only_monthly = ReportsPolicy(kinds=("monthly",))
    assert _stems(schedule.produce_due(seeded.api.storage, rules, out, NOW, only_monthly)) == {"8890-monthly-2026-11"}


def test_a_run_that_fails_half_way_is_made_by_the_next(seeded, rules, out, monkeypatch):
    real = schedule.write_files

    def full_disk(doc, out):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(schedule, "write_files", full_disk)
    with pytest.raises(OSError):
        schedule.produce_due(seeded.api.storage, rules, out, NOW)
    monkeypatch.setattr(schedule, "write_files", real)
    assert _stems(schedule.produce_due(seeded.api.storage, rules, out, NOW)) == EXPECTED


@pytest.mark.sqlite_only
def test_the_server_makes_the_reports_on_its_own(server_db, rules, out, t0):
    from fastapi.testclient import TestClient

    from server_stub import bootstrap
    from server_stub.app import create_app
    from server_stub.settings import ServerSettings

    bootstrap.init(server_db, t0, seats=["012"], units=[], supervisors=[], known_units=rules.taxonomy.units)
    app = create_app(
        ServerSettings(db_path=server_db, sweep_every_seconds=0, clock=lambda: NOW),
        rules,
        reports=ReportJob(out, ReportsPolicy(), every_seconds=3600),
    )
    with TestClient(app):
        for _ in range(200):  # the job's first run starts with the server
            if len(list(out.glob("*.html"))) == 3:
                break
            threading.Event().wait(0.05)
    assert _stems(out.glob("*.xlsx")) == EXPECTED


@pytest.mark.parametrize(
    "text, key",
    [
        ('[reports]\nat = "25:00"', "reports.at"),
        ("[reports]\nweekly = 1", "reports.weekly"),
        ("[reports]\ntrend_weeks = 0", "reports.trend_weeks"),
        ('[reports]\ntopic_copy_to = "市政府"', "reports.topic_copy_to"),
    ],
)
def test_a_malformed_reports_policy_names_its_key(text, key):
    with pytest.raises(ReportsPolicyError, match=key):
        parse_reports_policy(text, "policy.toml")


def test_the_packaged_policy_schedules_all_three_at_half_past_midnight():
    p = schedule.load_reports_policy()
    assert p.kinds == ("daily", "weekly", "monthly") and p.at.isoformat() == "00:30:00"
    assert "鞍山市人民政府" in p.topic_copy_to
