"""The server's storage: SQLite through sqlite-utils, WAL, behind a narrow interface.

Everything the API and the jobs need goes through `Storage.read()` / `Storage.write()` and the
methods of the transaction they yield, so that another backend (PostgreSQL, when one city's scale
needs it) means another implementation of this one module.

Connections, threads and transactions are `sqlite.SqliteFile`'s business; this module is the
queries. Commits that hold callers' words run with `synchronous=FULL`.
"""

from __future__ import annotations

import json
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlite_utils

from .audit import AuditLog, migrate_audit
from .schema import migrate
from .sqlite import SqliteFile


def utc(dt: datetime) -> str:
    """Times that are compared in SQL are stored in UTC, so that they sort as text."""
    return dt.astimezone(timezone.utc).isoformat()


@dataclass(frozen=True)
class Receipt:
    event_id: str
    digest: str
    status: str
    rule: str | None
    reason: str | None
    seq: int | None
    received_at: str
    ticket_status: str | None


@dataclass(frozen=True)
class TicketRow:
    """One ticket projection as stored: the JSON of the domain `Ticket` and the columns to query by."""

    id: str
    number: str
    phone: str
    seat: str
    status: str
    appeal_type: str
    confidential: bool
    matter: str
    place: str
    lead_unit: str | None
    units: tuple[str, ...]
    closed: bool
    clock: str | None
    due_at: str | None
    overdue: bool
    registered_at: str
    updated_at: str
    seq: int
    version: int
    data: str
    # The appellant's, as columns for the centre-wide lookup (schema _003): summaries without JSON.
    name: str = ""
    address: str = ""
    vulnerable: tuple[str, ...] = ()
    credit_marks: int = 0


_TICKET_COLS = ("id, number, phone, seat, status, appeal_type, confidential, matter, place, lead_unit, units, "
                "closed, clock, due_at, overdue, registered_at, updated_at, seq, version, data, "
                "name, address, vulnerable, credit_marks")
_TICKET_COL_COUNT = _TICKET_COLS.count(",") + 1
_EVENT_COLS = "seq, id, ticket_id, kind, actor, role, seat, at, applied_at, received_at, payload"


def _like_escape(text: str) -> str:
    """`text` taken literally by LIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ticket_row(r: tuple) -> TicketRow:
    return TicketRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9],
                     tuple(u for u in r[10].split("|") if u), bool(r[11]), r[12], r[13], bool(r[14]),
                     r[15], r[16], r[17], r[18], r[19], r[20], r[21],
                     tuple(v for v in r[22].split("|") if v), r[23])


class Tx:
    """One unit of work on the server's database. Read methods work in any Tx; write methods only
    in one from `Storage.write()`."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.conn = db.conn

    # --- meta and sequence ------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                          (key, value))

    def last_seq(self) -> int:
        return int(self.meta("seq") or 0)

    def take_seqs(self, n: int) -> int:
        """Reserve `n` sequence numbers; returns the first. One counter orders events, ticket
        changes and knowledge-base changes, so one cursor can never skip a change."""
        first = self.last_seq() + 1
        self.put_meta("seq", str(first + n - 1))
        return first

    # --- principals -------------------------------------------------------------------------
    def principal_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT id, name, role, unit, seat, staff_no FROM principals "
                                "WHERE token_hash = ? AND revoked_at IS NULL", (token_hash,)).fetchone()
        return dict(zip(("id", "name", "role", "unit", "seat", "staff_no"), row)) if row else None

    def principal_count(self, role: str | None = None) -> int:
        sql, args = "SELECT count(*) FROM principals WHERE revoked_at IS NULL", ()
        if role:
            sql, args = sql + " AND role = ?", (role,)
        return self.conn.execute(sql, args).fetchone()[0]

    def add_principal(self, row: dict[str, Any]) -> None:
        self.db["principals"].insert(row)

    _PRINCIPAL_COLS = ("id", "name", "role", "unit", "seat", "staff_no", "created_at", "revoked_at")

    def principals(self, include_revoked: bool = True) -> list[dict[str, Any]]:
        """Every principal, oldest first, without its token hash (nobody needs to see one)."""
        sql = f"SELECT {', '.join(self._PRINCIPAL_COLS)} FROM principals"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        return [dict(zip(self._PRINCIPAL_COLS, r)) for r in self.conn.execute(sql + " ORDER BY created_at, id")]

    def principal(self, principal_id: str) -> dict[str, Any] | None:
        r = self.conn.execute(f"SELECT {', '.join(self._PRINCIPAL_COLS)} FROM principals WHERE id = ?",
                              (principal_id,)).fetchone()
        return dict(zip(self._PRINCIPAL_COLS, r)) if r else None

    def revoke_principal(self, principal_id: str, at: datetime) -> None:
        self.conn.execute("UPDATE principals SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                          (utc(at), principal_id))

    def seat(self, code: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT code, name, principal_id FROM seats WHERE code = ?", (code,)).fetchone()
        return dict(zip(("code", "name", "principal_id"), row)) if row else None

    def add_seat(self, code: str, name: str, principal_id: str, at: datetime) -> None:
        self.db["seats"].insert({"code": code, "name": name, "principal_id": principal_id, "enrolled_at": utc(at)})

    # --- receipts and events ----------------------------------------------------------------
    def receipts(self, ids: list[str]) -> dict[str, Receipt]:
        out: dict[str, Receipt] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            sql = f"SELECT event_id, digest, status, rule, reason, seq, received_at, ticket_status FROM receipts WHERE event_id IN ({','.join('?' * len(chunk))})"
            out.update({r[0]: Receipt(*r) for r in self.conn.execute(sql, chunk)})
        return out

    def add_receipts(self, rows: Iterable[Receipt]) -> None:
        self.conn.executemany("INSERT INTO receipts VALUES (?,?,?,?,?,?,?,?)",
                              [(r.event_id, r.digest, r.status, r.rule, r.reason, r.seq, r.received_at, r.ticket_status) for r in rows])

    def add_events(self, rows: list[dict[str, Any]]) -> None:
        self.db["events"].insert_all(rows, batch_size=500)

    def events_of(self, ticket_ids: list[str]) -> dict[str, list[tuple]]:
        """Each ticket's events in sequence order, as tuples in `_EVENT_COLS` order."""
        out: dict[str, list[tuple]] = {t: [] for t in ticket_ids}
        for i in range(0, len(ticket_ids), 500):
            chunk = ticket_ids[i:i + 500]
            sql = f"SELECT {_EVENT_COLS} FROM events WHERE ticket_id IN ({','.join('?' * len(chunk))}) ORDER BY seq"
            for r in self.conn.execute(sql, chunk):
                out[r[2]].append(r)
        return out

    def event_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM events").fetchone()[0]

    # --- tickets ----------------------------------------------------------------------------
    def ticket(self, ticket_id: str) -> TicketRow | None:
        r = self.conn.execute(f"SELECT {_TICKET_COLS} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return _ticket_row(r) if r else None

    def ticket_by_number(self, number: str) -> TicketRow | None:
        r = self.conn.execute(f"SELECT {_TICKET_COLS} FROM tickets WHERE number = ?", (number,)).fetchone()
        return _ticket_row(r) if r else None

    def tickets_by_phone(self, phone: str, limit: int) -> list[TicketRow]:
        rows = self.conn.execute(f"SELECT {_TICKET_COLS} FROM tickets WHERE phone = ? ORDER BY registered_at DESC LIMIT ?",
                                 (phone, limit))
        return [_ticket_row(r) for r in rows]

    def put_tickets(self, rows: Iterable[TicketRow]) -> None:
        # An upsert, not INSERT OR REPLACE: the row keeps its rowid, which the name/address index
        # (ticket_text, schema _003) is keyed by; and a number held by another ticket is an error,
        # never a silent deletion of that ticket.
        cols = [c.strip() for c in _TICKET_COLS.split(",")]
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        self.conn.executemany(
            f"INSERT INTO tickets ({_TICKET_COLS}) VALUES ({','.join('?' * _TICKET_COL_COUNT)}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}",
            [(t.id, t.number, t.phone, t.seat, t.status, t.appeal_type, int(t.confidential), t.matter, t.place,
              t.lead_unit, "|" + "|".join(t.units) + "|", int(t.closed), t.clock, t.due_at, int(t.overdue),
              t.registered_at, t.updated_at, t.seq, t.version, t.data, t.name, t.address,
              "|" + "|".join(t.vulnerable) + "|" if t.vulnerable else "", t.credit_marks) for t in rows])

    def subscribe(self, key: str, ticket_ids: Iterable[str]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO subscriptions (key, ticket_id) VALUES (?, ?)",
                              [(key, t) for t in ticket_ids])

    def changes(self, after: int, limit: int, *, subscriber: str | None = None, unit: str | None = None) -> list[TicketRow]:
        """Tickets changed after sequence `after`, oldest change first, limited to a scope:
        a subscriber's tickets (a seat), a unit's held tickets, or (neither) all."""
        where, args = ["seq > ?"], [after]
        if subscriber is not None:
            where.append("id IN (SELECT ticket_id FROM subscriptions WHERE key = ?)")
            args.append(subscriber)
        if unit is not None:
            where.append("instr(units, ?) > 0")
            args.append(f"|{unit}|")
        sql = f"SELECT {_TICKET_COLS} FROM tickets WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"
        return [_ticket_row(r) for r in self.conn.execute(sql, (*args, limit))]

    def open_tickets(self, *, due_before: str | None = None) -> list[TicketRow]:
        sql = f"SELECT {_TICKET_COLS} FROM tickets WHERE closed = 0"
        args: tuple = ()
        if due_before is not None:
            sql += " AND due_at IS NOT NULL AND due_at < ?"
            args = (due_before,)
        return [_ticket_row(r) for r in self.conn.execute(sql, args)]

    def all_tickets(self, unit: str | None = None, limit: int = 10_000) -> list[TicketRow]:
        sql = f"SELECT {_TICKET_COLS} FROM tickets" + (" WHERE instr(units, ?) > 0" if unit else "") + " ORDER BY seq LIMIT ?"
        return [_ticket_row(r) for r in self.conn.execute(sql, ((f"|{unit}|",) if unit else ()) + (limit,))]

    def tickets_updated_since(self, since: str) -> list[TicketRow]:
        return [_ticket_row(r) for r in self.conn.execute(f"SELECT {_TICKET_COLS} FROM tickets WHERE updated_at >= ?", (since,))]

    def clusters(self, since: str, at_least: int) -> list[tuple[str, str, int]]:
        """R25.1 (2): (matter, place, count) of open tickets registered since `since`."""
        return list(self.conn.execute(
            "SELECT matter, place, count(*) FROM tickets WHERE closed = 0 AND registered_at >= ? "
            "GROUP BY matter, place HAVING count(*) >= ?", (since, at_least)))

    def cluster_tickets(self, matter: str, place: str) -> list[TicketRow]:
        rows = self.conn.execute(f"SELECT {_TICKET_COLS} FROM tickets WHERE matter = ? AND place = ? AND closed = 0",
                                 (matter, place))
        return [_ticket_row(r) for r in rows]

    def set_overdue(self, ticket_ids: list[str]) -> None:
        self.conn.executemany("UPDATE tickets SET overdue = 1 WHERE id = ?", [(t,) for t in ticket_ids])

    def lookup(self, *, number: str | None = None, phone: str | None = None, name: str | None = None,
               address: str | None = None, registered_from: str | None = None, registered_to: str | None = None,
               open_only: bool = False, unit: str | None = None, public_only: bool = False,
               limit: int = 20) -> list[TicketRow]:
        """Issue 11, the centre-wide lookup: the criteria given, combined; newest first.

        `unit` keeps a unit's own tickets; `public_only` leaves out the confidential ones (R26.1: a
        unit must not find who complained about it by their phone, name or address). Name and
        address match as substrings: through the trigram index for three characters or more, by a
        scan in registration order (stopping at `limit`) for one or two. Times are UTC ISO text."""
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("number", number), ("phone", phone)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        terms: list[str] = []
        for column, fragment in (("name", name), ("address", address)):
            if fragment is None:
                continue
            # The columns decide; the index only narrows (a stale index entry cannot add a ticket).
            where.append(f"{column} LIKE ? ESCAPE '\\'")
            args.append("%" + _like_escape(fragment) + "%")
            if len(fragment) >= 3:
                terms.append(f'{column} : "' + fragment.replace('"', '""') + '"')
        if terms:
            where.append("rowid IN (SELECT rowid FROM ticket_text WHERE ticket_text MATCH ?)")
            args.append(" AND ".join(terms))
        if registered_from is not None:
            where.append("registered_at >= ?")
            args.append(registered_from)
        if registered_to is not None:
            where.append("registered_at < ?")
            args.append(registered_to)
        if open_only:
            where.append("closed = 0")
        if unit is not None:
            where.append("instr(units, ?) > 0")
            args.append(f"|{unit}|")
        if public_only:
            where.append("confidential = 0")
        sql = (f"SELECT {_TICKET_COLS} FROM tickets WHERE {' AND '.join(where) or '1'} "
               "ORDER BY registered_at DESC, id DESC LIMIT ?")
        return [_ticket_row(r) for r in self.conn.execute(sql, (*args, limit))]

    # --- sweeps -----------------------------------------------------------------------------
    def marked(self, ticket_id: str, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sweep_marks WHERE ticket_id = ? AND key = ?", (ticket_id, key)).fetchone() is not None

    def mark(self, ticket_id: str, key: str, at: datetime) -> None:
        self.conn.execute("INSERT OR IGNORE INTO sweep_marks VALUES (?, ?, ?)", (ticket_id, key, utc(at)))

    # --- knowledge base (R34.1) -------------------------------------------------------------
    _KB_COLS = ("id", "owner_unit", "title", "body", "tags", "review_at", "valid_until", "version", "seq",
                "updated_at", "updated_by")

    def _kb(self, r: tuple) -> dict[str, Any]:
        d = dict(zip(self._KB_COLS, r))
        d["tags"] = json.loads(d["tags"])
        return d

    def kb_article(self, article_id: str) -> dict[str, Any] | None:
        r = self.conn.execute(f"SELECT {', '.join(self._KB_COLS)} FROM kb_articles WHERE id = ?", (article_id,)).fetchone()
        return self._kb(r) if r else None

    def put_kb_article(self, row: dict[str, Any]) -> None:
        self.db["kb_articles"].upsert({**row, "tags": json.dumps(row["tags"], ensure_ascii=False)}, pk="id")

    def kb_changes(self, after: int, limit: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(f"SELECT {', '.join(self._KB_COLS)} FROM kb_articles WHERE seq > ? ORDER BY seq LIMIT ?",
                                 (after, limit))
        return [self._kb(r) for r in rows]


class Storage(SqliteFile):
    """The server's database file, and beside it the read-audit log (`audit.AuditLog`): a separate
    file with its own writer, so that recording who read what never waits behind an event commit.

    A third file, `<db>.issued-seq`, remembers the highest sequence number ever committed. If the
    database opens *below* it, it was restored from an older backup: seats hold cursors past its
    end that new changes would reuse, so the epoch changes and every such cursor becomes unknown
    (410, full resync) instead of silently skipping changes. Restore the database, not that file."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.audit = AuditLog(self.path.with_suffix(".audit.db"))
        self.high_water = Path(str(self.path) + ".issued-seq")

    @classmethod
    def open(cls, path: Path) -> "Storage":
        """Create (mode 0600) and migrate the database; a new database gets a random epoch, which
        makes cursors from any other database unknown here (so does a restored older copy)."""
        storage = cls(path)
        storage.create(migrate)
        storage.audit.create(migrate_audit)
        issued = int(storage.high_water.read_text() or 0) if storage.high_water.exists() else 0
        with storage.write() as tx:
            if tx.meta("epoch") is None or tx.last_seq() < issued:
                tx.put_meta("epoch", secrets.token_hex(4))
        return storage

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A consistent snapshot (WAL lets it run beside the writer)."""
        with self.reading() as conn:
            yield Tx(sqlite_utils.Database(conn))

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction, committed with synchronous=FULL (it holds callers' words)."""
        with self.writing(durable=True) as conn:
            tx = Tx(sqlite_utils.Database(conn))
            yield tx
            seq = tx.last_seq()
        # After the commit, so the file never runs ahead of the database (a crash leaves it behind,
        # the safe side). Only one writer at a time reaches here per process.
        if seq > self._issued:
            self._issued = seq
            self.high_water.write_text(str(seq))

    _issued = 0
