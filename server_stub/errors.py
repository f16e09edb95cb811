"""The server's one mapping from the error tree (operator_tui/domain/errors.py) to HTTP answers.

A route that knows better still answers for itself (an id reused gets its list of conflicts, a
Open311 error its GeoReport body); anything of the tree that reaches the edge is answered here, by
its kind, in the body every error of the API has (`ErrorPublic`: `detail`, and `rule` for a refusal
the regulation names). A broken invariant is our bug: it answers 500 without detail (the message may
hold a ticket's data) and leaves one line in the log naming the type, the place and the route, so
the caller is never told it was their fault and the log holds no personal data (R33.1).
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from operator_tui.domain.errors import (
    BadInput,
    BrokenInvariant,
    HotlineError,
    Misconfigured,
    NotFound,
    Refused,
    RuleViolation,
    Unavailable,
    kind_of,
)

log = logging.getLogger("hotline.server")

STATUS: dict[type[HotlineError], int] = {
    BadInput: 422,  # FastAPI's answer to a body it cannot use, and this API's since wave 1
    NotFound: 404,
    Refused: 409,
    Unavailable: 503,
    Misconfigured: 503,  # the server's data or policy file: not the client's fault; it may retry later
    BrokenInvariant: 500,
}
RULE_STATUS = 422  # a rule refusal answers as the action API always has: 422 naming the rule
INTERNAL = "internal error: nothing was lost; try again later"  # the same words as app.QuietErrors


def status_of(exc: HotlineError) -> int:
    """The HTTP status for `exc`. A class that carries its own `status` (the public case flow, the
    risk decisions) keeps it: its routes chose it per case before the tree existed."""
    if isinstance(exc, RuleViolation):
        return RULE_STATUS
    own = getattr(exc, "status", None)
    if isinstance(own, int) and 400 <= own < 600 and not isinstance(exc, BrokenInvariant):
        return own
    kind = kind_of(exc)
    return STATUS[kind] if kind is not None else 500


def answer(request: Request, exc: HotlineError) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        place = f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else "?"
        if isinstance(exc, Misconfigured):  # the admin's to fix; its message names a file, never a caller
            log.error(
                "misconfigured (%s at %s) answering %s %s: %s",
                type(exc).__name__,
                place,
                request.method,
                request.url.path,
                exc,
            )
        elif isinstance(exc, Unavailable):
            log.warning(
                "unavailable (%s at %s) answering %s %s", type(exc).__name__, place, request.method, request.url.path
            )
        else:
            log.error("bug: %s at %s answering %s %s", type(exc).__name__, place, request.method, request.url.path)
            return JSONResponse(status_code=500, content={"detail": INTERNAL})
    body: dict[str, str] = {
        "detail": exc.message if isinstance(exc, RuleViolation) else (str(exc) or type(exc).__name__)
    }
    if isinstance(exc, RuleViolation):
        body["rule"] = exc.rule
    return JSONResponse(status_code=status, content=body)


def install(app: FastAPI) -> None:
    """Answer every error of the tree by its kind (Starlette picks this handler by the MRO)."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, HotlineError):  # registered for HotlineError only
            raise exc
        return answer(request, exc)

    app.add_exception_handler(HotlineError, handler)
