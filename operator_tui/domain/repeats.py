"""R25.1 (2) for one appellant: repeated calls about one open matter (催办).

The sweep already supervises many tickets on one matter in one place (server_stub/jobs.py); this is
the other half of ground (2) — "the same matter is reported repeatedly ... and stays unresolved" —
counted from the calls linked to a ticket (R13.1 link_call). Pure: the sweep passes the ticket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .policy import Policy
from .states import Status

if TYPE_CHECKING:
    from .model import Ticket

UNRESOLVED = frozenset(
    {Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED}
)


def repeated_calls_mark(ticket: Ticket, policy: Policy) -> str | None:
    """The sweep mark under which ground (2) is raised for `ticket` now, or None. One mark per
    `repeat_calls` further calls, so each new pile of calls climbs one more level (逐级)."""
    n = len(ticket.linked_calls)
    if ticket.status not in UNRESOLVED or n < policy.repeat_calls:
        return None
    return f"calls:{n // policy.repeat_calls}"
