"""First tokens for a new server, made straight in its database (no token exists yet to ask the
API with). Used by `hotline server init` / `hotline server token`, the tests and the benchmark."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterable

from operator_tui.domain.model import Role

from . import auth
from .auth import Principal
from .storage import Storage


def issue(db_path: Path, now: datetime, *, role: Role, name: str, unit: str | None = None, seat: str | None = None,
          known_units: Iterable[str] | None = None) -> tuple[Principal, str]:
    """One token: a seat's (role operator with `seat`) or a person's/unit's. Raises auth.EnrolError."""
    storage = Storage.open(db_path)
    with storage.write() as tx:
        if seat is not None:
            return auth.enrol_seat(tx, seat, name, now)
        return auth.issue(tx, name=name, role=role, now=now, unit=unit,
                          known_units=frozenset(known_units) if known_units is not None else None)


def init(db_path: Path, now: datetime, *, seats: Iterable[str] = (), units: Iterable[str] = (),
         supervisors: Iterable[str] = (), known_units: Iterable[str] | None = None) -> list[tuple[Principal, str]]:
    """Create the database with an admin token and, if asked, seat, unit and supervisor tokens,
    all in one transaction (all or none)."""
    storage = Storage.open(db_path)
    known = frozenset(known_units) if known_units is not None else None
    issued: list[tuple[Principal, str]] = []
    with storage.write() as tx:
        if tx.principal_count(Role.ADMIN.value):
            raise auth.EnrolError(f"{db_path} is already initialised; add tokens with `hotline server token`")
        issued.append(auth.issue(tx, name="admin", role=Role.ADMIN, now=now))
        for code in seats:
            issued.append(auth.enrol_seat(tx, code, f"坐席{code}", now))
        for unit in units:
            issued.append(auth.issue(tx, name=f"unit:{unit}", role=Role.UNIT, now=now, unit=unit, known_units=known))
        for name in supervisors:
            issued.append(auth.issue(tx, name=name, role=Role.SUPERVISOR, now=now))
    return issued
