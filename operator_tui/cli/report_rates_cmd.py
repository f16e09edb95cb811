"""`hotline report rates`: the assessment rates (R35.1) on the server database, and the command that
recomputes their per-ticket facts.

    hotline report rates --db server.db --period 2026-10 --by unit
    hotline report rates --db server.db --period 2026-W44 --by district --json
    hotline report reproject-rates --db server.db      after an upgrade, or after [rates] or the limits change

Like `hotline server …`, it reads the server database directly (`--db` or HOTLINE_SERVER_DB).
"""

from __future__ import annotations

import json

import typer

from .base import CliError
from .common import echo_text, now, rules
from .server_cmd import DB_OPTION, _database, _server_db, _width


def register(report_app: typer.Typer) -> None:
    report_app.command("rates")(rates)
    report_app.command("reproject-rates")(reproject_rates)


def _storage(ctx: typer.Context, db: str | None):
    # only when this command runs: `hotline report` loads all four report modules
    from server_stub.storage import Storage

    path = _server_db(ctx, db)
    with _database(path):
        return path, Storage.open(path)


def _rate_rules():
    # only when this command runs: `hotline report` loads all four report modules
    from operator_tui.rate_rules import PolicyError, load_rate_rules

    try:
        return load_rate_rules()
    except PolicyError as exc:
        raise CliError(f"三率设置（policy [rates]）有误：{exc}") from None


def rates(
    ctx: typer.Context,
    db: str = DB_OPTION,
    period: str = typer.Option(
        None,
        "--period",
        help="时段：2026-10（月）、2026-W44（周）、2026-11-29（日）、2026（年）、"
        "2026-10-01..2026-10-31；默认上一个完整的月。",
    ),
    by: str = typer.Option(
        "unit",
        "--by",
        help="分组：unit（承办单位）、district（区县）、matter（诉求事项）、operator（话务员）、all（全市）。",
    ),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（与 GET /v1/reports/rates 相同）。"),
) -> None:
    """三率（按时办结率、解决率、满意率）及响应率：排名与环比 (R35.1)."""
    # only when this command runs: `hotline report` loads all four report modules
    from operator_tui.domain.periods import PeriodError, period_or_last_month
    from server_stub.api.rates import rates_public
    from server_stub.reports.rates import RatesError, check_by, check_period, compute_rates

    try:
        chosen = check_period(period_or_last_month(period, now().astimezone(rules().policy.tz).date()))
        check_by(by)
    except (PeriodError, RatesError) as exc:
        raise CliError(str(exc)) from None
    rr = _rate_rules()
    path, storage = _storage(ctx, db)

    with _database(path), storage:
        report = compute_rates(storage, rules(), chosen, by, rate_rules=rr)
    if as_json:
        typer.echo(json.dumps(rates_public(report).model_dump(), ensure_ascii=False, indent=2))
        return
    _print_table(report)


def _cell(f) -> str:
    if f.value is None:
        return "—"
    change = "" if f.change is None else f" {f.change:+.1f}"
    return f"{f.value * 100:.1f}%（{f.numerator}/{f.denominator}）{change}"


def _print_table(report) -> None:
    # only when this command runs: `hotline report` loads all four report modules
    from operator_tui.domain.rates import GROUPINGS, RATE_NAMES

    first = report.rates[0]
    typer.echo(
        f"{report.period.label} 三率考核（按{GROUPINGS[report.by]}；排名按{RATE_NAMES[first]}；"
        f"环比为较{report.period.previous().label}增减的百分点）"
    )
    head = ("排名", GROUPINGS[report.by], *(RATE_NAMES[r] for r in report.rates))
    rows = [head] + [
        (str(ln.figures[first].rank or "—"), ln.name, *(_cell(ln.figures[r]) for r in report.rates))
        for ln in report.lines
    ]
    if report.by != "all":
        rows.append(("", "合计", *(_cell(report.total.figures[r]) for r in report.rates)))
    if len(rows) == 1 or (len(rows) == 2 and report.by != "all" and not report.lines):
        typer.echo("（该时段没有计入三率的工单）")
        return
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        # Operator names come from tokens: printed as text, never interpreted.
        echo_text("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip())


def reproject_rates(
    ctx: typer.Context,
    db: str = DB_OPTION,
) -> None:
    """重新计算每张工单计入三率的依据（升级后，或修改 [rates] 或时限之后运行一次）。"""
    # only when this command runs: `hotline report` loads all four report modules
    from server_stub.reports.rates import reproject_rates as reproject

    rr = _rate_rules()
    path, storage = _storage(ctx, db)
    with _database(path), storage:
        done = reproject(storage, rules(), rate_rules=rr)
    typer.echo(f"已重新计算 {done} 张工单的三率依据")
