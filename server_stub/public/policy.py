"""The `[public]` section of policy.toml: what the public page shows (R17.1, R37.1).

Parsed here rather than in domain/policy.py so that the page's settings live with the page; the
file is the same one (`HOTLINE_POLICY`, else the packaged policy.toml).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from operator_tui.data import read_text
from operator_tui.domain.errors import Misconfigured
from operator_tui.domain.periods import PeriodError, parse_period
from operator_tui.settings import environment

KINDS = ("month", "week", "year")


class PublicPolicyError(Misconfigured, ValueError):
    pass


@dataclass(frozen=True)
class PublicPolicy:
    period: Literal["month", "week", "year"] = (
        "month"  # R17.1: the page's default period: the last complete one of this kind
    )
    hot_issues: int = 10  # R37.1: rows of hot issues (matter × place)
    hot_min_tickets: int = 3  # R37.1: smaller clusters are not listed (a small count can point at a person)
    cases: int = 10  # R37.1: typical cases per page
    earliest: str = ""  # R17.1: no period before this one is published ("" = any)
    refresh_seconds: int = 0  # R17.1: after new events the page is rebuilt once its copy is this old


def _positive(table: dict[str, object], key: str, default: int, source: str) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PublicPolicyError(f"{source}: public.{key}: must be a positive whole number")
    return value


def parse_public(text: str, source: str = "policy.toml") -> PublicPolicy:
    try:
        table = tomllib.loads(text).get("public") or {}
    except tomllib.TOMLDecodeError as exc:
        raise PublicPolicyError(f"{source}: not valid TOML: {exc}") from None
    if not isinstance(table, dict):
        raise PublicPolicyError(f"{source}: [public] must be a table")
    period = table.get("period", "month")
    if period not in KINDS:
        raise PublicPolicyError(f"{source}: public.period: must be one of {', '.join(KINDS)}")
    earliest = table.get("earliest", "")
    if earliest:
        try:
            parse_period(str(earliest))
        except PeriodError as exc:
            raise PublicPolicyError(f"{source}: public.earliest: {exc}") from None
    return PublicPolicy(
        period=period,
        hot_issues=_positive(table, "hot_issues", 10, source),
        hot_min_tickets=_positive(table, "hot_min_tickets", 3, source),
        cases=_positive(table, "cases", 10, source),
        earliest=str(earliest),
        refresh_seconds=_seconds(table, "refresh_seconds", source),
    )


def _seconds(table: dict[str, object], key: str, source: str) -> int:
    value = table.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PublicPolicyError(f"{source}: public.{key}: must be a whole number of seconds, 0 or more")
    return value


def load_public() -> PublicPolicy:
    """From the policy file the rules came from (HOTLINE_POLICY, else the packaged one)."""
    path = environment("policy")
    if path:
        return parse_public(Path(path).read_text(encoding="utf-8"), path)
    return parse_public(read_text("policy.toml"), "policy.toml")
