"""`hotline report risks`: the risk warnings (R31.1) on the server database, and a decision on one.

    hotline report risks --db server.db                 the warnings now, with their decisions
    hotline report risks --db server.db --at 2026-11-30T10:00 --json
    hotline report risks decide surge-20261130-1a2b3c4d --acknowledge --reason "已派人核实" --by 值班长

Like `hotline server …`, it works on the server database directly (`--db` or HOTLINE_SERVER_DB);
a decision made here is the same audited row the API writes, with `--by` as its actor.
"""

from __future__ import annotations

import json
from datetime import datetime

import typer

from .base import CliError
from .common import echo_text, now, rules
from .server_cmd import DB_OPTION, _database, _server_db

risks_app = typer.Typer(
    help="风险预警：突增与社会稳定、公共安全、廉政类线索，及其确认或排除 (R31.1).",
    invoke_without_command=True,
    rich_markup_mode=None,
)


def register(report_app: typer.Typer) -> None:
    report_app.add_typer(risks_app, name="risks")


def _storage(ctx: typer.Context, db: str | None):
    # only when this command runs: `hotline report` loads all four report modules
    from server_stub.storage import Storage

    path = _server_db(ctx, db)
    with _database(path):
        return path, Storage.open(path)


def _at(text: str | None) -> datetime:

    if not text:
        return now()
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"--at：无法识别时间 {text!r}，请写成 2026-11-30T10:00（北京时间）或带时区的 ISO 时间") from None
    if not 2000 <= at.year <= 2100:
        raise CliError(f"--at：时间 {text!r} 超出范围，请写 2000 至 2100 年之间的时间")
    return at if at.tzinfo else at.replace(tzinfo=rules().policy.tz)


def _policy():
    # only when this command runs: `hotline report` loads all four report modules
    from operator_tui.risk_rules import RiskPolicyError, load_risk_policy

    try:
        return load_risk_policy()
    except RiskPolicyError as exc:
        raise CliError(f"风险预警设置（policy [risks]）有误：{exc}") from None


def _name_of():

    tax = rules().taxonomy
    tables = {"matter": tax.matters, "place": tax.places, "unit": tax.units}

    def name(dimension: str, code: str) -> str:
        entry = tables.get(dimension, {}).get(code)
        return entry.name if entry is not None else code

    return name


@risks_app.callback(invoke_without_command=True)
def risks(
    ctx: typer.Context,
    db: str = DB_OPTION,
    at: str = typer.Option(None, "--at", help="按此时刻评估（默认现在），如 2026-11-30T10:00。"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON。"),
) -> None:
    """列出当前风险预警（突增在前，类别线索在后），以及近几日已处理的预警。"""
    if ctx.invoked_subcommand is not None:
        return
    # only when this command runs: `hotline report` loads all four report modules
    from server_stub.reports.risks import listing

    when = _at(at)
    tz = rules().policy.tz
    path, storage = _storage(ctx, db)
    with storage, _database(path):
        listed = [x.to_json_dict() for x in listing(storage, _policy(), when, tz)]
    open_count = sum(1 for w in listed if w["current"] and w["decision"] is None)
    if as_json:
        typer.echo(
            json.dumps({"at": when.isoformat(), "open": open_count, "warnings": listed}, ensure_ascii=False, indent=2)
        )
        return
    # only when this command runs: `hotline report` loads all four report modules
    from operator_tui.domain.risks import KINDS, headline

    name_of = _name_of()
    echo_text(f"风险预警  {when.astimezone(tz):%Y-%m-%d %H:%M}  共 {len(listed)} 条，待处理 {open_count} 条")
    if not listed:
        echo_text("（无预警）")
    for w in listed:
        state = "待处理" if w["decision"] is None else w["decision"]["decision_name"]
        if not w["current"]:
            state += "·已不在当前预警中"
        echo_text(f"[{KINDS[w['kind']]}] {w['id']}  {state}")
        echo_text(f"    {headline(w, name_of)}")
        if w["evidence"]:
            more = w["count"] - len(w["evidence"])
            echo_text("    证据工单：" + "、".join(w["evidence"]) + (f" 等（另 {more} 件）" if more > 0 else ""))
        if w["decision"] is not None:
            d = w["decision"]
            when_d = datetime.fromisoformat(d["decided_at"]).astimezone(tz)
            echo_text(f"    {d['decision_name']}：{d['actor']}，{when_d:%m-%d %H:%M}，理由：{d['reason']}")


@risks_app.command("decide")
def decide(
    ctx: typer.Context,
    warning_id: str = typer.Argument(..., help="预警编号（见 hotline report risks）。"),
    acknowledge: bool = typer.Option(False, "--acknowledge", help="确认预警。"),
    dismiss: bool = typer.Option(False, "--dismiss", help="排除预警。"),
    reason: str = typer.Option("", "--reason", help="理由（必填）。"),
    by: str = typer.Option(..., "--by", help="处理人姓名或工号（记入审计）。"),
    at: str = typer.Option(None, "--at", help="按此时刻评估（默认现在）。"),
    db: str = DB_OPTION,
) -> None:
    """确认或排除一条当前预警，并写明理由；每条预警只能处理一次。"""
    # only when this command runs: `hotline report` loads all four report modules
    from server_stub.reports.risks import DecisionError
    from server_stub.reports.risks import decide as record

    if acknowledge == dismiss:
        raise CliError("请在 --acknowledge（确认）与 --dismiss（排除）中选一个")
    if not by.strip():
        raise CliError("--by：请写处理人姓名或工号")
    when = _at(at)
    path, storage = _storage(ctx, db)
    with storage, _database(path):
        try:
            out = record(
                storage,
                _policy(),
                rules().policy.tz,
                warning_id=warning_id.strip(),
                decision="acknowledge" if acknowledge else "dismiss",
                reason=reason,
                actor=by.strip(),
                role="admin",
                principal_id="cli",
                now=when,
            )
        except DecisionError as exc:
            raise CliError(str(exc)) from None
    echo_text(f"{out['id']}：{out['decision']['decision_name']}（{by.strip()}），理由：{out['decision']['reason']}")
