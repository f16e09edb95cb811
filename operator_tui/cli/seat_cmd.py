"""`hotline seat`: the operator's full-screen seat (the main job)."""

from __future__ import annotations

from pathlib import Path

import typer


def build_context(settings, caller: str | None = None, offline: bool = False, role: str = "operator",
                  token: str | None = None):
    """Everything the seat needs, resolved once: rules, store, triage rules, KB search."""
    from ..desk import Desk
    from ..domain.model import Role
    from ..ui.context import SeatContext
    from . import CliError
    from .common import open_store, rules

    r = rules()
    store = open_store(settings, must_exist=False)
    # R20.3: the seat never runs without triage. A site's own rules file (HOTLINE_TRIAGE_RULES) is
    # checked now, so a broken one stops the start with its reason; the packaged rules (tested in
    # CI) compile after the first frame (~0.2 s of regex compilation kept off the start-up path).
    import os

    from ..triage_rules import TriageRulesError, load_triage_rules

    triage_rules = None
    if os.environ.get("HOTLINE_TRIAGE_RULES"):
        try:
            triage_rules = load_triage_rules(Path(os.environ["HOTLINE_TRIAGE_RULES"]))
        except TriageRulesError as exc:
            raise CliError(f"triage rules: {exc}; the seat does not start without emergency triage") from None
    kb_search = None
    try:
        from ..kb.search import make_searcher
    except ImportError:
        make_searcher = None
    if make_searcher is not None:
        from datetime import datetime

        kb_search = make_searcher(settings.db_path, today=lambda: datetime.now(r.policy.tz).date())
    sync = None
    if settings.server_url and not offline:
        import httpx

        from ..sync.client import HotlineClient
        from ..sync.service import SyncService

        if not token:
            raise CliError("--token: a seat that syncs needs its token (HOTLINE_TOKEN, from `hotline server init`)")
        sync = SyncService(store, HotlineClient(httpx.Client(base_url=settings.server_url, timeout=10), token), r)
    return SeatContext(settings=settings, rules=r, store=store, desk=Desk(store, r, settings.operator, Role(role)),
                       triage_rules=triage_rules, triage_loader=None if triage_rules else load_triage_rules, kb_search=kb_search, caller=caller, offline=offline,
                       role=Role(role), sync=sync)


def register(app: typer.Typer) -> None:
    @app.command("seat")
    def seat(
        ctx: typer.Context,
        caller: str = typer.Option(None, "--caller", help="The caller's number from the phone system (来电号码)."),
        offline: bool = typer.Option(False, "--offline", help="Do not try to reach the server."),
        server: str = typer.Option(None, "--server", envvar="HOTLINE_SERVER", help="Backend URL to sync with."),
        demo: bool = typer.Option(False, "--demo", help="Seed demo data first (once)."),
        token: str = typer.Option(None, "--token", envvar="HOTLINE_TOKEN", help="This seat's token for --server."),
        role: str = typer.Option("operator", "--role", envvar="HOTLINE_ROLE",
                                 help="operator (接线员) or supervisor (值班长, opens on the queue overview) or admin."),
    ) -> None:
        """Open the seat: record calls into tickets, keyboard only."""
        from ..domain.validation import normalise_phone
        from ..ui.app import KeymapError, make_app
        from . import CliError, settings

        s = settings(ctx)
        if caller is not None and normalise_phone(caller) is None:
            raise CliError(f"--caller: '{caller}' is not a PRC phone number (mobile 11 digits, or 0412-1234567)")
        if role not in ("operator", "supervisor", "admin"):
            raise CliError(f"--role: '{role}' must be operator, supervisor or admin")
        if server:
            from dataclasses import replace

            if not server.startswith(("http://", "https://")):
                raise CliError(f"--server: '{server}' must start with http:// or https://")
            s = replace(s, server_url=server)
        context = build_context(s, caller, offline, role, token)
        if demo:
            from ..demo import seed
            from .common import now

            seed(context.store, context.rules, now())
        try:
            app = make_app(context)
        except KeymapError as exc:
            raise CliError(f"keymap: {exc}") from None
        app.run()
