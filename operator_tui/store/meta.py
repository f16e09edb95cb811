"""Seat identity and the ticket number (受理编号).

The number is read aloud to the caller, so it is digits only and never changes: YYMMDD, the seat's
3-digit code (registered with the server, unique across seats) and a 4-digit per-seat daily
sequence — e.g. 261126 012 0042 — allocated inside the save's transaction with no server round trip.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

MAX_PER_DAY = 9999


def get(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def put(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def valid_seat_code(code: str) -> bool:
    return len(code) == 3 and code.isdigit()


def seat_code(db: sqlite_utils.Database) -> str:
    return get(db, "seat_code") or "001"


def adopt_seat_code(db: sqlite_utils.Database, enrolled: str) -> str | None:
    """The seat's code as its token's enrolment says (issue 11: the server refuses numbers outside the
    token's series). A database that never chose a code and has allocated no number takes it; a
    database already numbering in another series gets a reason back, and nothing changes (its
    numbers were read out to callers: they are never rewritten)."""
    current = get(db, "seat_code")
    if current == enrolled:
        return None
    numbered = db.conn.execute("SELECT 1 FROM number_seq LIMIT 1").fetchone() is not None
    if current is None and not numbered:
        put(db, "seat_code", enrolled)
        return None
    return (
        f"本机数据库按坐席 {current or '001'} 编号，而令牌属于坐席 {enrolled}：服务器只接受坐席 {enrolled} 的受理编号。"
        f"请使用坐席 {current or '001'} 的令牌，或为坐席 {enrolled} 使用新的数据库（hotline db init --seat-code {enrolled}）；"
        "本机记录均保留在待同步队列中"
    )


def allocate_number(db: sqlite_utils.Database, local_day: date) -> str:
    """The next ticket number for this seat on `local_day`; call inside the save's transaction."""
    day = local_day.strftime("%y%m%d")
    row = db.conn.execute(
        "INSERT INTO number_seq (day, last) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
        (day,),
    ).fetchone()
    if row[0] > MAX_PER_DAY:
        raise OverflowError(f"seat {seat_code(db)} has used all {MAX_PER_DAY} ticket numbers of {local_day}")
    return f"{day}{seat_code(db)}{row[0]:04d}"
