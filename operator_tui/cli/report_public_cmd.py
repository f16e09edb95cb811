"""`hotline report case …`: typical cases for the public page (R37.1), on the server database.

    hotline report case propose 2611020120001 --by 值班长
    hotline report case list [--status proposed] [--json]
    hotline report case approve CASE_ID --by 审核人 [--text "edited redacted text"]
    hotline report case reject CASE_ID --by 审核人 --reason "涉及个人隐私"

The server's API does the same with a supervisor's token (POST /v1/public/cases …), where the
actor comes from the token; here the server's own operator names themselves with --by.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import typer

from ..clock import utc_now
from .base import CliError
from .common import rules
from .server_cmd import DB_OPTION, _database, _server_db

case_app = typer.Typer(
    help="典型案例：提名、查看、批准、驳回 (R37.1) / typical cases for the public page.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
T = TypeVar("T")
_BY = typer.Option(..., "--by", help="Who does it (name or staff number), recorded on the case.")


def register(report_app: typer.Typer) -> None:
    report_app.add_typer(case_app, name="case")


def _flow(ctx: typer.Context, db: str | None, work: Callable[[Any, Any], T]) -> T:
    # only when this command runs: `hotline report` loads all four report modules
    from server_stub.public import cases
    from server_stub.storage import Storage

    path = _server_db(ctx, db)
    try:
        with _database(path), Storage.open(path) as storage, storage.write() as tx:
            return work(cases, tx)
    except cases.CaseError as exc:
        raise CliError(str(exc)) from None


def _show(case: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(asdict(case), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{case.id}  {case.status}  {case.title}")
    typer.echo(case.text)


@case_app.command("propose")
def propose(
    ctx: typer.Context,
    number: str = typer.Argument(..., metavar="NUMBER", help="The ticket's number."),
    by: str = _BY,
    db: str = DB_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Propose a ticket as a typical case; prints the redacted text a reviewer will see."""

    case = _flow(ctx, db, lambda c, tx: c.propose(tx, rules(), number.strip(), by, utc_now()))
    _show(case, as_json)


@case_app.command("list")
def list_cases(
    ctx: typer.Context,
    db: str = DB_OPTION,
    status: str = typer.Option(None, "--status", help="proposed | approved | rejected"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The cases, newest first, with their redacted text."""

    if status is not None and status not in ("proposed", "approved", "rejected"):
        raise CliError(f"--status：'{status}' 应为 proposed、approved 或 rejected")
    rows = _flow(ctx, db, lambda c, tx: c.listed(tx, status))
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("暂无典型案例")
    for r in rows:
        typer.echo(f"{r.id}  {r.status}  {r.title}  提名：{r.proposed_by}")
        typer.echo("    " + r.text.replace("\n", "\n    "))


@case_app.command("approve")
def approve(
    ctx: typer.Context,
    case_id: str = typer.Argument(..., metavar="ID"),
    by: str = _BY,
    text: str = typer.Option(None, "--text", help="Publish this edit of the redacted text instead."),
    db: str = DB_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Publish a case (as redacted, or your edit of it)."""
    case = _flow(ctx, db, lambda c, tx: c.approve(tx, case_id.strip(), by, utc_now(), text))
    _show(case, as_json)


@case_app.command("reject")
def reject(
    ctx: typer.Context,
    case_id: str = typer.Argument(..., metavar="ID"),
    by: str = _BY,
    reason: str = typer.Option(..., "--reason", help="Why it is not published."),
    db: str = DB_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Reject a case, with a reason."""
    case = _flow(ctx, db, lambda c, tx: c.reject(tx, case_id.strip(), by, utc_now(), reason))
    _show(case, as_json)
