"""The hotline as GeoReport v2 sees it: services from the matter taxonomy, requests from tickets.

What a public GET may carry (R26.1, R33.2, R11.1, R26.2) is decided here, once:

- `address` is the ticket's place (属地), never the caller's address; `lat`/`long` are absent.
- `description` is the caller's words with the caller's name, phone and address and anything that
  looks like a phone or an ID number taken out; for a confidential ticket (投诉、举报, a complaint
  naming a party, a ticket marked secret) it is absent altogether, because the words of a
  complaint often identify who complained.
- `status_notes` is the workflow status's name (办理中, 已办结 …), never a unit's free text.
- A ticket marked as holding commercial or state secrets (R33.2) shows its id and status only.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from operator_tui.config import Rules
from operator_tui.domain import redact as personal
from operator_tui.domain.model import Ticket

from ..projection import clock_of, ticket_of
from ..storage import TicketRow

REDACTED = "＊＊＊"
# A phone (mobile or landline, with or without separators) or an ID-card number: any run of 7 or
# more digits, allowing the separators people write between groups.
_DIGITS = re.compile(r"(?:\+?\d[\d\s\-－—()（）]{5,}\d)|\d{7,}[\dXx]?")
_CLOCK_NOTICE = {
    "acceptance": "中心将在3个工作日内决定是否受理（R20.2）",
    "dispatch": "中心将在受理后2个工作日内转办承办单位（R20.2）",
    "resolution": "承办单位按规定时限办理（R22.1）",
    "extension": "承办单位已申请延期，待审核（R22.2）",
}
CLOSED_NOTICE = "诉求已办结"


def services(rules: Rules) -> list[dict[str, Any]]:
    """GET services: one service per matter (事项分类), grouped by its scope category (R6.1)."""
    tax = rules.taxonomy
    return [
        {
            "service_code": m.code,
            "service_name": m.name,
            "description": f"{tax.scopes[m.scope].name}：{m.name}" if m.scope in tax.scopes else m.name,
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(getattr(m, "keywords", ()) or ()),
            "group": tax.scopes[m.scope].name if m.scope in tax.scopes else "",
        }
        for m in tax.matters.values()
    ]


def place_names(rules: Rules) -> dict[str, str]:
    """Each place's public name (a street with its district: 铁东区站前街道), by code."""
    places = rules.taxonomy.places
    return {
        code: (places[p.parent].name if p.parent is not None and p.parent in places else "") + p.name
        for code, p in places.items()
    }


def definition(rules: Rules, service_code: str) -> dict[str, Any] | None:
    """GET services/{code}: every matter needs its place (属地 routing, R6.1) and may take an appeal
    type and a written channel, so every service has `metadata` true and these three attributes."""
    tax = rules.taxonomy
    if service_code not in tax.matters:
        return None
    written = [c for c in tax.channels.values() if c.written]
    names = place_names(rules)

    def attribute(
        order: int, code: str, required: bool, description: str, values: list[tuple[str, str]]
    ) -> dict[str, Any]:
        return {
            "variable": True,
            "code": code,
            "datatype": "singlevaluelist",
            "required": required,
            "datatype_description": "",
            "order": order,
            "description": description,
            "values": [{"key": k, "name": n} for k, n in values],
        }

    return {
        "service_code": service_code,
        "attributes": [
            attribute(
                1, "place", False, "发生地点（区县/街道）；也可在 address_string 中写地点名称", sorted(names.items())
            ),
            attribute(
                2,
                "appeal_type",
                False,
                "诉求类型（默认：情况反映）",
                [(t.code, t.name) for t in tax.appeal_types.values()],
            ),
            attribute(
                3, "channel", False, "来源渠道（书面渠道；默认：网站/移动端）", [(c.code, c.name) for c in written]
            ),
        ],
    }


def status_of(row: TicketRow) -> str:
    return "closed" if row.closed else "open"


def redact(text: str, ticket: Ticket) -> str:
    """The caller's words without the caller's own name, phone and address (R26.1, R33.1), and
    without anything shaped like a phone or an ID number (a neighbour's, a relative's)."""
    who = ticket.appellant
    for value in sorted({who.name, who.phone, who.address} - {""}, key=len, reverse=True):
        if len(value) >= 2:
            text = text.replace(value, REDACTED)
    text = _DIGITS.sub(REDACTED, text)
    # Then what the public page's cases remove too (plates, house numbers, compounds, names after a
    # cue, the caller written oddly): one redaction for everything public (issue 15, R37.1).
    return personal.redact(text, personal.Known(who.name, who.phone, who.address)).text


def _iso(at: datetime | str | None) -> str | None:
    if at is None:
        return None
    at = datetime.fromisoformat(at) if isinstance(at, str) else at
    return at.isoformat(timespec="seconds")


def request_of(row: TicketRow, rules: Rules, now: datetime) -> dict[str, Any]:
    """One ticket as a GeoReport service request, masked for the public (see the module docstring)."""
    ticket = ticket_of(row)
    if ticket.secrecy:  # R33.2: the id and the status, nothing else
        return {"service_request_id": row.number, "status": status_of(row)}
    tax = rules.taxonomy
    clock = None if row.closed else clock_of(ticket, rules, now)
    lead = tax.units.get(ticket.lead_unit) if ticket.lead_unit else None
    out: dict[str, Any] = {
        "service_request_id": row.number,
        "status": status_of(row),
        "status_notes": ticket.status_name,
        "service_name": tax.matters[ticket.matter].name if ticket.matter in tax.matters else ticket.matter,
        "service_code": ticket.matter,
        "description": None if row.confidential else redact(ticket.description, ticket),
        "agency_responsible": lead.name if lead else None,
        "service_notice": CLOSED_NOTICE if row.closed else _CLOCK_NOTICE.get(clock.name if clock else "", None),
        "requested_datetime": _iso(ticket.submitted_at or ticket.registered_at),
        "updated_datetime": _iso(ticket.updated_at),
        "expected_datetime": _iso(clock.due.at) if clock else None,
        "address": place_names(rules).get(ticket.place, ticket.place),
        "address_id": None,
        "zipcode": None,
        "media_url": None,
    }
    return out
