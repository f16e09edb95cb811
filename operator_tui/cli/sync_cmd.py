"""`hotline sync`: push the seat's outbox and pull its changes once, with a progress bar (R16.1).

    HOTLINE_SERVER=http://127.0.0.1:8890 HOTLINE_TOKEN=hl_operator_… hotline sync
    HOTLINE_SERVER=https://hotline.example:8890 HOTLINE_TOKEN_FILE=~/.config/hotline/token \
        HOTLINE_CA_FILE=/etc/hotline/ca.pem hotline sync

The counts printed are true however the run ends: a sync that goes offline half way says how many
events the server acknowledged before it did.
"""

from __future__ import annotations

import typer

from ..settings import CredentialError, check_ca_file, resolve_token
from ..settings_table import ENV
from .base import CliError, settings
from .common import open_store, rules


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


def sync(
    ctx: typer.Context,
    server: str = typer.Option(None, "--server", envvar=ENV["server"], help="Server URL, e.g. http://127.0.0.1:8890"),
    token: str | None = typer.Option(
        None, "--token", envvar=ENV["token"], help="This seat's token (from `hotline server init`)."
    ),
    token_file: str = typer.Option(
        None, "--token-file", envvar=ENV["token_file"], help="A file (mode 0600) holding the token, instead of --token."
    ),
    ca_file: str = typer.Option(
        None,
        "--ca-file",
        envvar=ENV["ca_file"],
        help="The centre's CA certificate (PEM) for an https server (default: system CAs).",
    ),
    batch: int = typer.Option(500, "--batch", min=1, max=1000, help="Events per push request."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds to wait for each answer."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar; one summary line."),
) -> None:
    """Push the outbox and pull changes once; rejected events go to the conflicts list."""
    # rich and httpx (~0.15 s) only when a sync runs: `hotline --help` loads every command module.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from ..sync.client import HotlineClient, http_client
    from ..sync.service import SyncService

    # this command's options over the settings the root resolved (environment, config.toml)
    s = settings(ctx).given(server=server, token=token, token_file=token_file, ca_file=ca_file)
    url = s.server_url
    if not url:
        raise CliError("--server: no server URL; pass --server http://HOST:PORT or set HOTLINE_SERVER")
    if not url.startswith(("http://", "https://")):
        raise CliError(f"--server: '{url}' must start with http:// or https://")
    try:
        token = resolve_token(s.token, s.token_file)
        check_ca_file(s.ca_file)
    except CredentialError as exc:
        raise CliError(str(exc)) from None
    if not token:
        raise CliError(
            "--token: no token; pass --token-file (a 0600 file) or --token, or set HOTLINE_TOKEN_FILE "
            "or HOTLINE_TOKEN (see `hotline server token add`)"
        )
    store = open_store(s)
    console = Console(stderr=True)
    try:
        http = http_client(url, timeout=timeout, ca_file=s.ca_file)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: a file that is no PEM certificate
        raise CliError(f"--ca-file: cannot read a CA certificate from {s.ca_file}: {exc}") from None
    with http:
        # on_identity: remember whose token this is, so that the seat started offline knows it.
        service = SyncService(
            store, HotlineClient(http, token), rules(), batch_size=batch, on_identity=lambda who: None
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(phase: str, done: int, total: int | None) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task("推送 push" if phase == "push" else "拉取 pull", total=total)
                bar.update(tasks[phase], completed=done, total=total if total is not None else done)

            report = service.sync_once(progress)
        status = service.status()
    typer.echo(
        f"已推送 {report.pushed} 条，退回 {report.rejected} 条，拉取 {report.pulled} 张办理单；"
        f"待同步 {status.outbox_depth} 条，待处理冲突 {status.conflicts} 条"
        + ("（已全量重新同步）" if report.resynced else "")
    )
    if status.skewed and status.clock_offset is not None:
        typer.echo(f"警告：本机时钟与服务器相差 {status.clock_offset.total_seconds():+.0f} 秒，请校准时钟", err=True)
    if report.error:
        raise CliError(("离线：" if not report.online else "同步失败：") + report.error)
