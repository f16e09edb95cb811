"""The seat's side of the risk warnings' decisions (R31.1): the server's warnings with the decision
taken on each (`GET /v1/reports/risks`), and a supervisor's decision (`POST /v1/reports/risks/{id}/decision`).

The overview computes the warnings from the seat's own store, so it shows them offline; what only
the server knows is who decided what. Without a server, or when it does not answer,
`RisksUnavailable` carries the one line the screen shows (离线：处置状态需连接服务器); a refusal
carries the server's own words (409 already decided, 422 no reason, 403 not a supervisor), which
say what to do. One try with a short timeout, as the rates: the screen's worker must not sit in
retries, and a decision the supervisor is waiting for is retried by the supervisor.

No UI here; the screens call this from thread workers. Wire answers become the small frozen rows
below; the warning's own JSON is kept as it came, for `domain.risks.headline`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .domain.errors import Unavailable

if TYPE_CHECKING:
    from .sync.client import HotlineClient

OFFLINE = "离线：处置状态需连接服务器"
# A seat set up without a server is not offline: it never had one (the demo, a lone seat).
LOCAL = "本机模式（未设置服务器）：处置状态需连接服务器"
TIMEOUT = 5.0  # the listing assesses the whole centre; the worker waits, the keyboard does not
DECISIONS: dict[str, str] = {"acknowledge": "确认", "dismiss": "排除"}


class RisksUnavailable(Unavailable):
    """The server's warnings or a decision could not be had; the message is one line (Chinese)."""


@dataclass(frozen=True)
class Decision:
    decision: str  # acknowledge | dismiss
    name: str  # 确认 | 排除
    reason: str
    actor: str
    role: str
    decided_at: datetime  # aware; the screen shows it in the centre's time zone


@dataclass(frozen=True)
class ServerWarning:
    """A warning as the server lists it: `current` False when it is only kept for its decision."""

    id: str
    kind: str
    current: bool
    decision: Decision | None
    body: Mapping[str, Any]  # the warning's JSON (headline, evidence), caller-free by the server's design

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(str(n) for n in self.body.get("evidence") or ())

    @property
    def count(self) -> int:
        return int(self.body.get("count") or 0)


@dataclass(frozen=True)
class RiskBoard:
    at: datetime
    warnings: tuple[ServerWarning, ...]

    def by_id(self) -> dict[str, ServerWarning]:
        return {w.id: w for w in self.warnings}


class RisksReader:
    """`client` is None when the seat has no server or runs `--offline`; `away` is then the line
    the screen shows (offline, or no server set up at all)."""

    def __init__(self, client: HotlineClient | None, away: str = OFFLINE) -> None:
        self.client = client
        self.away = away

    @classmethod
    def of(cls, sync: Any, offline: bool = False) -> RisksReader:
        if sync is None:
            return cls(None, LOCAL)
        return cls(None if offline else sync.client)

    def board(self) -> RiskBoard:
        body = self._call("GET", "/v1/reports/risks")
        try:
            return RiskBoard(datetime.fromisoformat(body["at"]), tuple(_warning(w) for w in body["warnings"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise RisksUnavailable(f"服务器的回答无法读取：{type(exc).__name__}") from None

    def decide(self, warning_id: str, decision: str, reason: str) -> ServerWarning:
        """Record the decision; the server stamps who (the token) and when (its clock)."""
        body = self._call(
            "POST", f"/v1/reports/risks/{warning_id}/decision", json={"decision": decision, "reason": reason}
        )
        try:
            return _warning(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise RisksUnavailable(f"服务器的回答无法读取：{type(exc).__name__}") from None

    def _call(self, method: str, path: str, **kwargs: Any) -> dict:
        from .sync.one_read import read_json  # httpx and the sync client: not before the seat's first frame

        return read_json(
            self.client,
            method,
            path,
            timeout=TIMEOUT,
            error=RisksUnavailable,
            offline=self.away if self.client is None else OFFLINE,
            busy="服务器暂时无法处理风险预警",
            denied="无权处置风险预警",
            **kwargs,
        )


def _warning(w: Mapping[str, Any]) -> ServerWarning:
    d = w.get("decision")
    decision = None
    if d is not None:
        at = datetime.fromisoformat(d["decided_at"])
        if at.tzinfo is None:  # the server stores UTC; an older row may lack the zone
            from datetime import UTC

            at = at.replace(tzinfo=UTC)
        # The verb (确认/排除), not the server's 已确认: the screen writes "已{name}" and "… {name}：".
        name = DECISIONS.get(d["decision"], str(d.get("decision_name") or d["decision"]))
        decision = Decision(
            d["decision"], name, str(d.get("reason") or ""), str(d["actor"]), str(d.get("role") or ""), at
        )
    body = {k: v for k, v in w.items() if k not in ("current", "decision")}
    return ServerWarning(str(w["id"]), str(w["kind"]), bool(w.get("current", True)), decision, body)
