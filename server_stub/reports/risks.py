"""Risk warnings on the server (R31.1): the counts and texts from the ticket projection, the
decisions supervisors take on them, and the list the API and `hotline report risks` show.

The detection itself is `operator_tui.domain.risks` (the seat's overview runs it over its own
store). Here are only the queries, in SQL both engines run:

- counts per (matter, place, lead unit) between two registration instants, one GROUP BY per
  window (today so far and the same stretch of each past weekday), each a range on the
  `registered_at` index (`tickets_registered` on both engines), so a city's year does not matter;
- the evidence numbers of a surge, and the descriptions of the last few days' tickets for the
  cue scan (parsed from the stored ticket JSON here: no engine-specific JSON SQL).

A decision is one row per warning in `risk_decisions` (migration _005), written in a write
transaction, so two supervisors deciding at once get one decision and one 409. The decided warning
is stored as it stood (counts and ticket numbers, never personal data) and listed with its decision
for as long as the cue window reaches back, even when its counts no longer make it a warning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from operator_tui.domain.errors import Refused
from operator_tui.domain.risks import CueTicket, RiskPolicy, RiskWarning, assess, windows

from ..storage import Storage, Tx, utc

DECISIONS: dict[str, str] = {"acknowledge": "已确认", "dismiss": "已排除"}
MAX_REASON = 500
_COLUMN = {"matter": "matter", "place": "place", "unit": "lead_unit"}
_DECISION_COLS = (
    "warning_id",
    "decision",
    "reason",
    "actor",
    "role",
    "principal_id",
    "decided_at",
    "window_day",
    "warning",
)


class DecisionError(Refused, ValueError):
    """A decision that cannot be recorded; `status` is the HTTP status, the message Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ProjectionSource:
    """`RiskSource` over the server's ticket projection, inside one read transaction."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def counts(self, lo: datetime, hi: datetime) -> Iterable[tuple[str, str, str | None, int]]:
        return [
            (m, p, u, int(n))
            for m, p, u, n in self.tx._all(
                "SELECT matter, place, lead_unit, count(*) FROM tickets WHERE registered_at >= ? AND registered_at < ? "
                "GROUP BY matter, place, lead_unit",
                (utc(lo), utc(hi)),
            )
        ]

    def numbers(self, dimension: str, code: str, lo: datetime, hi: datetime, limit: int) -> list[str]:
        column = _COLUMN[dimension]  # from a fixed table, never from the caller
        return [
            r[0]
            for r in self.tx._all(
                f"SELECT number FROM tickets WHERE registered_at >= ? AND registered_at < ? AND {column} = ? "
                "ORDER BY registered_at DESC, number DESC LIMIT ?",
                (utc(lo), utc(hi), code, limit),
            )
        ]

    def cue_tickets(self, lo: datetime, hi: datetime) -> Iterable[CueTicket]:
        for number, registered, data in self.tx._all(
            "SELECT number, registered_at, data FROM tickets WHERE registered_at >= ? AND registered_at < ?",
            (utc(lo), utc(hi)),
        ):
            yield CueTicket(number, datetime.fromisoformat(registered), json.loads(data).get("description") or "")


@dataclass(frozen=True)
class Listed:
    """A warning as listed: current (still a warning now) or only kept for its decision."""

    warning: dict[str, Any]
    current: bool
    decision: dict[str, Any] | None

    def to_json_dict(self) -> dict[str, Any]:
        return {**self.warning, "current": self.current, "decision": self.decision}


def decisions_since(tx: Tx, day: date) -> dict[str, dict[str, Any]]:
    rows = tx._all(
        f"SELECT {', '.join(_DECISION_COLS)} FROM risk_decisions WHERE window_day >= ? ORDER BY decided_at",
        (day.isoformat(),),
    )
    return {r[0]: dict(zip(_DECISION_COLS, r)) for r in rows}


def _public(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "decision": d["decision"],
        "decision_name": DECISIONS[d["decision"]],
        "reason": d["reason"],
        "actor": d["actor"],
        "role": d["role"],
        "decided_at": d["decided_at"],
    }


def current_warnings(storage: Storage, policy: RiskPolicy, now: datetime, tz: tzinfo) -> list[RiskWarning]:
    with storage.read() as tx:
        return assess(ProjectionSource(tx), policy, now, tz)


def listing(storage: Storage, policy: RiskPolicy, now: datetime, tz: tzinfo) -> list[Listed]:
    """The current warnings with their decisions, then the decided ones of the cue window that
    are no longer current (so a decision never makes a warning vanish without a trace)."""
    w = windows(now, tz, policy)
    since = (w.cue_since or w.current[0]).date()
    with storage.read() as tx:
        found = assess(ProjectionSource(tx), policy, now, tz)
        decided = decisions_since(tx, since)
    out = [Listed(x.to_json_dict(), True, _public(decided[x.id]) if x.id in decided else None) for x in found]
    ids = {x.id for x in found}
    for wid, d in decided.items():
        if wid not in ids and d["window_day"] <= w.day.isoformat():
            out.append(Listed(json.loads(d["warning"]), False, _public(d)))
    return out


def decide(
    storage: Storage,
    policy: RiskPolicy,
    tz: tzinfo,
    *,
    warning_id: str,
    decision: str,
    reason: str,
    actor: str,
    role: str,
    principal_id: str,
    now: datetime,
) -> dict[str, Any]:
    """Record a supervisor's decision on a current warning; returns the listed warning with it."""
    if decision not in DECISIONS:
        raise DecisionError(422, f"decision 只能是 {' 或 '.join(DECISIONS)}（确认或排除）")
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError(422, "请填写理由（reason）：确认或排除风险预警都须说明理由")
    if len(reason) > MAX_REASON:
        raise DecisionError(422, f"理由过长：最多 {MAX_REASON} 字")
    found = {w.id: w for w in current_warnings(storage, policy, now, tz)}
    warning = found.get(warning_id)
    with storage.write() as tx:
        earlier = tx._one("SELECT decision, actor, decided_at FROM risk_decisions WHERE warning_id = ?", (warning_id,))
        if earlier is not None:
            raise DecisionError(
                409,
                f"该预警已于 {_local(earlier[2], tz)} 由 {earlier[1]} "
                f"{DECISIONS.get(earlier[0], earlier[0])}，不能重复处理",
            )
        if warning is None:
            raise DecisionError(404, f"没有编号为 {warning_id} 的当前预警（可能已过时限或编号有误），请先查看预警列表")
        row = {
            "warning_id": warning_id,
            "decision": decision,
            "reason": reason,
            "actor": actor,
            "role": role,
            "principal_id": principal_id,
            "decided_at": utc(now),
            "window_day": warning.window.isoformat(),
            "warning": json.dumps(warning.to_json_dict(), ensure_ascii=False),
        }
        tx._exec(
            f"INSERT INTO risk_decisions ({', '.join(_DECISION_COLS)}) VALUES ({', '.join('?' * len(_DECISION_COLS))})",
            tuple(row[c] for c in _DECISION_COLS),
        )
    return Listed(warning.to_json_dict(), True, _public(row)).to_json_dict()


def _local(stamp: str, tz: tzinfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")
