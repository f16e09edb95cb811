"""`hotline deadline`: when does a limit of N working days from a start run out."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from ..config import ConfigError, load_rules
from ..domain.policy import Limit
from ..settings_table import ENV
from .base import CliError

# Years a limit can be counted in: the official calendar starts in 2004, a limit runs months at most.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def register(app: typer.Typer) -> None:
    @app.command("deadline")
    def deadline(
        start: str = typer.Option(
            ..., "--start", help="Start as ISO date-time, e.g. 2026-09-30T10:00:00+08:00 (no offset: Asia/Shanghai)."
        ),
        workdays: int = typer.Option(..., "--workdays", min=0, max=400, help="Number of official working days."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: due_date, due_at, provisional."),
        holidays: Path = typer.Option(None, "--holidays", envvar=ENV["holidays"], help="Extra holiday file (TOML)."),
    ) -> None:
        """Due date of a limit in working days: the start day not counted, due at the end of the Nth working day (Asia/Shanghai)."""
        try:
            at = datetime.fromisoformat(start)
        except ValueError:
            raise CliError(f"--start：'{start}' 不是 ISO 日期时间，应写作如 2026-09-30T10:00:00+08:00") from None
        if not FIRST_YEAR <= at.year <= LAST_YEAR:  # 9999-12-31 overflowed deep in the calendar (issue 14)
            raise CliError(f"--start：'{start}' 的年份超出可计算范围（{FIRST_YEAR}–{LAST_YEAR} 年）")
        if holidays is not None and not holidays.is_file():
            raise CliError(f"--holidays：找不到节假日文件 {holidays}；请检查路径")
        try:
            rules = load_rules(holidays=holidays)
        except ConfigError as exc:
            raise CliError(" ".join(str(exc).split())) from None
        if at.tzinfo is None:  # a local time as read off a Chinese wall clock
            at = at.replace(tzinfo=rules.policy.tz)
        try:
            due = rules.clocks.due(at, Limit("workdays", workdays))
        except (OverflowError, ValueError) as exc:
            raise CliError(f"--start/--workdays：截止日期无法计算（{exc}）") from None
        out = {"due_date": due.date.isoformat(), "due_at": due.at.isoformat(), "provisional": due.provisional}
        if as_json:
            typer.echo(json.dumps(out))
        else:
            note = "（暂定：该年度无官方节假日数据，按周一至周五计算）" if due.provisional else ""
            typer.echo(f"截止日期 {out['due_date']}，截止时间 {out['due_at']}{note}")
