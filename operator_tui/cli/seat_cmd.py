"""`hotline seat`: the operator's full-screen seat (the main job).

The options are checked and the seat built in `operator_tui.seat_start`, which the short start-up
path (`operator_tui.launch`) shares; keep the option names and environment variables here in step
with `seat_start.SEAT_OPTIONS` (tests/cli/test_seat_launch.py checks them).
"""

from __future__ import annotations

import typer

from ..settings_table import ENV


def build_context(
    settings,
    caller: str | None = None,
    offline: bool = False,
    role: str = "operator",
    token: str | None = None,
    ca_file: str | None = None,
    cti: str | None = None,
    key_file: str | None = None,
):
    """`seat_start.build_context` with its errors as CLI errors (tests and benchmarks use this)."""
    from ..seat_start import SeatStartError
    from ..seat_start import build_context as build
    from . import CliError

    try:
        return build(settings, caller, offline, role, token, ca_file=ca_file, cti=cti, key_file=key_file)
    except SeatStartError as exc:
        raise CliError(str(exc)) from None


def register(app: typer.Typer) -> None:
    @app.command("seat")
    def seat(
        ctx: typer.Context,
        caller: str = typer.Option(None, "--caller", help="The caller's number from the phone system (来电号码)."),
        offline: bool = typer.Option(False, "--offline", help="Do not try to reach the server."),
        server: str = typer.Option(None, "--server", envvar=ENV["server"], help="Backend URL to sync with."),
        demo: bool = typer.Option(False, "--demo", help="Seed demo data first (once)."),
        token: str = typer.Option(None, "--token", envvar=ENV["token"], help="This seat's token for --server."),
        token_file: str = typer.Option(
            None,
            "--token-file",
            envvar=ENV["token_file"],
            help="A file (mode 0600) holding the token, instead of --token.",
        ),
        ca_file: str = typer.Option(
            None,
            "--ca-file",
            envvar=ENV["ca_file"],
            help="The centre's CA certificate (PEM) for an https server (default: system CAs).",
        ),
        role: str = typer.Option(
            None,
            "--role",
            envvar=ENV["role"],
            help="operator (接线员, the default) or supervisor (值班长, opens on the queue overview) or admin.",
        ),
        cti: str = typer.Option(
            None,
            "--cti",
            envvar=ENV["cti"],
            help="The phone system: freeswitch://host:8021?agent=1001@default or "
            "asterisk://host:5038?interface=PJSIP/1001 (password from HOTLINE_CTI_PASSWORD "
            "or HOTLINE_CTI_SECRET_FILE).",
        ),
        key_file: str = typer.Option(
            None,
            "--key-file",
            envvar=ENV["key_file"],
            help="The encrypted database's key file (mode 0600); or HOTLINE_DB_KEY, or the OS keyring.",
        ),
    ) -> None:
        """Open the seat: record calls into tickets, keyboard only."""
        from ..seat_start import SeatStartError, run_seat, seat_options
        from . import CliError, settings

        # the root resolved the settings (environment, config file); this command's options go on top
        resolved = settings(ctx).given(
            server=server, token=token, token_file=token_file, ca_file=ca_file, role=role, cti=cti, key_file=key_file
        )
        opts = seat_options(resolved, caller=caller, offline=offline, demo=demo)
        try:
            run_seat(resolved, opts, defer=True)
        except SeatStartError as exc:
            raise CliError(str(exc)) from None
