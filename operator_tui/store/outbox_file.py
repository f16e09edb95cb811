"""The seat's unsynced outbox as a file (issue 16): carried off a dying machine and imported at
its replacement, so that what the operator recorded offline still reaches the server.

The file holds each event exactly as the seat would push it (the outbox body, byte for byte), so
the server's idempotency by event id and content holds across machines: importing twice, or the
old machine coming back and pushing too, changes nothing on the server. It also holds the seat's
code and its ticket-number counters: the replacement must number in the same seat's series (the
server refuses other numbers, R18.1) and must never hand out a number already read to a caller.

The file holds callers' words: it is written 0600, never over an existing file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.errors import BadInput
from ..domain.model import Event
from . import meta
from .tickets import insert_event

if TYPE_CHECKING:
    import sqlite_utils

FORMAT = "hotline-outbox"
VERSION = 1


class OutboxFileError(BadInput):
    """A file that cannot be written or imported; the message says what to do (Chinese)."""


@dataclass(frozen=True)
class Imported:
    added: int  # events new to this seat, now in its outbox
    known: int  # events it already had (a second import, or already synced here)
    seat: str


def export(db: sqlite_utils.Database, path: Path, now: datetime) -> int:
    """Write the outbox to the new file `path` (0600); returns how many events."""
    bodies = [bytes(r[0]).decode("utf-8") for r in db.conn.execute("SELECT body FROM outbox ORDER BY seq")]
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "seat": meta.get(db, "seat_code"),
        "exported_at": now.astimezone(UTC).isoformat(),
        "number_seq": dict(db.conn.execute("SELECT day, last FROM number_seq").fetchall()),
        "events": bodies,
    }
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise OutboxFileError(f"--to：{path} 已存在；请换一个文件名（不会覆盖已有文件）") from None
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return len(bodies)


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(Path(path).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise OutboxFileError(f"FILE：没有文件 {path}") from None
    except (OSError, ValueError) as exc:
        raise OutboxFileError(f"FILE：{path} 不是坐席待同步队列导出文件（{type(exc).__name__}）") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("events"), list):
        raise OutboxFileError(f"FILE：{path} 不是坐席待同步队列导出文件（用 hotline db export-outbox 生成）")
    if doc.get("version") != VERSION:
        raise OutboxFileError(f"FILE：{path} 的格式版本 {doc.get('version')} 不受支持（支持 {VERSION}）")
    return doc


def import_file(db: sqlite_utils.Database, path: Path, now: datetime) -> Imported:
    """Add the file's events to this seat's events and outbox, keeping their ids and bodies; call
    inside one transaction (all or nothing)."""
    doc = _read(path)
    seat = doc.get("seat") or "001"
    current = meta.get(db, "seat_code")
    if current != seat:
        has_numbers = db.conn.execute("SELECT 1 FROM number_seq LIMIT 1").fetchone() is not None
        has_events = db.conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
        if has_numbers or has_events:
            raise OutboxFileError(
                f"FILE：文件来自坐席 {seat}，本机数据库属于坐席 {current or '001'}；服务器只接受坐席 {seat} 的受理编号。"
                f"请新建数据库 `hotline db init --db 新文件 --seat-code {seat}`，用坐席 {seat} 的令牌导入并同步"
            )
        meta.put(db, "seat_code", seat)  # an empty database becomes the dying seat's replacement
    events: list[tuple[Event, bytes]] = []
    for i, body in enumerate(doc["events"]):
        try:
            raw = str(body).encode("utf-8")
            events.append((Event.model_validate_json(raw), raw))
        except ValueError as exc:
            raise OutboxFileError(f"FILE：第 {i + 1} 个事件无法读取（{type(exc).__name__}），未导入任何事件") from None
    added = 0
    for e, raw in events:
        if db.conn.execute("SELECT 1 FROM events WHERE id = ?", (e.id,)).fetchone():
            continue
        insert_event(db.conn, e)
        db.conn.execute(
            "INSERT OR IGNORE INTO outbox (op_id, ticket_id, body, created_at) VALUES (?,?,?,?)",
            (e.id, e.ticket_id, raw, now.isoformat()),
        )
        added += 1
    # Never reuse a number the old machine gave out (it was read to a caller).
    try:
        counters = [(str(day), int(last)) for day, last in dict(doc.get("number_seq") or {}).items()]
    except (TypeError, ValueError):
        raise OutboxFileError("FILE：文件中的受理编号计数无法读取，未导入任何事件") from None
    for day, last in counters:
        db.conn.execute(
            "INSERT INTO number_seq (day, last) VALUES (?, ?) "
            "ON CONFLICT(day) DO UPDATE SET last = max(last, excluded.last)",
            (day, last),
        )
    return Imported(added, len(events) - added, seat)
