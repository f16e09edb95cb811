"""Who may do what: the one table the seat, the push API and the action API all read (R24.2, R26.1, R33.1).

A *party* is a role seen from one ticket. The centre's staff (operator, supervisor, admin) and the
sweep (system) are parties by their role alone; a unit is the ticket's lead unit (主办) or one of its
co-handling units (协办), or no party at all when it does not hold the ticket.

R24.2 names one lead unit: the lead signs for the ticket, returns it, asks for an extension, gives
the result, answers explanation demands and disputes the rating — each of these acts speaks for the
whole ticket, so a co-unit doing one would (for instance) return the ticket for everyone. A co-unit
contributes to the lead's handling with supplementary notes (补充说明), which the lead and the centre
see in the history.

The workflow's transition table derives its `roles` from `MAY`; `check_role` and `check_party` are what
`Workflow.apply` runs, so a refusal reads the same whichever way an event arrives.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from .errors import RuleViolation
from .states import Role

if TYPE_CHECKING:
    from .model import Ticket


class Party(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    LEAD_UNIT = "lead_unit"
    CO_UNIT = "co_unit"
    SUPERVISING_UNIT = "supervising_unit"  # R20.4: the 信访 department on a 信访 ticket
    SYSTEM = "system"
    PARTNER = "partner"  # R32.1: another platform, through Open311; it registers and does nothing else


P = Party
CENTRE = frozenset({P.OPERATOR, P.SUPERVISOR, P.ADMIN})
SUPERVISORS = frozenset({P.SUPERVISOR, P.ADMIN})
LEAD = frozenset({P.LEAD_UNIT})
UNITS = frozenset({P.LEAD_UNIT, P.CO_UNIT})

MAY: dict[str, frozenset[Party]] = {
    "register": CENTRE | {P.PARTNER},  # R32.1: a partner platform's request (Open311 POST) only
    "answer_on_spot": CENTRE,
    "accept": CENTRE,
    "refuse": CENTRE,
    "advise_channel": CENTRE,
    "dispatch": CENTRE,
    "receive": LEAD,
    "return_to_centre": LEAD,  # R28.1: a co-unit's "not ours" is a note, not a return for all
    "request_extension": LEAD,
    "approve_extension": SUPERVISORS,
    "deny_extension": SUPERVISORS,
    "respond": LEAD,  # R24.2: the lead unit gives the result
    "review_pass": SUPERVISORS,
    "review_return": SUPERVISORS,
    "callback": CENTRE,
    "callback_failed": CENTRE,
    "dispute_rating": LEAD,  # the rating is of the lead's result
    "rerate": SUPERVISORS,
    "confirm_rating": frozenset({P.ADMIN}),
    "archive": SUPERVISORS | {P.SYSTEM},
    "set_units": SUPERVISORS,
    "escalate": SUPERVISORS,
    "supervise": SUPERVISORS | {P.SYSTEM},
    "recusal_request": CENTRE | UNITS,  # R26.2: unit staff may recuse too
    "recusal_decision": SUPERVISORS,
    "referral": CENTRE,
    "link_call": CENTRE,
    "call_record": CENTRE,  # R11.1: the seat that took the call records it
    "demand_explanation": CENTRE,
    "answer_explanation": LEAD,  # R10.2: the unit answering for the ticket is its lead
    "credit_mark": SUPERVISORS,
    "add_note": CENTRE | UNITS | {P.SUPERVISING_UNIT},  # R20.4: the 信访 department's supervision notes
    "tell_extension": CENTRE,  # R22.2: the appellant is told
    "set_level": SUPERVISORS,  # R5.1
    "add_reference": CENTRE,  # R5.1, R28.2
    "set_respondents": CENTRE,  # R26.2
    "mark_secret": SUPERVISORS,  # R33.2
}

_ROLE_OF: dict[Party, Role] = {
    P.OPERATOR: Role.OPERATOR,
    P.SUPERVISOR: Role.SUPERVISOR,
    P.ADMIN: Role.ADMIN,
    P.LEAD_UNIT: Role.UNIT,
    P.CO_UNIT: Role.UNIT,
    P.SUPERVISING_UNIT: Role.UNIT,
    P.SYSTEM: Role.SYSTEM,
    P.PARTNER: Role.PARTNER,
}
_PARTY_OF_ROLE: dict[Role, Party] = {r: p for p, r in _ROLE_OF.items() if r is not Role.UNIT}

# R33.1: the roles a token may record events under — never above its own, and never the sweep's.
RECORDS_AS: dict[Role, frozenset[Role]] = {
    Role.OPERATOR: frozenset({Role.OPERATOR}),
    Role.SUPERVISOR: frozenset({Role.OPERATOR, Role.SUPERVISOR}),
    Role.ADMIN: frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN}),
    Role.UNIT: frozenset({Role.UNIT}),
    Role.SYSTEM: frozenset({Role.SYSTEM}),  # the sweep; no token is ever issued for it
    Role.PARTNER: frozenset({Role.PARTNER}),
}


def roles(kind: str) -> frozenset[Role]:
    """The roles that may cause `kind` on some ticket (a unit role: as lead or co-unit of it)."""
    return frozenset(_ROLE_OF[p] for p in MAY[kind])


def party(role: Role, unit: str | None, ticket: Ticket | None) -> Party | None:
    """`role` (acting for `unit`) as a party to `ticket`; None for a unit that does not hold it."""
    if role is not Role.UNIT:
        return _PARTY_OF_ROLE[role]
    if ticket is None or not unit:
        return None
    if unit == ticket.lead_unit:
        return P.LEAD_UNIT
    if unit in ticket.co_units:
        return P.CO_UNIT
    return P.SUPERVISING_UNIT if unit == ticket.supervising_unit else None


def may(kind: str, role: Role, unit: str | None, ticket: Ticket | None) -> bool:
    return party(role, unit, ticket) in MAY[kind]


def check_role(kind: str, role: Role, rule: str, title: str) -> None:
    """Raise RuleViolation unless some party of `role` may do `kind` (checked before the ticket's state)."""
    if role not in roles(kind):
        raise RuleViolation(rule, f"role '{role.value}' may not {title}（{kind}）")


def check_party(kind: str, role: Role, unit: str | None, ticket: Ticket, title: str) -> None:
    """Raise RuleViolation unless `role` acting for `unit` may do `kind` to this `ticket`: a unit must
    hold it (R26.1) and be the party the table names (R24.2)."""
    if role is not Role.UNIT:
        return
    who = party(role, unit, ticket)
    if who is None:
        raise RuleViolation("R26.1", f"unit '{unit}' does not hold ticket {ticket.number}")
    if who not in MAY[kind]:
        raise RuleViolation(
            "R24.2", f"only the lead unit (主办) may {title}（{kind}）; '{unit}' is a co-handling unit (协办)"
        )
