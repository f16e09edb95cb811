"""Reports produced by the server on a schedule (R31.1: periodic reports), and the `[reports]` policy.

After the policy's time of day (00:30 Asia/Shanghai by default) the server makes the previous
complete period's report of each kind switched on: a day's every day, a week's from Monday, a
month's from the 1st (`periods.last_complete`). A period is produced once however often the job
runs and however many server processes share the database: the job runs under the same lock the
sweep uses (`Storage.exclusive`, an advisory lock on PostgreSQL), and claims each period in `meta`
(`report:<kind>:<period>`) in a write transaction before making it, so that even two runs the lock
does not order (two SQLite Storage objects) make it once. A server that was down at 00:30 catches up
at its next run; one that fails half-way removes its claim, so the next run tries again (a process
that died mid-way leaves a claim that is retaken after an hour).
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import cast

from operator_tui.config import Rules
from operator_tui.data import read_text
from operator_tui.domain.errors import Misconfigured
from operator_tui.domain.periods import CST, Period, last_complete
from operator_tui.settings import environment

from ..storage import Storage
from . import documents, html, xlsx

log = logging.getLogger("hotline.server.reports")


class ReportsPolicyError(Misconfigured, ValueError):
    """The `[reports]` section is malformed; the message names the key."""


@dataclass(frozen=True)
class ReportsPolicy:
    at: time = time(0, 30)  # R31.1: after this time of day (CST) the previous period is made
    kinds: tuple[str, ...] = ("daily", "weekly", "monthly")
    trend_weeks: int = 8
    topic_copy_to: tuple[str, ...] = ("鞍山市人民政府", "鞍山市群众工作委员会")  # R31.2


def parse_reports_policy(text: str, source: str) -> ReportsPolicy:
    try:
        doc = tomllib.loads(text).get("reports", {})
    except tomllib.TOMLDecodeError as exc:
        raise ReportsPolicyError(f"{source}: not valid TOML: {exc}") from None
    base = ReportsPolicy()
    try:
        at = time.fromisoformat(doc.get("at", "00:30"))
    except (TypeError, ValueError):
        raise ReportsPolicyError(f'{source}: reports.at: write a time of day such as "00:30"') from None
    kinds = tuple(k for k in ("daily", "weekly", "monthly") if doc.get(k, True))
    for key in ("daily", "weekly", "monthly"):
        if not isinstance(doc.get(key, True), bool):
            raise ReportsPolicyError(f"{source}: reports.{key}: must be true or false")
    weeks = doc.get("trend_weeks", base.trend_weeks)
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= 53:
        raise ReportsPolicyError(f"{source}: reports.trend_weeks: must be a whole number from 1 to 53")
    copy_to = doc.get("topic_copy_to", list(base.topic_copy_to))
    if not isinstance(copy_to, list) or not all(isinstance(x, str) and x.strip() for x in copy_to):
        raise ReportsPolicyError(f"{source}: reports.topic_copy_to: must be a list of names")
    return ReportsPolicy(at, kinds, weeks, tuple(copy_to))


def load_reports_policy() -> ReportsPolicy:
    """`[reports]` of the policy file in use (HOTLINE_POLICY, else the packaged one)."""
    path = environment("policy")
    if path:
        return parse_reports_policy(Path(path).read_text(encoding="utf-8"), path)
    return parse_reports_policy(read_text("policy.toml"), "policy.toml")


def write_files(doc: documents.Document, out_dir: Path) -> tuple[Path, Path]:
    """The .xlsx and the .html side by side; each written to a temporary name and renamed, so a
    reader (a mail job picking up the folder) never sees half a file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    book, page = out_dir / f"{doc.stem}.xlsx", out_dir / f"{doc.stem}.html"
    tmp_book, tmp_page = book.with_suffix(".xlsx.part"), page.with_suffix(".html.part")
    xlsx.write(doc, tmp_book)
    tmp_page.write_text(html.render(doc), encoding="utf-8")
    os.replace(tmp_book, book)
    os.replace(tmp_page, page)
    return book, page


def due(policy: ReportsPolicy, now: datetime) -> list[tuple[str, Period]]:
    """The (kind, period) a run at `now` should have made: nothing before the time of day."""
    local = now.astimezone(CST)
    if local.time() < policy.at:
        return []
    return [(k, last_complete(documents.PERIOD_KINDS[k], local.date())) for k in policy.kinds]


STALE_CLAIM = timedelta(hours=1)  # a claim this old without a "made" mark: its process died mid-way


def _claim(storage: Storage, key: str, now: datetime) -> bool:
    """Take the period for this run, in one write transaction (writers are serialised on both
    engines, so two processes cannot both see it free). False when it is made or being made."""
    with storage.write() as tx:
        mark = tx.meta(key)
        if mark and (mark.startswith("made ") or datetime.fromisoformat(mark.split(" ", 1)[1]) > now - STALE_CLAIM):
            return False
        tx.put_meta(key, f"claimed {now.isoformat()}")
    return True


def produce_due(
    storage: Storage, rules: Rules, out_dir: Path, now: datetime, policy: ReportsPolicy | None = None
) -> list[Path]:
    """Make what is due and not yet made; returns the files written (none when all were made)."""
    policy = policy or ReportsPolicy()
    made: list[Path] = []
    with storage.exclusive("reports"):
        for kind, period in due(policy, now):
            key = f"report:{kind}:{period.key}"
            if not _claim(storage, key, now):
                continue
            try:
                doc = documents.periodic(
                    storage,
                    rules,
                    cast("documents.Kind", kind),  # one of PERIOD_KINDS' keys
                    period,
                    now,
                    trend_weeks=policy.trend_weeks,
                )
                made += write_files(doc, out_dir)
            except BaseException:
                with storage.write() as tx:  # not made: the next run tries again
                    tx._exec("DELETE FROM meta WHERE key = ?", (key,))
                raise
            with storage.write() as tx:
                tx.put_meta(key, f"made {now.isoformat()}")
            log.info("report made: %s %s", kind, period.key)
    return made


@dataclass(frozen=True)
class ReportJob:
    """What `hotline server --reports-dir DIR` runs: every `every_seconds`, `produce_due` into `out_dir`."""

    out_dir: Path
    policy: ReportsPolicy = ReportsPolicy()
    every_seconds: float = 60.0

    def run(self, storage: Storage, rules: Rules, now: datetime) -> list[Path]:
        return produce_due(storage, rules, self.out_dir, now, self.policy)
