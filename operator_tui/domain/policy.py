"""The policy file: the time limits (时限) the regulation sets, the local time zone, the end of the
working day, when a call's timer changes colour (R13.1), and how far the server lets an event's own
time stray from its clock and from the ticket's previous event (R18.2, [sync]).

Apart from `deadlines` (which counts with it) so the seat can read it before its first frame without
the taxonomy and the calendar.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from .errors import Misconfigured

LIMIT_UNITS = ("workdays", "days", "hours", "months")


@dataclass(frozen=True)
class Limit:
    unit: str  # workdays | days | hours | months
    value: int
    source: str = ""


REQUIRED_LIMITS = ("acceptance", "dispatch", "resolution", "extension_cap", "recusal_decision", "rework")


class PolicyError(Misconfigured, ValueError):
    """The policy file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Policy:
    limits: Mapping[str, Limit]
    tz: ZoneInfo
    end_of_day: time
    call_warn_seconds: int = 300
    call_long_seconds: int = 600
    # After-call work (话后整理): once the ticket is saved the seat counts this long down before it
    # shows ready (示闲) again; 0 means ready at once (operator_tui/call_state.py).
    wrap_up_seconds: int = 30
    # R18.2: an event may claim a time at most this far past the server's clock (a seat's clock that
    # is fast by less than the skew correction's threshold), and at most this far before the ticket's
    # previous event (two seats' clocks are never quite together); see domain/timing.py.
    future_tolerance_seconds: int = 300
    past_tolerance_seconds: int = 300
    # R25.1 (2): an open ticket whose appellant has called again this many times (催办, linked calls)
    # is supervised on ground (2) by the sweep; [supervision] in the policy file.
    repeat_calls: int = 2


def _seconds(table: object, name: str, key: str, default: int, source: str, *, zero_ok: bool = False) -> int:
    value = table.get(key, default) if isinstance(table, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (value == 0 and not zero_ok):
        kind = "a whole number of seconds, 0 or more" if zero_ok else "a positive whole number of seconds"
        raise PolicyError(f"{source}: {name}.{key}: must be {kind}")
    return value


def parse_policy(text: str, source: str) -> Policy:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    limits: dict[str, Limit] = {}
    for name, row in (doc.get("limits") or {}).items():
        if not isinstance(row, dict) or row.get("unit") not in LIMIT_UNITS:
            raise PolicyError(f"{source}: limits.{name}: 'unit' must be one of {', '.join(LIMIT_UNITS)}")
        value = row.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise PolicyError(f"{source}: limits.{name}: 'value' must be a positive whole number")
        limits[name] = Limit(row["unit"], value)
    missing = [n for n in REQUIRED_LIMITS if n not in limits]
    if missing:
        raise PolicyError(f"{source}: missing limits: {', '.join(missing)}")
    try:
        tz = ZoneInfo(doc.get("timezone", "Asia/Shanghai"))
        end = time.fromisoformat(doc.get("end_of_day", "23:59:59"))
    except (ValueError, KeyError) as exc:
        raise PolicyError(f"{source}: timezone/end_of_day: {exc}") from None
    call = doc.get("call", {})
    sync = doc.get("sync", {})
    return Policy(
        limits,
        tz,
        end,
        call_warn_seconds=_seconds(call, "call", "warn_seconds", 300, source),
        call_long_seconds=_seconds(call, "call", "long_seconds", 600, source),
        wrap_up_seconds=_seconds(call, "call", "wrap_up_seconds", 30, source, zero_ok=True),
        future_tolerance_seconds=_seconds(sync, "sync", "future_tolerance_seconds", 300, source, zero_ok=True),
        past_tolerance_seconds=_seconds(sync, "sync", "past_tolerance_seconds", 300, source, zero_ok=True),
        repeat_calls=_count(doc.get("supervision", {}), "supervision", "repeat_calls", 2, source),
    )


def _count(table: object, name: str, key: str, default: int, source: str) -> int:
    value = table.get(key, default) if isinstance(table, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PolicyError(f"{source}: {name}.{key}: must be a positive whole number")
    return value
