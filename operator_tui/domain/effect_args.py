"""Reading an event's payload in the effects: a field that must be there, and a time with its zone.
A missing or malformed field is refused naming the rule the event serves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .errors import RuleViolation
from .model import Event
from .text import clean_text


def need(event: Event, key: str, rule: str) -> Any:
    value = event.payload.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleViolation(rule, f"'{key}' is required for {event.kind}")
    return clean_text(value).strip() if isinstance(value, str) else value


def parse_time(value: Any, key: str, rule: str) -> datetime:
    """An ISO date-time (or a datetime) that carries its time zone."""
    try:
        at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RuleViolation(rule, f"'{key}' must be an ISO date-time, not {value!r}") from None
    if at.tzinfo is None:
        raise RuleViolation(rule, f"'{key}' must carry a time zone (e.g. +08:00)")
    return at


def when(event: Event, key: str, rule: str) -> datetime:
    return parse_time(need(event, key, rule), key, rule)
