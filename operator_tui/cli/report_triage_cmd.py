"""`hotline report triage`: how the emergency banner (R20.3) does on the centre's own tickets.

    hotline report triage --db server.db --period 2026-11
    hotline report triage --db server.db --period 2026-11 --json
    hotline report triage --db server.db --period 2026-11 --rules my_triage.toml
    hotline report triage --db server.db --period 2026-11 --export field-2026-11.jsonl

Per referral target: 确认, 漏报, 误报, 未处置, the field recall (现场召回率) and 否决后转介 (the misses
the second opinion's veto caused: it withdrew the rules' target, the operator referred anyway),
then the ticket numbers of each category; the headline adds the tickets showing the grey hint.
`--export` writes the disagreements as labelled-set lines (tests/data/README.md) with the
callers' words redacted; the file is 0600 and never overwritten, and it is for a person to
review before it tunes anything. Like `hotline server …`, it reads the server database directly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from .base import CliError
from .common import echo_text, now, rules
from .server_cmd import DB_OPTION, _database, _target, _width

SHOWN = 20  # ticket numbers printed per category; --json gives them all


def register(report_app: typer.Typer) -> None:
    report_app.command("triage")(triage_field)


def _storage(ctx: typer.Context, db: str | None):
    # only when this command runs: `hotline report` loads every report module
    from server_stub.storage import Storage

    path = _target(db, ctx)
    if isinstance(path, Path) and not path.exists():
        raise CliError(f"--db：没有服务端数据库 {path}，请检查路径，或先运行 hotline server init --db {path}")
    with _database(path):
        return path, Storage.open(path)


def _triage_rules(path: Path | None):
    # only when this command runs: `hotline report` loads every report module
    from operator_tui.triage_rules import TriageRulesError, load_triage_rules

    try:
        return load_triage_rules(path)
    except TriageRulesError as exc:
        raise CliError(f"--rules：分诊规则文件无法使用：{exc}") from None


def _open_export(path: Path) -> Any:
    """The export file, created 0600 and only if it does not exist yet (O_EXCL: no race with another run)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliError(f"--export：{path} 已存在，不会覆盖；请换一个文件名，或先审阅并移走原文件") from None
    except FileNotFoundError:
        raise CliError(f"--export：{path} 所在的文件夹不存在，请先建好文件夹") from None
    except OSError as exc:
        raise CliError(f"--export：无法创建 {path}（{exc.strerror}）") from None
    os.fchmod(fd, 0o600)  # whatever the umask
    return os.fdopen(fd, "w", encoding="utf-8")


def triage_field(
    ctx: typer.Context,
    db: str = DB_OPTION,
    period: str = typer.Option(
        None,
        "--period",
        help="时段：2026-10（月）、2026-W44（周）、2026-11-29（日）、2026（年）、"
        "2026-10-01..2026-10-31；默认上一个完整的月。",
    ),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（与 GET /v1/reports/triage 相同）。"),
    rules_file: Path = typer.Option(None, "--rules", help="用此分诊规则文件判断（默认：随软件发布的规则）。"),
    export: Path = typer.Option(
        None, "--export", help="把分歧（漏报、误报、未处置）写成脱敏的 JSONL 标注集，供人工审阅（文件不得已存在）。"
    ),
) -> None:
    """紧急分诊提示在本中心真实工单上的表现：确认、漏报、误报、未处置与现场召回率 (R20.3)."""
    # only when this command runs: `hotline report` loads every report module
    from operator_tui.domain.periods import PeriodError, period_or_last_month
    from server_stub.api.triage_field import triage_field_public
    from server_stub.reports.triage_field import field_report

    try:
        chosen = period_or_last_month(period, now().astimezone(rules().policy.tz).date())
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    triage_rules = _triage_rules(rules_file)
    path, storage = _storage(ctx, db)
    out = _open_export(export) if export is not None else None
    written = 0

    def write(line: dict[str, Any]) -> None:
        nonlocal written
        if out is None:  # only handed to the report when there is a file
            return
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        written += 1

    try:
        with _database(path), storage:
            report, withheld = field_report(storage, chosen, triage_rules, export=write if out else None)
    except BaseException:
        if out is not None:  # a half-written set is worse than none
            out.close()
            export.unlink(missing_ok=True)
        raise
    if out is not None:
        out.close()
        typer.echo(
            f"已写出 {written} 条分歧到 {export}：其中含来电人的原话（已脱敏，但脱敏不能识别一切），"
            "须经人工逐条审阅后方可用作调参集，且绝不能用作留出集（hold-out）"
            + (f"；另有 {withheld} 件涉密工单（R33.2）未导出" if withheld else ""),
            err=True,
        )
    public = triage_field_public(chosen, report, triage_rules.source)
    if as_json:
        typer.echo(json.dumps(public.model_dump(), ensure_ascii=False, indent=2))
        return
    _print(public.model_dump())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _print(data: dict[str, Any]) -> None:
    from operator_tui.domain.triage_field import OVERRULED_REFERRED  # imported by the command already

    vetoed = _tickets(data["total"]["overruled_referred_numbers"])
    typer.echo(
        f"{data['label']} 紧急分诊现场表现（规则：{data['rules']}）：工单 {data['tickets']} 件，"
        f"提示 {data['banner_tickets']} 件，转介 {data['referred_tickets']} 件，"
        f"提示后误报或未处置 {data['doubtful_tickets']} 件（{_pct(data['doubtful_share'])}）；"
        f"灰色提示 {data['hinted_tickets']} 件；其中否决后转介 {len(vetoed)} 件"
    )
    names = data["categories"]
    # 否决后转介 comes last: it is part of 漏报, so the category columns still add up on their own.
    head = ("转介对象", *names.values(), "现场召回率", OVERRULED_REFERRED)
    lines = [*data["targets"], data["total"]]
    rows = [head] + [
        (
            f"{ln['target']} {ln['name']}",
            *(str(ln[c]) for c in names),
            _pct(ln["recall"]),
            str(ln["overruled_referred"]),
        )
        for ln in lines
    ]
    rows[-1] = ("合计", *rows[-1][1:])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        typer.echo("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip())
    listed = [(name, _tickets(data["total"]["numbers"][category])) for category, name in names.items()]
    for name, numbers in [*listed, (OVERRULED_REFERRED, vetoed)]:
        if not numbers:
            continue
        more = len(numbers) - SHOWN
        echo_text(
            f"{name} {len(numbers)} 件：" + "、".join(numbers[:SHOWN]) + (f" 等（另 {more} 件）" if more > 0 else "")
        )


def _tickets(numbers: list[str]) -> list[str]:
    # The total lists (ticket, target) pairs; a ticket counts once here even when two of its
    # targets fall in the category.
    return list(dict.fromkeys(numbers))
