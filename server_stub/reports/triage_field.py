"""Triage in the field (R20.3, issue 13): the banner on the centre's own tickets of a period against
the referrals the operators recorded. The judging is `operator_tui.domain.triage_field`; here is
only the reading, in SQL both engines run.

The tickets registered in the period are read in pages along the `registered_at` index
(`tickets_registered` on both engines), ordered by (registered_at, id) and continued after the
last row of the page before (keyset, no OFFSET), each page in its own short read transaction: a
year of a city's tickets never sits in memory, nor holds one transaction open for minutes. The
stored ticket JSON is parsed in Python (no engine-specific JSON SQL).

The banner is run again on each description as the rules stand today (the packaged rules, or a
file given), so a rules change can be measured on the same calls before it ships.

`export` receives the disagreements (漏报, 误报, 未处置) as labelled-set lines with the words redacted
(domain/redact.py, knowing the appellant's name, phone and address). A ticket marked as holding
secrets (R33.2) is judged and counted but never exported: its words stay where the mark restricts
them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from operator_tui.domain.periods import Period
from operator_tui.domain.redact import Known
from operator_tui.domain.triage import TriageRules
from operator_tui.domain.triage_field import FieldReport, FieldTally, FieldTicket, Verdict, export_line, judge

from ..storage import Storage, utc

BATCH = 500

Export = Callable[[dict[str, Any]], None]


def field_report(
    storage: Storage,
    period: Period,
    triage_rules: TriageRules,
    *,
    export: Export | None = None,
    batch: int = BATCH,
) -> tuple[FieldReport, int]:
    """The period's figures, and how many disagreements were withheld from `export` as secret."""
    lo, hi = (utc(b) for b in period.bounds())
    tally, withheld = FieldTally(), 0
    after: tuple[str, str] | None = None
    while True:
        with storage.read() as tx:
            if after is None:
                rows = list(
                    tx._all(
                        "SELECT registered_at, id, data FROM tickets WHERE registered_at >= ? AND registered_at < ? "
                        "ORDER BY registered_at, id LIMIT ?",
                        (lo, hi, batch),
                    )
                )
            else:
                rows = list(
                    tx._all(
                        "SELECT registered_at, id, data FROM tickets "
                        "WHERE (registered_at > ? OR (registered_at = ? AND id > ?)) AND registered_at < ? "
                        "ORDER BY registered_at, id LIMIT ?",
                        (after[0], after[0], after[1], hi, batch),
                    )
                )
        for _, _, data in rows:
            ticket = json.loads(data)
            verdict = judge(_field_ticket(ticket), triage_rules)
            tally.add(verdict)
            if export is not None and verdict.disagrees:
                if ticket.get("secrecy"):
                    withheld += 1
                else:
                    export(_line(verdict, ticket))
        if len(rows) < batch:
            return tally.report(), withheld
        after = (rows[-1][0], rows[-1][1])


def _field_ticket(ticket: dict[str, Any]) -> FieldTicket:
    return FieldTicket(
        number=ticket["number"],
        registered_at=datetime.fromisoformat(ticket["registered_at"]),
        description=ticket.get("description") or "",
        referrals=tuple((r["target"], r["outcome"]) for r in ticket.get("referrals") or ()),
    )


def _line(verdict: Verdict, ticket: dict[str, Any]) -> dict[str, Any]:
    a = ticket.get("appellant") or {}
    known = Known(name=a.get("name") or "", phone=a.get("phone") or "", address=a.get("address") or "")
    return export_line(verdict, ticket.get("description") or "", known)
