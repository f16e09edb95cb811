"""Push and pull: `POST /v1/events` (a seat's outbox) and `GET /v1/changes` (its change feed)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from operator_tui.config import Rules
from operator_tui.contract import (
    DEFAULT_PAGE,
    MAX_PAGE,
    Change,
    ChangesPublic,
    ErrorPublic,
    IdConflictPublic,
    PushIn,
    PushPublic,
)
from operator_tui.domain.model import Role

from .. import ingest
from ..auth import Principal
from ..deps import Anyone, Now, RulesDep, StorageDep
from ..privacy import events_public, record_reads, ticket_public
from ..storage import Storage
from . import cursor

router = APIRouter(prefix="/v1", tags=["sync"])


def id_conflict(exc: ingest.IdReused) -> JSONResponse:
    body = IdConflictPublic(
        detail=f"{len(exc.conflicts)} event id(s) already used with different content; nothing "
        "in this request was applied",
        conflicts=exc.conflicts,
    )
    return JSONResponse(status_code=409, content=body.model_dump(mode="json"))


@router.post(
    "/events", response_model=PushPublic, responses={409: {"model": IdConflictPublic}, 413: {"model": ErrorPublic}}
)
def push_events(body: PushIn, p: Anyone, storage: StorageDep, rules: RulesDep, now: Now) -> PushPublic | JSONResponse:
    """Apply a batch of events in order. Each event's ULID is its idempotency key: a retry gets the
    stored answer; a rejected event comes back with the rule ID and the reason."""
    try:
        results = ingest.push(storage, rules, p, body.events, body.sent_at, now)
    except ingest.IdReused as exc:
        return id_conflict(exc)
    return PushPublic(results=results, server_time=now)


def feed_scope(p: Principal) -> dict[str, str]:
    """A seat follows its own tickets; a unit the tickets it holds; supervisors and the office all."""
    if p.role is Role.UNIT:
        return {"unit": p.unit or ""}
    if p.role is Role.OPERATOR:
        return {"subscriber": p.feed_key}
    return {}


@router.get("/changes", response_model=ChangesPublic, responses={410: {"model": ErrorPublic}})
async def changes(
    p: Anyone,
    storage: StorageDep,
    rules: RulesDep,
    now: Now,
    since: Annotated[str, Query(max_length=80, description="cursor from the last page; empty: from the start")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> Response:
    """Tickets changed since the cursor, in server sequence order, each with its events."""
    # Every seat calls this every few seconds (issue 17: 1,000 seats make 500 pulls a second), so
    # it takes one hop to the threadpool for the whole read, and its page is serialised once here
    # instead of being validated again against the response model.
    page = await run_in_threadpool(feed_page, p, storage, rules, now, since, limit)
    return Response(page.model_dump_json(by_alias=True), media_type="application/json")


def feed_page(p: Principal, storage: Storage, rules: Rules, now: datetime, since: str, limit: int) -> ChangesPublic:
    with storage.read() as tx:
        epoch, last = tx.feed_head()
        after = cursor.parse(since, epoch, last)
        rows = tx.changes(after, limit, **feed_scope(p))
        events = tx.events_of([r.id for r in rows])
    more = len(rows) == limit
    page = [
        Change(seq=r.seq, ticket=ticket_public(p, r, rules, now), events=events_public(p, r, events[r.id]))
        for r in rows
    ]
    record_reads(storage, p, rows, purpose="坐席同步", endpoint="GET /v1/changes", now=now)
    return ChangesPublic(changes=page, next=cursor.make(epoch, rows[-1].seq if more else last), more=more)
