"""First tokens for a new server, made straight in its database (no token exists yet to ask the
API with). Used by `hotline server init` / `hotline server token`, the tests and the benchmark.
`db_path` is a SQLite file or a `postgresql://` URL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from operator_tui.domain.model import Role

from . import auth
from .auth import Principal
from .storage import Storage, describe


def issue(
    db_path: Path | str,
    now: datetime,
    *,
    role: Role,
    name: str,
    unit: str | None = None,
    seat: str | None = None,
    known_units: Iterable[str] | None = None,
    staff_no: str | None = None,
    new_seat: bool = False,
) -> tuple[Principal, str]:
    """One token: a new seat's (`new_seat`: enrol `seat` and make its token), a person's at an
    enrolled seat (role operator with `seat`, usually with `staff_no`), or a person's or unit's
    without a seat. Raises auth.EnrolError."""
    with Storage.open(db_path) as storage, storage.write() as tx:
        if new_seat:
            if seat is None or role is not Role.OPERATOR or unit is not None or staff_no is not None:
                raise auth.EnrolError("a new seat takes only its 3-digit code (role operator, no unit or staff number)")
            return auth.enrol_seat(tx, seat, name, now)
        return auth.issue(
            tx,
            name=name,
            role=role,
            now=now,
            unit=unit,
            seat=seat,
            staff_no=staff_no,
            known_units=frozenset(known_units) if known_units is not None else None,
        )


def tokens(db_path: Path | str) -> list[dict[str, Any]]:
    """Every token's principal (no hash), oldest first."""
    with Storage.open(db_path) as storage, storage.read() as tx:
        rows: list[dict[str, Any]] = tx.principals()
        return rows


def revoke(db_path: Path | str, principal_id: str, now: datetime) -> dict[str, Any]:
    """Revoke one token; raises LookupError (unknown id) or auth.EnrolError (already revoked, last admin)."""
    with Storage.open(db_path) as storage, storage.write() as tx:
        return auth.revoke(tx, principal_id, now)


def init(
    db_path: Path | str,
    now: datetime,
    *,
    seats: Iterable[str] = (),
    units: Iterable[str] = (),
    supervisors: Iterable[str] = (),
    known_units: Iterable[str] | None = None,
) -> list[tuple[Principal, str]]:
    """Create the database with an admin token and, if asked, seat, unit and supervisor tokens,
    all in one transaction (all or none)."""
    known = frozenset(known_units) if known_units is not None else None
    issued: list[tuple[Principal, str]] = []
    with Storage.open(db_path) as storage, storage.write() as tx:
        if tx.principal_count(Role.ADMIN.value):
            raise auth.EnrolError(
                f"{describe(db_path)} is already initialised; add tokens with `hotline server token add`"
            )
        issued.append(auth.issue(tx, name="admin", role=Role.ADMIN, now=now))
        for code in seats:
            issued.append(auth.enrol_seat(tx, code, f"坐席{code}", now))
        for unit in units:
            issued.append(auth.issue(tx, name=f"unit:{unit}", role=Role.UNIT, now=now, unit=unit, known_units=known))
        for name in supervisors:
            issued.append(auth.issue(tx, name=name, role=Role.SUPERVISOR, now=now))
    return issued
