"""`hotline report daily|weekly|monthly|topic`: the periodic reports and topic analyses (R31.1, R31.2,
R35.1) as an .xlsx and a printable HTML page, written into a folder.

    hotline report monthly --db server.db --out reports/                  the last complete month
    hotline report weekly --period 2026-W47 --out reports/ --for heat_group   one unit's own report
    hotline report topic --matter heating_temperature --place tiedong --period 2026-11 --out reports/

The same documents the server makes on its own with `hotline server --reports-dir DIR`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import typer

from .base import CliError
from .common import now, rules
from .server_cmd import DB_OPTION, _database, _server_db

_OUT = typer.Option(
    ..., "--out", help="报告输出文件夹（不存在则新建，上级文件夹须已存在）/ the folder the files go in."
)
_KINDS = {
    "daily": "日报（默认：昨天）",
    "weekly": "周报（默认：上一个完整的周）",
    "monthly": "月报（默认：上一个完整的月）",
}


def register(report_app: typer.Typer) -> None:
    for kind, what in _KINDS.items():
        report_app.command(kind, help=f"{what}：三率、排名、热点、风险、超期，.xlsx 与可打印 HTML (R31.1, R35.1).")(
            _periodic_command(kind)
        )
    report_app.command("topic", help="专题分析：某事项（可限定地点）的共性、突出、源头问题，注明主送单位 (R31.2).")(
        topic
    )


def _out_dir(out: Path) -> Path:

    if out.exists() and not out.is_dir():
        raise CliError(f"--out：{out} 已存在且不是文件夹，请指定一个文件夹")
    if not out.exists():
        if not out.parent.is_dir():
            raise CliError(f"--out：上级文件夹 {out.parent} 不存在，请先创建或换一个位置")
        try:
            out.mkdir()
        except OSError as exc:
            raise CliError(f"--out：无法创建文件夹 {out}（{exc.strerror}）") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise CliError(f"--out：文件夹 {out} 不可写，请换一个位置")
    return out


def _period(text: str | None, kind: str | None):
    """`--period` read (or the last complete one of `kind`), in the report's own kind."""
    # only when this command runs: `hotline report` loads all four report modules
    from operator_tui.domain.periods import CST, PeriodError, last_complete, parse_period

    if not text:
        if kind is None:
            raise CliError("--period：专题分析须写明时段，例如 2026-11 或 2026-10-01..2026-11-30")
        return last_complete(kind, now().astimezone(CST).date())  # type: ignore[arg-type]
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise CliError(f"--period：{exc}") from None
    if kind is not None and period.kind != kind:
        names = {"day": "某一天，如 2026-11-29", "week": "某一周，如 2026-W47", "month": "某个月，如 2026-11"}
        raise CliError(f"--period：{text!r} 不是{names[kind][:3]}；这份报告请写{names[kind]}")
    return period


def _write(doc, out: Path) -> None:
    # openpyxl (~0.2 s, via the schedule) only when a report is written
    from server_stub.reports.schedule import write_files

    try:
        for path in write_files(doc, out):
            typer.echo(str(path))
    except OSError as exc:
        raise CliError(f"--out：无法写入 {out}（{exc.strerror}）") from None


def _build(ctx: typer.Context, db: str | None, build):
    """`build(storage)` on the server database of `--db`, opened as `hotline server` opens it."""
    # only when this command runs: `hotline report` loads all four report modules
    from server_stub.storage import Storage

    path = _server_db(ctx, db)
    with _database(path), Storage.open(path) as storage:
        return build(storage)


def _periodic_command(kind: str):
    def command(
        ctx: typer.Context,
        period: str = typer.Option(None, "--period", help="时段：2026-11-29（日）、2026-W47（周）、2026-11（月）。"),
        out: Path = _OUT,
        unit: str = typer.Option(None, "--for", help="只为这个承办单位出报告（单位代码，只含本单位的数据）。"),
        db: str = DB_OPTION,
    ) -> None:
        # openpyxl (~0.2 s, via the schedule) only when a report is written
        from server_stub.reports import documents
        from server_stub.reports.schedule import load_reports_policy

        the_rules = rules()
        the_period = _period(period, documents.PERIOD_KINDS[kind])
        if unit is not None and unit not in the_rules.taxonomy.units:
            raise CliError(f"--for：未知的承办单位代码 {unit!r}；请用 units.toml 中的代码，如 heat_group")
        folder = _out_dir(out)
        weeks = load_reports_policy().trend_weeks
        doc = _build(
            ctx,
            db,
            lambda storage: documents.periodic(
                storage,
                the_rules,
                cast("documents.Kind", kind),  # the command's own name: daily, weekly or monthly
                the_period,
                now(),
                unit=unit,
                trend_weeks=weeks,
            ),
        )
        _write(doc, folder)

    command.__name__ = kind
    command.__doc__ = f"{_KINDS[kind]}的 .xlsx 与可打印 HTML。"
    return command


def topic(
    ctx: typer.Context,
    matter: str = typer.Option(..., "--matter", help="事项代码（matters.toml），如 heating_temperature。"),
    place: str = typer.Option(
        None, "--place", help="地点代码（places.toml），如 tiedong 或 tiedong.站前街道；含其下属地点。"
    ),
    period: str = typer.Option(None, "--period", help="时段：2026-11、2026-W47、2026 或 2026-10-01..2026-11-30。"),
    out: Path = _OUT,
    db: str = DB_OPTION,
) -> None:
    """专题分析（R31.2）：主送涉及单位，抄送市政府和委员会。"""
    # openpyxl (~0.2 s, via the schedule) only when a report is written
    from server_stub.reports import documents
    from server_stub.reports.schedule import load_reports_policy

    the_rules = rules()
    tax = the_rules.taxonomy
    if matter not in tax.matters:
        raise CliError(f"--matter：未知的事项代码 {matter!r}；请用 matters.toml 中的代码，如 heating_temperature")
    if place is not None and place not in tax.places and place.partition(".")[0] not in tax.places:
        raise CliError(f"--place：未知的地点代码 {place!r}；请用 places.toml 中的代码，如 tiedong")
    the_period = _period(period, None)
    folder = _out_dir(out)
    copy_to = load_reports_policy().topic_copy_to
    doc = _build(
        ctx, db, lambda storage: documents.topic(storage, the_rules, matter, place, the_period, now(), copy_to=copy_to)
    )
    _write(doc, folder)


def report_job(reports_dir: Path | None):
    """`hotline server --reports-dir DIR`: the scheduled job, with its folder and the `[reports]`
    policy checked before the server starts (a mistake is one line, not a failure at 00:30)."""
    if reports_dir is None:
        return None
    # openpyxl (~0.2 s, via the schedule) only when a report is written
    from server_stub.reports.schedule import ReportJob, ReportsPolicyError, load_reports_policy

    try:
        policy = load_reports_policy()
    except (ReportsPolicyError, OSError) as exc:
        raise CliError(f"策略文件 [reports]：{exc}") from None
    try:
        return ReportJob(_out_dir(reports_dir), policy)
    except CliError as exc:
        raise CliError(str(exc).replace("--out", "--reports-dir", 1)) from None
