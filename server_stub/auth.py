"""Bearer tokens per seat and per user, kept only as their sha256 (R33.1).

A token is 32 random bytes (url-safe) behind a short prefix naming the role, so a token pasted in
the wrong place is recognisable without being usable. Its hash is the lookup key: a random token
has all the entropy it needs, so a slow password hash would buy nothing here.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ulid import ULID

from operator_tui.domain.errors import NotFound, Refused
from operator_tui.domain.model import Role

from .storage import Tx, utc

HUMAN_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.UNIT, Role.ADMIN, Role.PARTNER)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a seat (role operator, with its seat code) or a named user."""

    id: str
    name: str
    role: Role
    unit: str | None = None
    seat: str | None = None
    staff_no: str | None = None  # 工号 of a person's token

    @property
    def actor(self) -> str:
        """What events record as who acted: the staff number when the token has one, else the name."""
        return self.staff_no or self.name

    @property
    def feed_key(self) -> str:
        """The key its change feed follows: a seat's tickets stay with the seat, not the token."""
        return f"seat:{self.seat}" if self.seat else f"user:{self.id}"

    @property
    def origin(self) -> str:
        """What the server writes as `seat` on events it builds for this caller."""
        return self.seat or (f"unit:{self.unit}" if self.unit else f"{self.role.value}:{self.id[-6:]}")[:40]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token(role: Role) -> str:
    return f"hl_{role.value}_{secrets.token_urlsafe(32)}"


class EnrolError(Refused, ValueError):
    """A token cannot be issued as asked; the message says why."""


class TokenNotFound(NotFound, LookupError):
    """No token has that id."""


def issue(
    tx: Tx,
    *,
    name: str,
    role: Role,
    now: datetime,
    unit: str | None = None,
    seat: str | None = None,
    known_units: frozenset[str] | None = None,
    staff_no: str | None = None,
    enrolling: bool = False,
) -> tuple[Principal, str]:
    """Create a principal and its token. The token is returned once and never stored.

    An operator's token may belong to a seat: the seat's own token (made by `enrol_seat`) or a
    person's (a name and a staff number) for a seat already enrolled. A seat is never enrolled
    here by accident: a mistyped code would otherwise open a new series of ticket numbers."""
    if role not in HUMAN_ROLES:
        raise EnrolError(f"role must be one of {', '.join(r.value for r in HUMAN_ROLES)}")
    if role is Role.UNIT:
        if not unit:
            raise EnrolError("a unit token needs the unit's code")
        if known_units is not None and unit not in known_units:
            raise EnrolError(f"unknown unit '{unit}' (see units.toml)")
    elif unit:
        raise EnrolError("only unit tokens name a unit")
    if role is Role.PARTNER:
        # R18.1, R32.1: a partner platform registers numbers in a series of its own, so a seat
        # code is enrolled for it; a code a seat already uses would mix two parties' tickets.
        if seat is None or not (len(seat) == 3 and seat.isdigit()):
            raise EnrolError("a partner token needs its own 3-digit seat code for its ticket numbers (--seat NNN)")
        if tx.seat(seat) is not None:
            raise EnrolError(f"seat code {seat} is already enrolled; give the partner a code of its own")
        enrolling = True
    elif seat is not None and role is not Role.OPERATOR:
        raise EnrolError("only operator and partner tokens belong to a seat")
    if seat is not None and not enrolling and tx.seat(seat) is None:
        raise EnrolError(f"seat {seat} is not enrolled; enrol it first (`hotline server token add --new-seat {seat}`)")
    if staff_no is not None and not (staff_no.isascii() and staff_no.isdigit() and 1 <= len(staff_no) <= 10):
        raise EnrolError(f"staff number '{staff_no}' must be 1–10 digits (工号)")
    principal = Principal(
        id=str(ULID.from_datetime(now)), name=name, role=role, unit=unit, seat=seat, staff_no=staff_no
    )
    token = new_token(role)
    tx.add_principal(
        {
            "id": principal.id,
            "token_hash": hash_token(token),
            "name": name,
            "role": role.value,
            "unit": unit,
            "seat": seat,
            "created_at": utc(now),
            "revoked_at": None,
            "staff_no": staff_no,
        }
    )
    if role is Role.PARTNER and seat is not None:  # checked above: a partner always has one
        tx.add_seat(seat, name, principal.id, now)
    return principal, token


def enrol_seat(tx: Tx, code: str, name: str, now: datetime) -> tuple[Principal, str]:
    """Register a seat code (the middle of every ticket number it allocates) and its token."""
    if not (len(code) == 3 and code.isdigit()):
        raise EnrolError(f"seat code '{code}' must be exactly 3 digits")
    if tx.seat(code) is not None:
        raise EnrolError(f"seat {code} is already enrolled; seat codes are unique because ticket numbers are")
    principal, token = issue(tx, name=name, role=Role.OPERATOR, now=now, seat=code, enrolling=True)
    tx.add_seat(code, name, principal.id, now)
    return principal, token


def revoke(tx: Tx, principal_id: str, now: datetime) -> dict[str, Any]:
    """Revoke a token at once (the next request with it gets 401). Refuses an unknown id, a token
    already revoked, and the last admin token (nobody could then manage tokens through the API)."""
    row = tx.principal(principal_id)
    if row is None:
        raise TokenNotFound(f"no token with id {principal_id} (see `hotline server token list`)")
    if row["revoked_at"] is not None:
        raise EnrolError(f"token {principal_id} was already revoked at {row['revoked_at']}")
    if row["role"] == Role.ADMIN.value and tx.principal_count(Role.ADMIN.value) <= 1:
        raise EnrolError("this is the last admin token: add another admin token before revoking it")
    tx.revoke_principal(principal_id, now)
    revoked = tx.principal(principal_id)
    if revoked is None:  # same transaction: cannot happen
        raise TokenNotFound(f"no token with id {principal_id}")
    return revoked


def lookup(tx: Tx, token: str) -> Principal | None:
    return lookup_hash(tx, hash_token(token))


def lookup_hash(tx: Tx, token_hash: str) -> Principal | None:
    row = tx.principal_by_hash(token_hash)
    if row is None:
        return None
    return Principal(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        unit=row["unit"],
        seat=row["seat"],
        staff_no=row["staff_no"],
    )
