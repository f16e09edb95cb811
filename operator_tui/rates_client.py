"""The seat's reads for the 三率考核 screen (R35.1): the rates of a period, a line's tickets and a
line's weekly trend, from the server (`GET /v1/reports/rates`, `/rates/tickets`, `/rates/trend`).

The rates are the server's: computed over every seat's tickets, so there is no offline answer;
without a server, or when it does not answer, `RatesUnavailable` carries the one line the screen
shows (离线：三率需连接服务器, or the server's own message, which says what to fix). One try with a
short timeout, as the screen pop's lookup: the screen's worker must not sit in retries.

No UI here; the screen calls this from thread workers. Wire answers become the domain's shapes
(`RateReport`) or the small frozen rows below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .domain.errors import Unavailable
from .domain.periods import Period, parse_period
from .domain.rates import RateFigure, RateLine, RateReport

if TYPE_CHECKING:
    from .sync.client import HotlineClient

OFFLINE = "离线：三率需连接服务器"
# A seat set up without a server is not offline: it never had one (the demo, a lone seat).
LOCAL = "本机模式（未设置服务器）：三率需连接服务器"
TIMEOUT = 10.0  # a year by operator is a heavy query; the worker waits, the keyboard does not


class RatesUnavailable(Unavailable):
    """The rates cannot be shown; the message is the screen's one line (Chinese)."""


@dataclass(frozen=True)
class TicketFacts:
    """One ticket of a line's drill-down: codes, names of codes, status and the rate facts only."""

    number: str
    matter: str
    place: str
    status: str
    lead_unit: str
    facts: Mapping[str, tuple[date, bool]]  # rate → (the day it counts on, met)


@dataclass(frozen=True)
class LineTickets:
    period: str
    label: str
    key: str
    rates: tuple[str, ...]
    tickets: tuple[TicketFacts, ...]
    more: bool
    total: int = 0  # how many the line counted (or missed) in all; `tickets` may be cut
    missed: str | None = None  # the rate whose misses alone are listed


@dataclass(frozen=True)
class TrendPoint:
    week: str  # 2026-W44
    start: date
    figures: Mapping[str, RateFigure]


class RatesReader:
    """`client` is None when the seat has no server or runs `--offline`; `away` is then the line
    the screen shows (offline, or no server set up at all)."""

    def __init__(self, client: HotlineClient | None, away: str = OFFLINE) -> None:
        self.client = client
        self.away = away

    @classmethod
    def of(cls, sync: Any, offline: bool = False) -> RatesReader:
        if sync is None:
            return cls(None, LOCAL)
        return cls(None if offline else sync.client)

    def rates(self, period: Period, by: str) -> RateReport:
        body = self._get("/v1/reports/rates", period=period.key, by=by)
        try:
            return RateReport(
                parse_period(body["period"]),
                body["by"],
                tuple(body["rates"]),
                tuple(_line(ln) for ln in body["lines"]),
                _line(body["total"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RatesUnavailable(f"服务器的回答无法读取：{type(exc).__name__}") from None

    def tickets(self, period: Period, by: str, key: str, missed: str | None = None) -> LineTickets:
        """The line's tickets; with `missed` (a rate), only those that missed it."""
        params = {"period": period.key, "by": by, "key": key} | ({"missed": missed} if missed else {})
        body = self._get("/v1/reports/rates/tickets", **params)
        try:
            rows = tuple(
                TicketFacts(
                    t["number"],
                    t["matter_name"],
                    t["place_name"],
                    t["status_name"],
                    t.get("lead_unit_name") or "-",
                    {r: (date.fromisoformat(f["day"]), bool(f["met"])) for r, f in t["rates"].items()},
                )
                for t in body["tickets"]
            )
            return LineTickets(
                body["period"],
                body["label"],
                body["key"],
                tuple(body["rates"]),
                rows,
                bool(body["more"]),
                int(body["total"]),
                body.get("missed"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RatesUnavailable(f"服务器的回答无法读取：{type(exc).__name__}") from None

    def trend(self, period: Period, by: str, key: str, weeks: int = 12) -> tuple[TrendPoint, ...]:
        body = self._get("/v1/reports/rates/trend", period=period.key, by=by, key=key, weeks=weeks)
        try:
            return tuple(
                TrendPoint(
                    w["week"],
                    date.fromisoformat(w["start"]),
                    {r: RateFigure(f["numerator"], f["denominator"], f["value"]) for r, f in w["rates"].items()},
                )
                for w in body["weeks"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RatesUnavailable(f"服务器的回答无法读取：{type(exc).__name__}") from None

    def _get(self, path: str, **params: Any) -> dict:
        from .sync.one_read import read_json  # httpx and the sync client: not before the seat's first frame

        return read_json(
            self.client,
            "GET",
            path,
            params=params,
            timeout=TIMEOUT,
            error=RatesUnavailable,
            offline=self.away if self.client is None else OFFLINE,
            busy="服务器暂时无法给出三率",
            denied="无权查看三率",
        )


def _line(body: Mapping[str, Any]) -> RateLine:
    figures = {
        r: RateFigure(f["numerator"], f["denominator"], f["value"], f.get("rank"), f.get("change"), f.get("previous"))
        for r, f in body["rates"].items()
    }
    return RateLine(body["key"], body["name"], figures)
