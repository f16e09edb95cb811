"""`/healthz`: is the server up and can it read its database (no token needed, no data given)."""

from __future__ import annotations

from fastapi import APIRouter

from operator_tui.contract import Health

from ..deps import Now, StorageDep

router = APIRouter(tags=["health"])
VERSION = "1"


@router.get("/healthz", response_model=Health)
def healthz(storage: StorageDep, now: Now) -> Health:
    with storage.read() as tx:
        tx.last_seq()
    return Health(ok=True, server_time=now, version=VERSION)
