"""`hotline ticket add|show|list`: non-interactive entry and lookup (R10.1, R18.1, R19.1).

On a seat configured with a server (HOTLINE_SERVER and HOTLINE_TOKEN, as `hotline sync` reads them),
`show NUMBER` and `list --phone P` find tickets recorded at any seat (issue 11), merged with this
seat's unsynced ones; `--local` keeps to this seat's store. When the server does not answer, the
seat's store answers and a line on stderr says the view may be incomplete.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from ..desk import Desk, IntakeInvalid
from ..domain.deadlines import CLOCK_NAMES
from ..domain.errors import RuleViolation
from ..domain.model import Status, Ticket
from ..domain.validation import normalise_phone, validate_intake
from ..settings import CredentialError, check_ca_file, resolve_token
from ..store import tickets
from ..sync.errors import ProtocolError, SyncError
from .base import CliError, settings
from .common import echo_text, now, open_store, rules

ticket_app = typer.Typer(help="Record and look up tickets (办理单).", no_args_is_help=True)


def _load_json_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"--json-file：无法读取 {path}（{exc.strerror}）") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CliError(f"--json-file：{path} 不是有效的 UTF-8 JSON（{exc}）") from None
    if not isinstance(data, dict):
        raise CliError(f"--json-file：{path} 应为一个 JSON 对象，包含办理单的各字段")
    return data


def _resolve_codes(form: dict[str, Any]) -> dict[str, Any]:
    """Let people type names (铁东区, 供暖温度不达标, 投诉) where codes are expected."""
    tax = rules().taxonomy
    for key, table in (
        ("appeal_type", "appeal_types"),
        ("matter", "matters"),
        ("place", "places"),
        ("channel", "channels"),
        ("scope", "scopes"),
    ):
        if form.get(key) not in (None, ""):
            code = tax.resolve(table, form[key])
            if code is not None:
                form[key] = code
    who = form.get("appellant")
    if isinstance(who, dict) and who.get("kind"):
        who["kind"] = tax.resolve("appellant_kinds", who["kind"]) or who["kind"]
    if isinstance(who, dict) and who.get("vulnerable"):
        vs = who["vulnerable"] if isinstance(who["vulnerable"], list) else [who["vulnerable"]]
        who["vulnerable"] = [tax.resolve("vulnerable_groups", v) or v for v in vs]
    return form


def ticket_dict(t: Ticket, clock) -> dict[str, Any]:
    d = json.loads(t.model_dump_json())
    d["status_name"] = t.status_name
    d["clock"] = (
        None
        if clock is None
        else {
            "name": clock.name,
            "rule": clock.rule,
            "due_at": clock.due.at.isoformat(),
            "provisional": clock.due.provisional,
            "overdue": clock.overdue,
            "paused": clock.paused,
        }
    )
    return d


def register(app: typer.Typer) -> None:
    app.add_typer(ticket_app, name="ticket")


LOCAL_HELP = "Only this seat's own store, even when a server is configured."


def _http(url: str, ca_file: str | None = None):
    """The connection to the server (verified like the seat's: system CAs, or the ca_file setting); a
    function of its own so tests can hand in the app in-process."""
    from ..sync.client import http_client  # httpx (~0.1 s) only when a server is asked

    return http_client(url, timeout=10, ca_file=ca_file)


@contextmanager
def _centre(s, store, local: bool):
    """A `CentreLookup` over the configured server (None with --local or without a server)."""
    if local or not s.server_url:
        yield None
        return
    if not s.server_url.startswith(("http://", "https://")):
        raise CliError(f"HOTLINE_SERVER：'{s.server_url}' 应以 http:// 或 https:// 开头")
    try:
        token = resolve_token(s.token, s.token_file)  # the settings the root resolved (environment, config.toml)
        check_ca_file(s.ca_file)
    except CredentialError as exc:
        raise CliError(str(exc)) from None
    if not token:
        raise CliError(
            "HOTLINE_TOKEN：已配置服务器（HOTLINE_SERVER）但没有令牌；请设置 HOTLINE_TOKEN 或 "
            "HOTLINE_TOKEN_FILE（由 `hotline server init` 给出），或加 --local 只查本席记录"
        )
    # The centre lookup and httpx only when a server is asked, not for --local or a seat without one.
    from ..lookup import CentreLookup
    from ..sync.client import HotlineClient

    with _http(s.server_url, *([s.ca_file] if s.ca_file else [])) as http:
        yield CentreLookup(store, HotlineClient(http, token))


def _partial(note: str | None) -> None:
    if note:
        typer.echo(note, err=True)


@ticket_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Option(None, "--name", help="诉求人姓名 appellant name"),
    phone: str = typer.Option(None, "--phone", help="联系电话 (mobile or landline)"),
    address: str = typer.Option(None, "--address", help="现住所 current address"),
    kind: str = typer.Option("person", "--kind", help="诉求人类别: person | legal_person | organisation"),
    vulnerable: list[str] = typer.Option(
        [], "--vulnerable", help="援助对象 (repeatable): minor elderly disabled woman migrant_worker"
    ),
    appeal_type: str = typer.Option(None, "--type", help="诉求类型 code or name, e.g. complaint / 投诉"),
    scope: str = typer.Option(None, "--scope", help="受理范围 1–10 (default: the matter's)"),
    matter: str = typer.Option(None, "--matter", help="事项 code or name, e.g. heating_temperature"),
    place: str = typer.Option(None, "--place", help="地点 code or name, e.g. tiedong or tiedong.站前街道"),
    description: str = typer.Option(None, "--description", help="诉求内容 what the caller said"),
    channel: str = typer.Option("hotline_8890", "--channel", help="来源渠道 code or name"),
    answer: str = typer.Option(None, "--answer", help="Answer on the spot and close (R20.1)"),
    dispatch: str = typer.Option(None, "--dispatch", help="Accept and dispatch to this lead unit (R20.2)"),
    co_units: list[str] = typer.Option([], "--co-unit", help="Co-handling unit (repeatable, with --dispatch)"),
    json_file: Path = typer.Option(None, "--json-file", help="Read the fields from a JSON object instead"),
    as_json: bool = typer.Option(False, "--json", help="Print the saved ticket as JSON"),
) -> None:
    """Record a ticket; prints its number (受理编号)."""
    if json_file is not None:
        form = _load_json_file(json_file)
    else:
        form = {
            "appellant": {"name": name, "phone": phone, "address": address, "kind": kind, "vulnerable": vulnerable},
            "appeal_type": appeal_type,
            "scope": scope,
            "matter": matter,
            "place": place,
            "description": description,
            "channel": channel,
        }
    form = _resolve_codes(form)
    follow: list[tuple[str, dict[str, Any]]] = []
    if answer and dispatch:
        raise CliError("--answer/--dispatch：只能选择一种处理方式")
    if answer:
        follow.append(("answer_on_spot", {"answer": answer}))
    elif dispatch:
        units = rules().taxonomy.units
        unknown = [u for u in (dispatch, *co_units) if u not in units]
        if unknown:  # before the workflow, whose refusal would name the rule, not the option
            raise CliError(
                f"--dispatch/--co-unit：未知单位代码 {', '.join(unknown)}（见 operator_tui/data/units.toml）"
            )
        follow += [("accept", {}), ("dispatch", {"lead_unit": dispatch, "co_units": list(co_units)})]
    s = settings(ctx)
    # Validate before the store is opened: bad input must not even create the database file.
    errors = validate_intake(form, rules().taxonomy)[1]
    try:
        if errors:
            raise IntakeInvalid(errors)
        desk = Desk(open_store(s, write=True), rules(), s.operator)
        t = desk.register(form, now(), follow)
    except IntakeInvalid as exc:
        raise CliError(
            f"{exc.errors[0].field}：{exc.errors[0].message}"
            + (f"（另有 {len(exc.errors) - 1} 处）" if len(exc.errors) > 1 else "")
        ) from None
    except RuleViolation as exc:
        raise CliError(f"{exc.rule}：{exc.message}") from None
    if as_json:
        typer.echo(json.dumps(ticket_dict(t, desk.clock(t, now())), ensure_ascii=False))
    else:
        typer.echo(t.number)


@ticket_app.command("show")
def show(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="受理编号"),
    as_json: bool = typer.Option(False, "--json"),
    local: bool = typer.Option(False, "--local", help=LOCAL_HELP),
) -> None:
    """Show one ticket: status in plain words, units, deadlines, history (R10.1); from any seat when a
    server is configured."""
    s = settings(ctx)
    number = number.strip()
    if not number.isdigit() or len(number) > 20:
        raise CliError(f"NUMBER：'{number}' 不是受理编号（受理编号只含数字）")
    store = open_store(s)
    r = rules()
    with store.connect() as db:
        t = tickets.by_number(db, number)
        history = tickets.events(db, t.id) if t else []
        pending = t is not None and tickets.unsynced(db, t.id)
    where = f"{s.db_path} "
    with _centre(s, store, local) as centre:
        if centre is not None and not pending:  # this seat's unsynced state wins over the server's
            from ..lookup import OFFLINE_NOTE  # the centre lookup only when a server is asked

            try:
                d = centre.detail(number)
            except ProtocolError as exc:
                if exc.status != 404:
                    raise CliError(f"服务器：{exc}") from None
                where = "中心服务器或 " + where
            except SyncError as exc:
                _partial(f"{OFFLINE_NOTE}（{exc}）")
            else:
                t, history = d.ticket.ticket, [e.to_domain() for e in d.events]
    if t is None:
        raise CliError(f"NUMBER：{where}中没有办理单 {number}；请核对号码，或用 `hotline ticket list --phone` 查找")
    desk = Desk(store, r, s.operator)
    clock = desk.clock(t, now())
    if as_json:
        d = ticket_dict(t, clock)
        d["history"] = [json.loads(e.model_dump_json()) for e in history]
        typer.echo(json.dumps(d, ensure_ascii=False))
        return
    tax = r.taxonomy
    unit_names = "、".join(tax.units[u].name for u in t.units if u in tax.units) or "（未转办）"
    echo_text("受理编号 ", t.number, "  ", t.status_name, "  优先" if t.priority else "")  # R9.1
    echo_text("诉求人 ", t.appellant.name, "  电话 ", t.appellant.phone, "  住址 ", t.appellant.address)
    echo_text(
        "事项 ",
        tax.matters[t.matter].name,
        "  地点 ",
        tax.places[t.place].name,
        "  类型 ",
        tax.appeal_types[t.appeal_type].name,
    )
    echo_text("内容 ", t.description)
    echo_text("承办单位 ", unit_names)
    if clock:
        echo_text(
            CLOCK_NAMES[clock.name],
            " ",
            clock.due.at.strftime("%Y-%m-%d %H:%M"),
            "（已超期）" if clock.overdue else "",
            "（暂定）" if clock.due.provisional else "",
        )
    for label, value in (("答复", t.answer), ("不予受理理由", t.refusal_reason), ("办理结果", t.result)):
        if value:
            echo_text(label, " ", value)
    echo_text("历史：")
    from ..domain.workflow import TRANSITIONS  # the workflow table only for `show`: `ticket add` and `list` skip it

    for e in history:
        local_at = e.at.astimezone(r.policy.tz).strftime("%Y-%m-%d %H:%M")
        echo_text("  ", local_at, "  ", TRANSITIONS[e.kind].title if e.kind in TRANSITIONS else e.kind, "  ", e.actor)


@ticket_app.command("list")
def list_(
    ctx: typer.Context,
    phone: str | None = typer.Option(
        None, "--phone", help="Caller's phone number (every seat's tickets when a server is configured)"
    ),
    status: str | None = typer.Option(None, "--status", help=f"One of: {', '.join(s.value for s in Status)}"),
    open_only: bool = typer.Option(False, "--open", help="Only tickets not yet closed"),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    as_json: bool = typer.Option(False, "--json"),
    local: bool = typer.Option(False, "--local", help=LOCAL_HELP),
) -> None:
    """List tickets, newest first, optionally by the caller's phone or by status."""
    if phone is not None:
        norm = normalise_phone(phone)
        if norm is None:
            raise CliError(f"--phone：'{phone}' 不是有效的电话号码（手机 11 位、以 1 开头，或座机如 0412-1234567）")
        phone = norm
    if status is not None and status not in {s.value for s in Status}:
        raise CliError(f"--status：'{status}' 不是有效状态，可选：{', '.join(s.value for s in Status)}")
    s = settings(ctx)
    store = open_store(s)
    sources: dict[str, str] = {}
    with _centre(s, store, local or phone is None) as centre:
        if centre is None:
            with store.connect() as db:
                found = tickets.search(db, phone=phone, status=status, open_only=open_only, limit=limit)
        else:  # issue 11: the caller's tickets at every seat
            # The centre lookup and its wire models (pydantic) only when a server is asked.
            from ..lookup import Criteria
            from ..lookup_wire import LOOKUP_MAX

            answer = centre.find(
                Criteria(phone=phone, open_only=open_only, limit=min(limit, LOOKUP_MAX), detail=True),
                purpose="命令行查询",
            )
            _partial(answer.note)
            rows = [r for r in answer.rows if r.ticket is not None and (status is None or r.status.value == status)]
            found = [r.ticket for r in rows]
            sources = {r.id: r.source for r in rows}
    desk = Desk(store, rules(), s.operator)
    t_now = now()
    if as_json:
        out = []
        for t in found:
            d = ticket_dict(t, desk.clock(t, t_now))
            if sources:
                d["source"] = sources.get(t.id)
            out.append(d)
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    tax = rules().taxonomy
    for t in found:
        clock = desk.clock(t, t_now)
        due = clock.due.at.strftime("%m-%d %H:%M") + ("!" if clock.overdue else "") if clock else "-"
        due += "（暂定）" if clock and clock.due.provisional else ""
        echo_text(
            t.number,
            "  ",
            t.registered_at.astimezone(rules().policy.tz).strftime("%Y-%m-%d %H:%M"),
            "  ",
            tax.matters[t.matter].name,
            "  ",
            t.status_name,
            "  ",
            due,
            "  优先" if t.priority else "",  # R9.1
            f"  [{sources[t.id]}]" if t.id in sources else "",
        )
    if not found:
        typer.echo("（没有符合条件的办理单）")
