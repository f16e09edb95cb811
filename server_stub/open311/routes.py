"""The GeoReport v2 endpoints under `/open311/v2` (R32.1), in the specification's paths and formats.

GETs are public and need no key (the spec's model): what they carry is masked in mapping.py.
POST requests takes the spec's form-encoded body with `api_key`, a partner token. Every error is
the spec's body (`[{"code": 400, "description": "..."}]`, or `<errors>` in XML), never FastAPI's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from .. import auth
from ..storage import Storage
from . import intake, mapping, queries
from .formats import Open311Error, check_format, error, render

JURISDICTION = "anshan.gov.cn"  # override per deployment with app.state.open311_jurisdiction
router = APIRouter(prefix="/open311/v2", tags=["open311"])


def _jurisdiction(request: Request, given: str | None) -> None:
    """jurisdiction_id is optional (the server answers for one city); a wrong one is the spec's 404."""
    ours = getattr(request.app.state, "open311_jurisdiction", JURISDICTION)
    if given is not None and given != ours:
        raise Open311Error(404, f"jurisdiction_id '{given[:60]}' was not found: this endpoint serves '{ours}'")


def _when(name: str, raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-11-02T09:00:00+08:00") from None
    if at.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone, e.g. 2026-11-02T09:00:00Z")
    return at


def _list(raw: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (raw or "").split(",") if v.strip())


async def _answer(fmt: str, work: Callable[[], Response], storage: Storage) -> Response:
    """Run `work` (off the event loop when the engine blocks) and turn Open311Error into the spec's body."""
    try:
        check_format(fmt)
        return await run_in_threadpool(work) if storage.blocking else work()
    except Open311Error as exc:
        return error(fmt, exc)


def _state(request: Request) -> tuple[Storage, Any, datetime]:
    s = request.app.state
    return s.storage, s.rules, s.settings.clock()


@router.get("/services.{fmt}", summary="GET Service List")
async def service_list(request: Request, fmt: str, jurisdiction_id: str | None = None) -> Response:
    storage, rules, _ = _state(request)

    def work() -> Response:
        _jurisdiction(request, jurisdiction_id)
        return render(fmt, "services", mapping.services(rules))

    return await _answer(fmt, work, storage)


@router.get("/services/{service_code}.{fmt}", summary="GET Service Definition")
async def service_definition(
    request: Request, service_code: str, fmt: str, jurisdiction_id: str | None = None
) -> Response:
    storage, rules, _ = _state(request)

    def work() -> Response:
        _jurisdiction(request, jurisdiction_id)
        found = mapping.definition(rules, service_code)
        if found is None:
            raise Open311Error(404, f"service_code '{service_code[:40]}' was not found: see services.{fmt}")
        return render(fmt, "service_definition", found)

    return await _answer(fmt, work, storage)


@router.get("/requests.{fmt}", summary="GET Service Requests")
async def service_requests(
    request: Request,
    fmt: str,
    jurisdiction_id: str | None = None,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> Response:
    storage, rules, now = _state(request)

    def work() -> Response:
        _jurisdiction(request, jurisdiction_id)
        if service_request_id:  # the spec: ids override every other argument
            rows = queries.by_numbers(storage, list(_list(service_request_id))[: queries.MAX_RESULTS])
        else:
            statuses = _list(status)
            if any(s not in ("open", "closed") for s in statuses):
                raise Open311Error(400, "status must be open, closed or both (comma delimited)")
            f = queries.RequestFilter(
                _when("start_date", start_date), _when("end_date", end_date), _list(service_code), statuses
            )
            rows = queries.search(storage, f, now)
        return render(fmt, "service_requests", [mapping.request_of(r, rules, now) for r in rows])

    return await _answer(fmt, work, storage)


@router.get("/requests/{service_request_id}.{fmt}", summary="GET Service Request")
async def service_request(
    request: Request, service_request_id: str, fmt: str, jurisdiction_id: str | None = None
) -> Response:
    storage, rules, now = _state(request)

    def work() -> Response:
        _jurisdiction(request, jurisdiction_id)
        rows = queries.by_numbers(storage, [service_request_id])
        if not rows:
            raise Open311Error(404, f"service_request_id '{service_request_id[:40]}' was not found")
        return render(fmt, "service_requests", [mapping.request_of(rows[0], rules, now)])

    return await _answer(fmt, work, storage)


@router.post("/requests.{fmt}", summary="POST Service Request")
async def create_request(request: Request, fmt: str) -> Response:
    storage, rules, now = _state(request)
    raw = await request.body()
    try:
        form = {**dict(request.query_params), **dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))}
    except UnicodeDecodeError:
        form = None

    def work() -> Response:
        if form is None:
            raise Open311Error(400, "the body must be UTF-8 form data (application/x-www-form-urlencoded)")
        _jurisdiction(request, form.get("jurisdiction_id"))
        key = form.get("api_key", "")
        with storage.read_one() as tx:
            partner = auth.lookup(tx, key) if key else None
        if partner is None:
            raise Open311Error(403, "api_key is missing or not valid: ask the centre for a partner token")
        row = intake.register(storage, rules, partner, form, now)
        notice = mapping.request_of(row, rules, now).get("service_notice")
        return render(
            fmt,
            "service_requests",
            [{"service_request_id": row.number, "token": row.id, "service_notice": notice, "account_id": None}],
        )

    return await _answer(fmt, work, storage)


@router.get("/tokens/{token}.{fmt}", summary="GET service_request_id from a token")
async def token_lookup(request: Request, token: str, fmt: str, jurisdiction_id: str | None = None) -> Response:
    """Ids are given at once, so a token (the ticket's internal id) always resolves straight away."""
    storage, _, _ = _state(request)

    def work() -> Response:
        _jurisdiction(request, jurisdiction_id)
        with storage.read() as tx:
            row = tx.ticket(token[:40])
        if row is None:
            raise Open311Error(404, f"token '{token[:40]}' was not found")
        return render(fmt, "service_requests", [{"service_request_id": row.number, "token": token}])

    return await _answer(fmt, work, storage)
