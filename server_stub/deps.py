"""`Annotated` dependency aliases: routes read like prose (`p: Supervisor, storage: StorageDep`).

The dependencies are `async def` because they do not block: FastAPI runs every sync dependency in
the threadpool, and those hops, not the work, dominated a pull's latency under load.

Every endpoint but /healthz names the roles it admits here; objects are checked in the routes
(a unit sees only the tickets it holds: `privacy.can_see`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from operator_tui.config import Rules
from operator_tui.domain.model import Role

from . import auth
from .auth import Principal
from .settings import ServerSettings
from .storage import Storage

bearer = HTTPBearer(auto_error=False, description="A seat's or a user's token (`hotline server init` / `token`).")


# Starlette's app.state is untyped; create_app put each of these there with its type.
async def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


async def _rules(request: Request) -> Rules:
    rules: Rules = request.app.state.rules
    return rules


async def _settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


async def _now(request: Request) -> datetime:
    now: datetime = request.app.state.settings.clock()
    return now


StorageDep = Annotated[Storage, Depends(_storage)]
RulesDep = Annotated[Rules, Depends(_rules)]
SettingsDep = Annotated[ServerSettings, Depends(_settings)]
Now = Annotated[datetime, Depends(_now)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


async def current_principal(
    storage: StorageDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    # async on purpose: on SQLite the lookup is one indexed read (~40 µs), cheaper than a hop to the
    # threadpool, and every request makes it. On PostgreSQL it is a round trip, so it runs in the
    # threadpool, and its answer is remembered until the principals change (principal_cache.py).
    if creds is None or not creds.credentials:
        raise _unauthorized("missing bearer token: send the header 'Authorization: Bearer <token>'")
    token_hash = auth.hash_token(creds.credentials)
    principal: Principal | None = storage.token_cache.get(token_hash)
    if principal is None:
        generation = storage.token_cache.generation  # taken before the read: see PrincipalCache.put
        if storage.blocking:
            principal = await run_in_threadpool(_lookup, storage, token_hash)
        else:
            principal = _lookup(storage, token_hash)
        if principal is None:
            raise _unauthorized("unknown or revoked token")
        storage.token_cache.put(token_hash, principal, generation)
    return principal


def _lookup(storage: Storage, token_hash: str) -> Principal | None:
    with storage.read_one() as tx:
        return auth.lookup_hash(tx, token_hash)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def _role_in(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """The dependency that lets only `roles` through (403 naming them otherwise)."""
    allowed = frozenset(roles)
    names = ", ".join(r.value for r in roles)

    async def check(p: CurrentPrincipal) -> Principal:
        if p.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role '{p.role.value}' may not do this; it needs: {names}")
        return p

    return check


# Written out as Annotated aliases (not built by a function) so that type checkers see a Principal.
Admin = Annotated[Principal, Depends(_role_in(Role.ADMIN))]
Supervisor = Annotated[Principal, Depends(_role_in(Role.SUPERVISOR, Role.ADMIN))]
Centre = Annotated[Principal, Depends(_role_in(Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN))]
Anyone = Annotated[Principal, Depends(_role_in(Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN, Role.UNIT))]
Exporter = Annotated[Principal, Depends(_role_in(Role.SUPERVISOR, Role.ADMIN, Role.UNIT))]
KbEditor = Annotated[Principal, Depends(_role_in(Role.UNIT, Role.SUPERVISOR, Role.ADMIN))]
