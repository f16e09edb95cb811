"""`create_app(settings)`: the FastAPI backend over the same domain rules as the seat.

No global app and nothing at import: the CLI, the tests and the benchmark each build their own,
with their own database and clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from operator_tui.config import Rules, default_rules
from operator_tui.contract import PAYLOAD_INVALID

from . import errors
from .api import ROUTERS
from .backup import Schedule
from .jobs import sweep
from .limits import BodyLimit
from .settings import ServerSettings
from .storage import Storage

if TYPE_CHECKING:  # imported by the CLI only when --reports-dir is given (openpyxl stays unloaded)
    from .reports.schedule import ReportJob

log = logging.getLogger("hotline.server")


class DateHeader:
    """Stamp every answer with the server's clock (RFC 7231 `Date`): the seat derives its clock
    offset from it. Set here, from the injectable clock, rather than by uvicorn, so that tests
    with a pinned clock and the real server behave alike (run uvicorn with date_header=False)."""

    def __init__(self, app: ASGIApp, settings: ServerSettings):
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"date"]
                headers.append((b"date", format_datetime(self.settings.clock().astimezone(UTC), usegmt=True).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, stamped)


class QuietErrors:
    """An unexpected error answers 500 without detail and is logged by type and route only: a
    traceback or an exception message can carry a caller's words (R33.1: no personal data in logs)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            log.error("unexpected %s answering %s %s", type(exc).__name__, scope.get("method"), scope.get("path"))
            if not started:
                body = b'{"detail":"internal error: nothing was lost; try again later"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})


def _summary(exc: RequestValidationError) -> JSONResponse:
    """422 with one line a person can act on, then the details (without echoing the input, which
    may hold personal data)."""
    errors = []
    for e in exc.errors():
        msg = str(e.get("msg", ""))
        if e.get("type") == "json_invalid":  # say what is wrong with the JSON, not just that it is
            msg = f"the body is not valid JSON: {(e.get('ctx') or {}).get('error', 'cannot parse it')}"
        elif e.get("type") == "string_unicode":
            msg = "not valid Unicode text (e.g. a lone surrogate such as \\ud800): send UTF-8 text"
        errors.append({"loc": [str(x) for x in e.get("loc", ())], "msg": msg})
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return JSONResponse(
        status_code=422, content={"detail": f"{'.'.join(first['loc'])}: {first['msg']}{more}", "errors": errors[:50]}
    )


def _periodic_sweep(app: FastAPI) -> Callable[[], Coroutine[Any, Any, None]]:
    settings: ServerSettings = app.state.settings

    async def loop() -> None:
        while True:
            await asyncio.sleep(settings.sweep_every_seconds)
            try:
                await run_in_threadpool(sweep, app.state.storage, app.state.rules, settings.sweep, settings.clock())
            except Exception as exc:  # keep sweeping; the reason goes to the log, no ticket data
                log.error("sweep failed: %s", type(exc).__name__)

    return loop


def _periodic_backup(app: FastAPI, schedule: Schedule) -> Callable[[], Coroutine[Any, Any, None]]:
    settings: ServerSettings = app.state.settings

    async def loop() -> None:
        while True:
            await asyncio.sleep(schedule.every_seconds)
            try:
                made = await run_in_threadpool(schedule.run_once, Path(settings.db_path), settings.clock())
                log.info("backup taken: %s", made.name)
            except Exception as exc:  # keep the schedule; the next run may succeed (disk freed)
                log.error("scheduled backup failed: %s", type(exc).__name__)

    return loop


def _periodic_reports(app: FastAPI, job: ReportJob) -> Callable[[], Coroutine[Any, Any, None]]:
    """R31.1: the previous complete day's, week's and month's reports, once each (reports/schedule.py)."""
    settings: ServerSettings = app.state.settings

    async def loop() -> None:
        while True:
            try:
                made = await run_in_threadpool(job.run, app.state.storage, app.state.rules, settings.clock())
                for path in made:
                    log.info("report written: %s", path.name)
            except Exception as exc:  # keep the schedule; the next run retries what is not marked made
                log.error("scheduled report failed: %s", type(exc).__name__)
            await asyncio.sleep(job.every_seconds)

    return loop


def create_app(
    settings: ServerSettings,
    rules: Rules | None = None,
    backup: Schedule | None = None,
    reports: ReportJob | None = None,
) -> FastAPI:
    """`backup`: take a backup every so often (SQLite only; see server_stub/backup.py). `reports`:
    write the periodic reports into a folder on schedule (server_stub/reports/schedule.py)."""
    storage = Storage.open(settings.db_path, pool_size=settings.pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_periodic_sweep(app)()) if settings.sweep_every_seconds > 0 else None
        saver = asyncio.create_task(_periodic_backup(app, backup)()) if backup and backup.every_seconds > 0 else None
        writer = asyncio.create_task(_periodic_reports(app, reports)()) if reports else None
        try:
            yield
        finally:
            for t in (task, saver, writer):
                if t is not None:
                    t.cancel()
            app.state.storage.close()  # PostgreSQL: the pool's connections (reopened if started again)

    app = FastAPI(
        title="8890 群众诉求热线 backend",
        version="1",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        description="Seats push events and pull changes; units and supervisors act on tickets. "
        "Bearer tokens per seat and per user.",
    )
    app.state.settings = settings
    app.state.storage = storage
    app.state.rules = rules or default_rules()
    app.add_middleware(QuietErrors)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(DateHeader, settings=settings)

    errors.install(app)  # the error tree, by kind (server_stub/errors.py)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _summary(exc)

    @app.exception_handler(ValidationError)
    async def payload_invalid(request: Request, exc: ValidationError) -> JSONResponse:
        """A route that builds an event from a request (the action API) met a payload that does
        not fit its kind: the client's mistake, a 422. Any other ValidationError is our bug."""
        errors = exc.errors(include_url=False, include_input=False)
        if not errors or any(e.get("type") != PAYLOAD_INVALID for e in errors):
            raise exc
        return _summary(RequestValidationError([{**e, "loc": ("body", "payload")} for e in errors]))

    for router in ROUTERS:
        app.include_router(router)
    return app
