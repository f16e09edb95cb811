"""The seat's one mapping from the error tree (operator_tui/domain/errors.py) to what the operator sees.

A screen that catches an error from a worker turns it into a `Notice`: one line in Chinese (the
same words the CLI prints, `errors.describe`), with a severity and how long it stays. Something
away or not found (the server, the switch, a number) is a warning: a retry may work. A refusal or
bad input is an error the operator fixes; a setup problem or a bug stays longer, and a bug is also
logged by type and place only (no caller data, R33.1): the operator did nothing wrong.

Loaded when an error is shown, not before the seat's first frame: the intake screens import it
where they catch.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Literal

from ..domain.errors import BrokenInvariant, HotlineError, Misconfigured, NotFound, Unavailable, describe, kind_of

log = logging.getLogger("hotline.seat")

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    message: str
    severity: Severity
    timeout: float


def notice(exc: HotlineError, doing: str | None = None) -> Notice:
    """What to tell the operator about `exc`; `doing` names the act that failed ("保存办理单")."""
    text = (f"{doing}失败：" if doing else "") + describe(exc)
    kind = kind_of(exc)
    if kind is BrokenInvariant:
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        log.error(
            "bug: %s at %s", type(exc).__name__, f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else "?"
        )
        return Notice(text, "error", 15)
    if kind is Misconfigured:
        return Notice(text, "error", 12)
    if kind in (Unavailable, NotFound):
        return Notice(text, "warning", 8)
    return Notice(text, "error", 10)
