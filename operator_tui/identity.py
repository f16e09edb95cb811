"""Who is at the seat: the person behind its token, not the operating-system user (issue 11).

The server records every event under the token's person (`Principal.actor`: the staff number, or
the name of a token without one). The seat shows and records the same: its greeting says
"工号1024", not "工号root". The person comes from `GET /v1/me` on the first sync of a run and is
remembered in the seat's meta table under a digest of the token, so a seat started offline still
knows who holds that token. Without a remembered person, `--operator` / HOTLINE_OPERATOR is used
if given, else a placeholder that says the person is not yet verified, never `getpass` silently.

No network call here: the seat's start-up reads only the cache; the sync service asks the server.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import Settings
    from .store.db import Store

UNVERIFIED = "待核实"  # shown (工号待核实) until the server has said whose token this is


@dataclass(frozen=True)
class Identity:
    actor: str  # what events record: the staff number, else the token's name
    name: str
    role: str
    staff_no: str | None = None
    seat: str | None = None

    @classmethod
    def from_principal(cls, p) -> Identity:
        """From the server's `PrincipalPublic` (GET /v1/me)."""
        return cls(actor=p.staff_no or p.name, name=p.name, role=p.role, staff_no=p.staff_no, seat=p.seat)


def _key(token: str) -> str:
    # A digest, not the token: the seat's database never holds a usable credential.
    return "identity." + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def cached(store: Store, token: str) -> Identity | None:
    from .store import meta

    with store.connect() as db:
        raw = meta.get(db, _key(token))
    if not raw:
        return None
    try:
        return Identity(**json.loads(raw))
    except (TypeError, ValueError):
        return None  # an older shape: the next sync writes it again


def remember(store: Store, token: str, identity: Identity) -> None:
    from .store import meta

    with store.transaction() as db:
        meta.put(db, _key(token), json.dumps(asdict(identity), ensure_ascii=False))


def operator_for(settings: Settings, store: Store, token: str | None) -> str:
    """The operator id the seat records and greets with, known without a network call."""
    if not token:
        return settings.operator
    known = cached(store, token)
    if known is not None:
        return known.actor
    return settings.operator if settings.operator_explicit else UNVERIFIED
