"""Who a ticket is about and where it stands: the rules that wave 2 added to REQUIREMENTS.md.

- R26.2 the party complained about or reported (被投诉、被举报的单位或个人) is recorded on the ticket;
  a recusal request (R27.1) names which recorded party the person recusing is related to.
- R11.1 a complaint about the centre itself or one of its staff is a ticket like any other, routed
  to the office (群众工作委员会办公室), and the staff member it names never handles it.
- R20.7 a written appeal keeps its submission time (the acceptance limit runs from it).
- R5.1 the level holding the ticket (city platform, a district workstation, a street) and R5.1/R28.2
  the reference numbers it carries from other platforms and channels.
- R33.2 a secrecy mark (commercial or state secrets) that restricts who reads the ticket.

Each helper checks one payload value and names its rule when it refuses; the effects call them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import RuleViolation
from .model import Event, ExternalRef, Respondent, Ticket
from .text import clean_text

if TYPE_CHECKING:
    from .workflow import Workflow

RESPONDENT_KINDS = {
    "unit": "承办单位",
    "centre": "群众工作服务中心",
    "staff": "中心工作人员",
    "other": "其他单位或个人",
}
LEVELS = {"city": "市平台", "district": "区县工作站", "street": "街道（乡镇）"}
SECRECY = {"commercial": "商业秘密", "state": "国家秘密"}
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/]{0,63}$")
APPELLANT = "appellant"


def _text(value: Any) -> str:
    return clean_text(value).strip() if isinstance(value, str) else ""


def submitted_at(e: Event, channel: str, wf: Workflow) -> datetime | None:
    """R20.7: when a written appeal was submitted; never later than its registration."""
    raw = e.payload.get("submitted_at")
    if raw in (None, ""):
        return None
    ch = wf.taxonomy.channels.get(channel)
    if not getattr(ch, "written", False):
        raise RuleViolation(
            "R20.7", f"'submitted_at' is for appeals that arrive in writing; {channel} is not a written channel"
        )
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise RuleViolation(
            "R20.7", "'submitted_at' must be an ISO date-time with a time zone (e.g. 2026-11-02T08:30:00+08:00)"
        )
    if at > e.at + timedelta(seconds=wf.clocks.policy.future_tolerance_seconds):
        raise RuleViolation("R20.7", "'submitted_at' cannot be later than the registration")
    return at


def external_refs(value: Any, wf: Workflow, rule: str = "R5.1") -> tuple[ExternalRef, ...]:
    """R5.1, R28.2: reference numbers from the provincial platform, 民心网, 110 and other channels."""
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        raise RuleViolation(rule, "'external_refs' must be a list of {source, number}")
    refs = []
    for row in value:
        source, number = (row.get("source"), row.get("number")) if isinstance(row, dict) else (None, None)
        ch = wf.taxonomy.channels.get(source) if isinstance(source, str) else None
        if not getattr(ch, "transfer", False):
            known = ", ".join(c for c, x in wf.taxonomy.channels.items() if getattr(x, "transfer", False))
            raise RuleViolation(rule, f"reference source must be a transfer channel ({known})")
        if not (isinstance(source, str) and isinstance(number, str) and _REF.match(number)):
            raise RuleViolation(rule, "a reference number is 1–64 letters, digits, '-', '_' or '/'")
        refs.append(ExternalRef(source=source, number=number))
    return tuple(dict.fromkeys(refs))


def respondents(value: Any, wf: Workflow) -> tuple[Respondent, ...]:
    """R26.2 (and R11.1 for the centre and its staff): the parties complained about or reported."""
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        raise RuleViolation("R26.2", "'respondents' must be a list of parties")
    out = []
    for row in value:
        kind = row.get("kind") if isinstance(row, dict) else None
        if kind not in RESPONDENT_KINDS:
            raise RuleViolation("R26.2", f"a respondent's 'kind' must be one of {', '.join(RESPONDENT_KINDS)}")
        unit, staff, name = row.get("unit"), _text(row.get("staff")), _text(row.get("name"))
        if kind == "unit" and unit not in wf.taxonomy.units:
            raise RuleViolation("R26.2", "a unit complained about must be a known unit code")
        if kind == "staff" and not staff:
            raise RuleViolation("R11.1", "a complaint about a staff member names the staff member (工号 or account)")
        if kind == "other" and not name:
            raise RuleViolation("R26.2", "a party that is not a unit or the centre needs its name")
        out.append(Respondent(kind=kind, unit=unit if kind == "unit" else None, staff=staff or None, name=name))
    return tuple(dict.fromkeys(out))


def secrecy(value: Any) -> tuple[str, ...]:
    """R33.2: the secrets a ticket holds."""
    if value in (None, []):
        return ()
    if not isinstance(value, list) or any(v not in SECRECY for v in value):
        raise RuleViolation("R33.2", f"'secrecy' must be a list of {', '.join(SECRECY)}")
    return tuple(sorted(set(value)))


def level_fields(level: Any, workstation: Any, wf: Workflow) -> dict[str, Any]:
    """R5.1: which level holds the ticket; a district workstation is named by its district."""
    level = level or "city"
    if level not in LEVELS:
        raise RuleViolation("R5.1", f"'level' must be one of {', '.join(LEVELS)}")
    if level == "city":
        if workstation:
            raise RuleViolation("R5.1", "a ticket held by the city platform has no district workstation")
        return {"level": "city", "workstation": None}
    place = wf.taxonomy.places.get(workstation) if isinstance(workstation, str) else None
    if place is None or place.parent is not None:
        raise RuleViolation(
            "R5.1", "a district or street level needs 'workstation': the district's place code (e.g. tiedong)"
        )
    return {"level": level, "workstation": workstation}


def party_names(ticket: Ticket) -> set[str]:
    """The parties a recusal ground can name (R26.2): the appellant and each recorded respondent."""
    names = {APPELLANT}
    for r in ticket.respondents:
        names |= {x for x in (r.unit, r.staff, r.name) if x}
    return names


def recusal_party(ticket: Ticket, e: Event) -> str:
    """R26.2, R27.1: the recorded party the person recusing is related to. A unit's staff must say
    which; the centre may leave it out when the appellant asks for a recusal without one."""
    related = e.payload.get("related_to")
    if related in (None, ""):
        if e.payload.get("unit"):
            raise RuleViolation(
                "R26.2", "a unit's recusal names the party its staff member is related to ('related_to')"
            )
        return ""
    if related not in party_names(ticket):
        raise RuleViolation(
            "R26.2", f"'{str(related)[:40]}' is not a party recorded on the ticket (the appellant or a respondent)"
        )
    return str(related)


def check_named_staff(ticket: Ticket, e: Event) -> None:
    """R11.1: the staff member a complaint names never handles it."""
    if ticket.about_centre and e.actor in ticket.named_staff:
        raise RuleViolation("R11.1", "this complaint names you; it is handled by the office, not by you")


def check_office_route(ticket: Ticket, lead: str, wf: Workflow) -> None:
    """R11.1: a complaint about the centre or its staff goes to the office that oversees the centre."""
    office = wf.taxonomy.office_unit
    if ticket.about_centre and office and lead != office:
        raise RuleViolation("R11.1", f"a complaint about the centre or its staff is led by the office ({office})")
