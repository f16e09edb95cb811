"""POST requests: a partner platform's service request becomes a ticket (R32.1, R20.7).

The request goes through the same path as a seat's event (`ingest.ingest`: the workflow, the
number check, the change feed), as a `register` in role `partner`, which may do nothing else
(permissions.MAY). Its number is in the series of the seat code enrolled for the partner
(`hotline server token add --role partner --seat 900`): YYMMDD + 900 + a 4-digit sequence, so a
partner's tickets are told apart by their number and never collide with a seat's.

The form, in GeoReport v2 terms:

- `service_code` is the matter (事项分类); `attribute[place]` the place code, or `address_string`
  the place's name or code (the place of the matter, not the caller's home);
- `attribute[appeal_type]` (default 情况反映) and `attribute[channel]`, a written channel (default
  网站/移动端): a partner's request arrives in writing, so it keeps the time it was submitted and
  the acceptance limit runs from it (R20.7) — the time the request reached the server;
- `last_name` + `first_name` the caller's name (匿名 if none), `phone` their phone (required: the
  centre calls back, R23); `email`, `lat`/`long`, `device_id`, `media_url` are not kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ulid import ULID

from operator_tui.config import Rules
from operator_tui.contract import EventIn
from operator_tui.domain.errors import BrokenInvariant
from operator_tui.domain.model import Role

from .. import ingest
from ..auth import Principal
from ..storage import Storage, TicketRow, utc
from .formats import Open311Error
from .mapping import place_names

LOCAL = ZoneInfo("Asia/Shanghai")  # ticket numbers carry the centre's local date
DEFAULT_APPEAL_TYPE = "report_situation"
DEFAULT_CHANNEL = "web_app"
NUMBER_TRIES = 5  # two requests in the same instant may pick the same next number: retry


def _place(form: Mapping[str, str], rules: Rules) -> str:
    places = rules.taxonomy.places
    raw = (form.get("attribute[place]") or form.get("address_string") or "").strip()
    if raw in places:
        return raw
    by_name = {name: code for code, name in place_names(rules).items()}
    if raw in by_name:
        return by_name[raw]
    if not raw:
        raise Open311Error(
            400,
            "the place is missing: give attribute[place] (a place code from the service "
            "definition) or address_string (a place name such as 铁东区站前街道)",
        )
    raise Open311Error(
        400,
        "address_string / attribute[place] is not a known place: use a place code or name "
        "from GET services/{service_code}.json",
    )


def payload_of(form: Mapping[str, str], rules: Rules, now: datetime) -> dict[str, Any]:
    """The register payload (without its number) from the request's form; Open311Error 400 on bad input."""
    tax = rules.taxonomy
    code = form.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is missing: pick one from GET services.json")
    if code not in tax.matters:
        raise Open311Error(400, f"service_code '{code[:40]}' is not a service: pick one from GET services.json")
    appeal_type = form.get("attribute[appeal_type]") or DEFAULT_APPEAL_TYPE
    if appeal_type not in tax.appeal_types:
        raise Open311Error(400, f"attribute[appeal_type] must be one of {', '.join(tax.appeal_types)}")
    channel = form.get("attribute[channel]") or DEFAULT_CHANNEL
    if channel not in tax.channels or not tax.channels[channel].written:
        raise Open311Error(
            400,
            "attribute[channel] must be a written channel: "
            + ", ".join(c.code for c in tax.channels.values() if c.written),
        )
    if not (form.get("description") or "").strip():
        raise Open311Error(400, "description is missing: say what the request is about")
    if not (form.get("phone") or "").strip():
        raise Open311Error(400, "phone is missing: the centre calls the requester back (R23)")
    name = f"{form.get('last_name', '').strip()}{form.get('first_name', '').strip()}" or "匿名"
    return {
        "appellant": {
            "name": name,
            "phone": form["phone"].strip(),
            "address": "不愿透露",
            "kind": "person",
            "vulnerable": [],
        },
        "appeal_type": appeal_type,
        "matter": code,
        "place": _place(form, rules),
        "description": form["description"].strip(),
        "channel": channel,
        "submitted_at": now.isoformat(),
    }


def next_number(storage: Storage, seat: str, now: datetime) -> str:
    prefix = f"{now.astimezone(LOCAL):%y%m%d}{seat}"
    with storage.read() as tx:
        row = tx._one("SELECT max(number) FROM tickets WHERE number LIKE ?", (prefix + "%",))
    last = int(row[0][-4:]) if row and row[0] else 0
    if last >= 9999:
        raise Open311Error(503, "this partner's ticket numbers for today are used up; try again tomorrow")
    return f"{prefix}{last + 1:04d}"


def register(storage: Storage, rules: Rules, p: Principal, form: Mapping[str, str], now: datetime) -> TicketRow:
    """Register the request as a ticket and return its row; Open311Error 400 with the rule's reason."""
    if p.role is not Role.PARTNER or p.seat is None:
        raise Open311Error(
            403,
            "this api_key may not submit requests: it needs a partner token "
            "(hotline server token add --role partner --seat NNN)",
        )
    payload = payload_of(form, rules, now)
    for _ in range(NUMBER_TRIES):
        number = next_number(storage, p.seat, now)
        ticket_id = str(ULID.from_datetime(now))
        event = EventIn(
            id=str(ULID.from_datetime(now)),
            ticket_id=ticket_id,
            kind="register",
            actor=p.actor,
            role=Role.PARTNER,
            seat=p.seat,
            at=now,
            payload={**payload, "number": number},
        )
        result = ingest.ingest(storage, rules, p, [(event, ingest.digest(event))], timedelta(0), now)[0]
        if result.status == "applied":
            with storage.read() as tx:
                row = tx.ticket(ticket_id)
            if row is None:  # applied in the same call: the ticket exists
                raise BrokenInvariant("Open311: an applied register left no ticket")
            # The partner's own audit (R33.1): which token brought which ticket in, never its content.
            storage.audit.append(
                [
                    {
                        "at": utc(now),
                        "principal_id": p.id,
                        "role": p.role.value,
                        "ticket_id": row.id,
                        "number": row.number,
                        "purpose": "Open311 合作平台登记",
                        "endpoint": "POST /open311/v2/requests",
                    }
                ]
            )
            return row
        if not (result.rule == "R18.1" and "already used" in (result.reason or "")):
            raise Open311Error(400, f"{result.rule}: {result.reason}")
    raise Open311Error(503, "could not allocate a ticket number; try again")
