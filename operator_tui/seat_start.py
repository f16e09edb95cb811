"""Starting the seat: its options, their checks, and the context the screens are given.

An operator starts the seat at the beginning of a shift and after every crash, so its start-up path
is kept short: this module imports neither typer nor pydantic nor the store's query modules. It
opens the store and reads the policy for the first frame (`start_seat`); the heavier half (the
rules, the desk with its pydantic models, the knowledge-base searcher, the sync client) is loaded
by `SeatStart.finish()` after the first frame, or at once by `build_context`.

Both ways into the seat use it: the `hotline seat` typer command and the short path in
`operator_tui.launch`, which parses the options below itself (a test checks the table against the
typer command).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from .domain.errors import BadInput
from .settings import Settings
from .settings_table import ENV

if TYPE_CHECKING:
    from .ui.context import SeatBegin, SeatContext, SeatStart

ROLES = ("operator", "supervisor", "admin")

# option → (SeatOptions field, takes a value, environment variable); the root options come first.
# A field that is also a setting (settings_table) is resolved with the settings: option >
# environment > config.toml > default.
ROOT_OPTIONS: dict[str, tuple[str, bool, str | None]] = {
    "--db": ("db", True, ENV["db"]),
    "--operator": ("operator", True, ENV["operator"]),
}
SEAT_OPTIONS: dict[str, tuple[str, bool, str | None]] = {
    "--caller": ("caller", True, None),
    "--offline": ("offline", False, None),
    "--server": ("server", True, ENV["server"]),
    "--demo": ("demo", False, None),
    "--token": ("token", True, ENV["token"]),
    "--token-file": ("token_file", True, ENV["token_file"]),
    "--ca-file": ("ca_file", True, ENV["ca_file"]),
    "--role": ("role", True, ENV["role"]),
    "--cti": ("cti", True, ENV["cti"]),
    "--key-file": ("key_file", True, ENV["key_file"]),
}
RUN_ONLY = ("caller", "offline", "demo")  # options of this run only, not settings


class SeatStartError(BadInput, ValueError):
    """The seat cannot start; the message names the option or file and what to fix."""


@dataclass(frozen=True)
class SeatOptions:
    caller: str | None = None
    offline: bool = False
    server: str | None = None
    demo: bool = False
    token: str | None = None
    role: str = "operator"
    token_file: str | None = None  # a 0600 file holding the token (kept off the command line)
    ca_file: str | None = None  # the centre's CA for an https server (default: the system's CAs)
    cti: str | None = None  # the phone system: freeswitch://host:8021?agent=… or asterisk://host:5038?…
    key_file: str | None = None  # an encrypted database's key file (0600); issue 16


def seat_options(
    settings: Settings, caller: str | None = None, offline: bool = False, demo: bool = False
) -> SeatOptions:
    """The seat's options: this run's own (`caller`, `offline`, `demo`) and the resolved settings."""
    return SeatOptions(
        caller=caller,
        offline=offline,
        server=settings.server_url,
        demo=demo,
        token=settings.token,
        role=settings.role,
        token_file=settings.token_file,
        ca_file=settings.ca_file,
        cti=settings.cti,
        key_file=settings.key_file,
    )


def check_options(opts: SeatOptions) -> None:
    """Raise SeatStartError for an option a person got wrong."""
    from .settings import CredentialError, check_ca_file

    try:
        check_ca_file(opts.ca_file)
    except CredentialError as exc:
        raise SeatStartError(str(exc)) from None
    if opts.caller is not None and not _is_phone(opts.caller):
        raise SeatStartError(f"--caller：'{opts.caller}' 不是有效的电话号码（手机 11 位，或座机如 0412-1234567）")
    if opts.role not in ROLES:
        raise SeatStartError(f"--role：'{opts.role}' 应为 operator、supervisor 或 admin")
    if opts.server and not opts.server.startswith(("http://", "https://")):
        raise SeatStartError(f"--server：'{opts.server}' 应以 http:// 或 https:// 开头")
    if opts.cti is not None:
        check_cti(opts.cti)


def check_cti(url: str) -> None:
    """The --cti URL's scheme, checked before the first frame without importing operator_tui.cti
    (the seat's start-up figure); the rest of it and the credentials right after the first frame,
    where a mistake closes the seat with its one-line reason and exit code 2."""
    if not url.strip().lower().startswith(("freeswitch://", "asterisk://")):
        raise SeatStartError(
            f"--cti：地址 {url!r} 应以 freeswitch:// 或 asterisk:// 开头，"
            "如 freeswitch://10.0.0.5:8021?agent=1001@default"
        )


def _is_phone(text: str) -> bool:
    from .domain.validation import normalise_phone

    return normalise_phone(text) is not None


def build_context(
    settings: Settings,
    caller: str | None = None,
    offline: bool = False,
    role: str = "operator",
    token: str | None = None,
    ca_file: str | None = None,
    cti: str | None = None,
    key_file: str | None = None,
) -> SeatContext:
    """Everything the seat needs, loaded at once (a supervisor's seat, `--demo`, tests and
    benchmarks). What a person can get wrong stops it with a SeatStartError."""
    from .config import ConfigError

    start = start_seat(settings, caller, offline, role, token, ca_file=ca_file, cti=cti, key_file=key_file)
    try:
        return start.finish()
    except ConfigError as exc:
        raise SeatStartError(str(exc)) from None


def start_seat(
    settings: Settings,
    caller: str | None = None,
    offline: bool = False,
    role: str = "operator",
    token: str | None = None,
    ca_file: str | None = None,
    cti: str | None = None,
    key_file: str | None = None,
) -> SeatStart:
    """The seat in two halves. What a person can get wrong is checked here, before the first
    frame: the policy file, the database, a site's triage rules, a missing token. The rest of the
    rules files are read by `finish()`, after the first frame; one that cannot be read raises
    ConfigError there, and the seat closes with its reason (exit code 2), as a bad policy file
    stops it here."""
    from .config import ConfigError, default_rules, load_policy
    from .domain.states import Role
    from .store.db import Store, StoreError
    from .ui.context import SeatContext, SeatStart, StartContext

    try:
        # The policy now (the call timer needs it); the rest of the rules, which the form's lists
        # and the disposition checks need, in `finish()`.
        policy = load_policy()
    except ConfigError as exc:
        raise SeatStartError(str(exc)) from None
    # Issue 14: a mistyped --db made a new, empty seat; only `hotline db init` creates a database.
    from .path_checks import database_problem

    problem = database_problem(settings.db_path, "--db", write=True)
    if problem:
        raise SeatStartError(problem)
    try:
        # hold: `hotline db encrypt/rekey` refuse while the seat runs (store/seat_lock.py)
        store = Store.open(settings.db_path, key_file=Path(key_file) if key_file else None, hold=True)
    except StoreError as exc:
        raise SeatStartError(f"--db：无法打开数据库 {settings.db_path}（{exc.reason}）") from None
    # R20.3: the seat never runs without triage. A site's own rules file (setting triage_rules) is
    # checked now, so a broken one stops the start with its reason; the packaged rules (tested in
    # CI) compile after the first frame (~0.2 s of regex compilation kept off the start-up path).
    triage_rules = None
    if settings.triage_rules:
        from .triage_rules import TriageRulesError, load_triage_rules

        try:
            triage_rules = load_triage_rules(settings.triage_rules)
        except TriageRulesError as exc:
            raise SeatStartError(f"紧急分诊规则：{exc}；没有紧急分诊，坐席不能启动") from None
    syncing = bool(settings.server_url) and not offline
    if syncing and not token:
        raise SeatStartError(
            "--token：连接服务器的坐席需要令牌（--token-file 或 HOTLINE_TOKEN_FILE，"
            "或 HOTLINE_TOKEN；由 `hotline server token` 生成）"
        )

    def rest(first: StartContext) -> SeatContext:
        from datetime import datetime

        from .desk import Desk

        rules = default_rules()  # a ConfigError here stops the seat
        # The operator is the person behind the token, as the server will record them: the one
        # remembered from the last sync (no network call here), else --operator, else 待核实
        # until the first sync asks the server (operator_tui.identity).
        from .identity import operator_for

        desk = Desk(store, rules, operator_for(settings, store, token), Role(role))
        # Issue 12: stored deadlines follow holiday data that arrived since the last start.
        from .store.tickets import refresh_deadlines

        with store.connect() as db:
            refresh_deadlines(db, rules.clocks, rules.taxonomy, datetime.now(policy.tz))
        kb_search = None
        try:
            from .kb.search import make_searcher
        except ImportError:
            pass
        else:
            kb_search = make_searcher(settings.db_path, today=lambda: datetime.now(policy.tz).date())
        sync = None
        if syncing:
            from .sync.client import HotlineClient, http_client
            from .sync.service import SyncService

            def identified(who) -> None:  # from the sync worker: a plain attribute, read at the next event
                desk.actor = who.actor

            http = http_client(settings.server_url or "", timeout=10, ca_file=ca_file)  # set: `syncing`
            sync = SyncService(store, HotlineClient(http, token), rules, on_identity=identified)
        link = None
        if cti:  # the link object only: the intake screen starts it once it is on screen
            from .cti import CtiConfigError, connect_link, parse_cti_url

            try:
                link = connect_link(parse_cti_url(cti, settings.cti_credentials()))
            except CtiConfigError as exc:  # closes the seat with the reason, as a bad rules file does
                raise ConfigError(str(exc)) from None
        return SeatContext.completing(first, rules=rules, desk=desk, kb_search=kb_search, sync=sync, cti=link)

    first = StartContext(
        settings=settings,
        store=store,
        policy=policy,
        triage_rules=triage_rules,
        triage_loader=None if triage_rules else _packaged_triage_rules,
        caller=caller,
        offline=offline,
        role=Role(role),
    )
    return SeatStart(first, rest)


def _packaged_triage_rules():
    from .triage_rules import load_triage_rules

    return load_triage_rules()


def run_seat(settings: Settings, opts: SeatOptions, defer: bool = False) -> None:
    """Check the options, build the context, open the seat and run it until the operator quits.

    `defer` (the operator's seat started from the command line): the first frame is painted with
    the form ready for typing, and the rest of the seat loads right after it."""
    from .settings import CredentialError, resolve_token

    check_options(opts)
    if opts.server:
        settings = replace(settings, server_url=opts.server)
    try:
        token = resolve_token(opts.token, opts.token_file)
    except CredentialError as exc:
        raise SeatStartError(str(exc)) from None
    begin: SeatBegin
    # A supervisor opens on the queue overview, which needs the whole context at once.
    if defer and opts.role == "operator" and not opts.demo:
        begin = start_seat(
            settings,
            opts.caller,
            opts.offline,
            opts.role,
            token,
            ca_file=opts.ca_file,
            cti=opts.cti,
            key_file=opts.key_file,
        )
    else:
        context = build_context(
            settings,
            opts.caller,
            opts.offline,
            opts.role,
            token,
            ca_file=opts.ca_file,
            cti=opts.cti,
            key_file=opts.key_file,
        )
        if opts.demo:
            from datetime import datetime

            from .demo import seed

            seed(context.store, context.rules, datetime.now(UTC))
        begin = context
    from .ui.app import KeymapError, make_app

    try:
        app = make_app(begin)
    except KeymapError as exc:
        raise SeatStartError(f"keymap: {exc}") from None
    app.run()
    if app.return_code:  # the seat closed itself, having said why (e.g. a rules file it could not read)
        raise SystemExit(app.return_code)


def parse_seat_args(args: list[str], env: Mapping[str, str] | None = None) -> tuple[Settings, SeatOptions] | None:
    """`hotline [--db X] [--operator Y] seat [options]` → its settings and options, or None when
    `args` are anything else (another command, `--help`, an option not in the tables), which the
    full CLI then handles with its own messages. A config file that cannot be used is a
    SeatStartError (one line, exit code 2)."""
    from .settings import SettingsError

    values: dict[str, object] = {}
    table = ROOT_OPTIONS
    seen_seat = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "seat" and not seen_seat:
            seen_seat, table = True, SEAT_OPTIONS
            i += 1
            continue
        name, eq, inline = arg.partition("=")
        if name not in table:
            return None
        field, takes_value, _ = table[name]
        if not takes_value:
            if eq:
                return None
            values[field] = True
            i += 1
            continue
        if eq:
            value = inline
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 1
        else:
            return None  # typer says "requires an argument"
        values[field] = value
        i += 1
    if not seen_seat:
        return None
    run = {k: values.pop(k) for k in RUN_ONLY if k in values}
    try:
        settings = Settings.resolve(cli=values, env=env)
    except SettingsError as exc:
        raise SeatStartError(str(exc)) from None
    return settings, seat_options(settings, **run)  # type: ignore[arg-type]
