"""The server's storage: one interface, two engines (SQLite, the embedded default; PostgreSQL, for
a city or a province that outgrows one file: issue 17).

Longer than the ~500 lines a module should be, on purpose for now: it is the one place every query
of the server is written, once, for both engines, and reading them together is what keeps them
engine-neutral. The next split is by resource (tickets and the feed; principals; the knowledge base).

Everything the API and the jobs need goes through `Storage.read()` / `Storage.write()` and the
methods of the transaction they yield. The queries are here, once, in SQL both engines run; what
differs between the engines sits in the engine's subclass and nowhere else:

- `storage_sqlite.py`: the file, WAL, a connection per thread, one writer at a time
  (`sqlite.SqliteFile`), `instr`, the FTS5 trigram index for name and address fragments, the read
  audit in a file of its own, the `<db>.issued-seq` high-water mark.
- `pg.py`: a connection pool, `?` placeholders made `%s`, writers serialised by a
  transaction-level advisory lock (so sequence numbers commit in order and a retry always finds
  the first answer, however many processes), snapshot reads, `strpos`, pg_trgm, the audit as a
  table, the migration dialect and the sweep's cross-process lock.

`Storage.open(target)` picks the engine: a `postgresql://` URL, or a file path for SQLite.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from .principal_cache import PrincipalCache


def utc(dt: datetime) -> str:
    """Times that are compared in SQL are stored in UTC, so that they sort as text."""
    return dt.astimezone(UTC).isoformat()


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
    # R35.1, the rates' facts (schema _004, domain/rates.py `rate_facts`): local days as 'YYYY-MM-DD'
    # (None: the ticket does not count in that rate), so a rate is a SUM/COUNT over indexed columns.
    district: str = ""
    operator: str = ""
    ontime_on: str | None = None
    ontime_met: bool = False
    response_on: str | None = None
    response_met: bool = False
    rated_on: str | None = None
    resolved: bool = False
    satisfied: bool = False


_TICKET_COLS = (
    "id, number, phone, seat, status, appeal_type, confidential, matter, place, lead_unit, units, "
    "closed, clock, due_at, overdue, registered_at, updated_at, seq, version, data, "
    "name, address, vulnerable, credit_marks, "
    "district, operator, ontime_on, ontime_met, response_on, response_met, rated_on, resolved, satisfied"
)
_TICKET_COL_COUNT = _TICKET_COLS.count(",") + 1
_EVENT_COLS = "seq, id, ticket_id, kind, actor, role, seat, at, applied_at, received_at, payload"


def _like_escape(text: str) -> str:
    """`text` taken literally by LIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ticket_row(r: tuple[Any, ...]) -> TicketRow:
    return TicketRow(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        bool(r[6]),
        r[7],
        r[8],
        r[9],
        tuple(u for u in r[10].split("|") if u),
        bool(r[11]),
        r[12],
        r[13],
        bool(r[14]),
        r[15],
        r[16],
        r[17],
        r[18],
        r[19],
        r[20],
        r[21],
        tuple(v for v in r[22].split("|") if v),
        r[23],
        r[24] or "",
        r[25] or "",
        r[26],
        bool(r[27]),
        r[28],
        bool(r[29]),
        r[30],
        bool(r[31]),
        bool(r[32]),
    )


class Tx(ABC):
    """One unit of work on the server's database. Read methods work in any Tx; write methods only
    in one from `Storage.write()`. The engine's subclass runs the SQL (`_all`, `_one`, `_exec`,
    `_many`) and supplies the few fragments the engines spell differently."""

    conn: Any

    @abstractmethod
    def _all(self, sql: str, args: Iterable[Any] = ()) -> Iterable[tuple[Any, ...]]: ...

    @abstractmethod
    def _one(self, sql: str, args: Iterable[Any] = ()) -> tuple[Any, ...] | None: ...

    @abstractmethod
    def _exec(self, sql: str, args: Iterable[Any] = ()) -> None: ...

    @abstractmethod
    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None: ...

    @abstractmethod
    def _holds(self, column: str) -> str:
        """SQL true when `column` ('|a|b|' text) contains the parameter ('|unit|')."""

    @abstractmethod
    def _text_filter(self, terms: list[tuple[str, str]]) -> tuple[str, list[Any]] | None:
        """Extra narrowing for name/address fragments (column, fragment) of three characters or
        more, through the engine's trigram index; None when the LIKE itself uses the index."""

    # --- meta and sequence ------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def put_meta(self, key: str, value: str) -> None:
        self._exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def last_seq(self) -> int:
        return int(self.meta("seq") or 0)

    def feed_head(self) -> tuple[str, int]:
        """(epoch, last sequence number) in one query: every pull starts with both."""
        values = dict(self._all("SELECT key, value FROM meta WHERE key IN ('epoch', 'seq')"))
        return values.get("epoch") or "", int(values.get("seq") or 0)

    def take_seqs(self, n: int) -> int:
        """Reserve `n` sequence numbers; returns the first. One counter orders events, ticket
        changes and knowledge-base changes, so one cursor can never skip a change. Writers are
        serialised (each engine's `write()`), so the numbers commit in the order they are taken."""
        first = self.last_seq() + 1
        self.put_meta("seq", str(first + n - 1))
        return first

    # --- principals -------------------------------------------------------------------------
    def principal_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT id, name, role, unit, seat, staff_no FROM principals WHERE token_hash = ? AND revoked_at IS NULL",
            (token_hash,),
        )
        return dict(zip(("id", "name", "role", "unit", "seat", "staff_no"), row)) if row else None

    def principal_count(self, role: str | None = None) -> int:
        args: tuple[Any, ...] = ()
        sql = "SELECT count(*) FROM principals WHERE revoked_at IS NULL"
        if role:
            sql, args = sql + " AND role = ?", (role,)
        row = self._one(sql, args)
        return int(row[0]) if row else 0

    _PRINCIPAL_COLS = ("id", "name", "role", "unit", "seat", "staff_no", "created_at", "revoked_at")

    def add_principal(self, row: dict[str, Any]) -> None:
        cols = (*self._PRINCIPAL_COLS, "token_hash")
        self._exec(
            f"INSERT INTO principals ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            tuple(row.get(c) for c in cols),
        )

    def principals(self, include_revoked: bool = True) -> list[dict[str, Any]]:
        """Every principal, oldest first, without its token hash (nobody needs to see one)."""
        sql = f"SELECT {', '.join(self._PRINCIPAL_COLS)} FROM principals"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        return [dict(zip(self._PRINCIPAL_COLS, r)) for r in self._all(sql + " ORDER BY created_at, id")]

    def principal(self, principal_id: str) -> dict[str, Any] | None:
        r = self._one(f"SELECT {', '.join(self._PRINCIPAL_COLS)} FROM principals WHERE id = ?", (principal_id,))
        return dict(zip(self._PRINCIPAL_COLS, r)) if r else None

    def revoke_principal(self, principal_id: str, at: datetime) -> None:
        self._exec("UPDATE principals SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (utc(at), principal_id))

    def seat(self, code: str) -> dict[str, Any] | None:
        row = self._one("SELECT code, name, principal_id FROM seats WHERE code = ?", (code,))
        return dict(zip(("code", "name", "principal_id"), row)) if row else None

    def add_seat(self, code: str, name: str, principal_id: str, at: datetime) -> None:
        self._exec(
            "INSERT INTO seats (code, name, principal_id, enrolled_at) VALUES (?, ?, ?, ?)",
            (code, name, principal_id, utc(at)),
        )

    # --- receipts and events ----------------------------------------------------------------
    def receipts(self, ids: list[str]) -> dict[str, Receipt]:
        out: dict[str, Receipt] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = (
                "SELECT event_id, digest, status, rule, reason, seq, received_at, ticket_status FROM receipts "
                f"WHERE event_id IN ({','.join('?' * len(chunk))})"
            )
            out.update({r[0]: Receipt(*r) for r in self._all(sql, chunk)})
        return out

    def add_receipts(self, rows: Iterable[Receipt]) -> None:
        self._many(
            "INSERT INTO receipts (event_id, digest, status, rule, reason, seq, received_at, ticket_status) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(r.event_id, r.digest, r.status, r.rule, r.reason, r.seq, r.received_at, r.ticket_status) for r in rows],
        )

    def add_events(self, rows: list[dict[str, Any]]) -> None:
        cols = _EVENT_COLS.split(", ") + ["pushed_by"]
        self._many(
            f"INSERT INTO events ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
            [tuple(r[c] for c in cols) for r in rows],
        )

    def events_of(self, ticket_ids: list[str]) -> dict[str, list[tuple[Any, ...]]]:
        """Each ticket's events in sequence order, as tuples in `_EVENT_COLS` order."""
        out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in ticket_ids}
        for i in range(0, len(ticket_ids), 500):
            chunk = ticket_ids[i : i + 500]
            sql = f"SELECT {_EVENT_COLS} FROM events WHERE ticket_id IN ({','.join('?' * len(chunk))}) ORDER BY seq"
            for r in self._all(sql, chunk):
                out[r[2]].append(tuple(r))
        return out

    def event_count(self) -> int:
        row = self._one("SELECT count(*) FROM events")
        return int(row[0]) if row else 0

    # --- tickets ----------------------------------------------------------------------------
    def ticket(self, ticket_id: str) -> TicketRow | None:
        r = self._one(f"SELECT {_TICKET_COLS} FROM tickets WHERE id = ?", (ticket_id,))
        return _ticket_row(r) if r else None

    def tickets_by_id(self, ticket_ids: list[str]) -> dict[str, TicketRow]:
        """The tickets of `ticket_ids` that exist, in one query per 500 (a push's batch reads its
        tickets at once: on PostgreSQL each query is a round trip)."""
        out: dict[str, TicketRow] = {}
        for i in range(0, len(ticket_ids), 500):
            chunk = ticket_ids[i : i + 500]
            for r in self._all(f"SELECT {_TICKET_COLS} FROM tickets WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[r[0]] = _ticket_row(r)
        return out

    def numbers_held(self, numbers: list[str]) -> dict[str, str]:
        """Ticket number → the id of the ticket holding it, for those of `numbers` that are taken."""
        out: dict[str, str] = {}
        for i in range(0, len(numbers), 500):
            chunk = numbers[i : i + 500]
            out.update(
                {
                    n: t
                    for n, t in self._all(
                        f"SELECT number, id FROM tickets WHERE number IN ({','.join('?' * len(chunk))})", chunk
                    )
                }
            )
        return out

    def ticket_by_number(self, number: str) -> TicketRow | None:
        r = self._one(f"SELECT {_TICKET_COLS} FROM tickets WHERE number = ?", (number,))
        return _ticket_row(r) if r else None

    def tickets_by_phone(self, phone: str, limit: int) -> list[TicketRow]:
        rows = self._all(
            f"SELECT {_TICKET_COLS} FROM tickets WHERE phone = ? ORDER BY registered_at DESC LIMIT ?", (phone, limit)
        )
        return [_ticket_row(r) for r in rows]

    def put_tickets(self, rows: Iterable[TicketRow]) -> None:
        # An upsert, not a delete and insert: on SQLite the row keeps its rowid, which the
        # name/address index (ticket_text, schema _003) is keyed by; and on both engines a number
        # held by another ticket is an error, never a silent deletion of that ticket.
        cols = [c.strip() for c in _TICKET_COLS.split(",")]
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        self._many(
            f"INSERT INTO tickets ({_TICKET_COLS}) VALUES ({','.join('?' * _TICKET_COL_COUNT)}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}",
            [
                (
                    t.id,
                    t.number,
                    t.phone,
                    t.seat,
                    t.status,
                    t.appeal_type,
                    int(t.confidential),
                    t.matter,
                    t.place,
                    t.lead_unit,
                    "|" + "|".join(t.units) + "|",
                    int(t.closed),
                    t.clock,
                    t.due_at,
                    int(t.overdue),
                    t.registered_at,
                    t.updated_at,
                    t.seq,
                    t.version,
                    t.data,
                    t.name,
                    t.address,
                    "|" + "|".join(t.vulnerable) + "|" if t.vulnerable else "",
                    t.credit_marks,
                    t.district,
                    t.operator,
                    t.ontime_on,
                    int(t.ontime_met),
                    t.response_on,
                    int(t.response_met),
                    t.rated_on,
                    int(t.resolved),
                    int(t.satisfied),
                )
                for t in rows
            ],
        )

    def subscribe(self, key: str, ticket_ids: Iterable[str]) -> None:
        self._many(
            "INSERT INTO subscriptions (key, ticket_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(key, t) for t in ticket_ids],
        )

    def changes(
        self, after: int, limit: int, *, subscriber: str | None = None, unit: str | None = None
    ) -> list[TicketRow]:
        """Tickets changed after sequence `after`, oldest change first, limited to a scope:
        a subscriber's tickets (a seat), a unit's held tickets, or (neither) all."""
        where = ["seq > ?"]
        args: list[Any] = [after]
        if subscriber is not None:
            where.append("id IN (SELECT ticket_id FROM subscriptions WHERE key = ?)")
            args.append(subscriber)
        if unit is not None:
            where.append(self._holds("units"))
            args.append(f"|{unit}|")
        sql = f"SELECT {_TICKET_COLS} FROM tickets WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"
        return [_ticket_row(r) for r in self._all(sql, (*args, limit))]

    def open_tickets(self, *, due_before: str | None = None) -> list[TicketRow]:
        sql = f"SELECT {_TICKET_COLS} FROM tickets WHERE closed = 0"
        args: tuple[Any, ...] = ()
        if due_before is not None:
            sql += " AND due_at IS NOT NULL AND due_at < ?"
            args = (due_before,)
        return [_ticket_row(r) for r in self._all(sql, args)]

    def all_tickets(self, unit: str | None = None, limit: int = 10_000) -> list[TicketRow]:
        sql = (
            f"SELECT {_TICKET_COLS} FROM tickets"
            + (f" WHERE {self._holds('units')}" if unit else "")
            + " ORDER BY seq LIMIT ?"
        )
        return [_ticket_row(r) for r in self._all(sql, ((f"|{unit}|",) if unit else ()) + (limit,))]

    def tickets_updated_since(self, since: str) -> list[TicketRow]:
        return [
            _ticket_row(r) for r in self._all(f"SELECT {_TICKET_COLS} FROM tickets WHERE updated_at >= ?", (since,))
        ]

    def clusters(self, since: str, at_least: int) -> list[tuple[str, str, int]]:
        """R25.1 (2): (matter, place, count) of open tickets registered since `since`."""
        return [
            (m, p, int(n))
            for m, p, n in self._all(
                "SELECT matter, place, count(*) FROM tickets WHERE closed = 0 AND registered_at >= ? "
                "GROUP BY matter, place HAVING count(*) >= ?",
                (since, at_least),
            )
        ]

    def cluster_tickets(self, matter: str, place: str) -> list[TicketRow]:
        rows = self._all(
            f"SELECT {_TICKET_COLS} FROM tickets WHERE matter = ? AND place = ? AND closed = 0", (matter, place)
        )
        return [_ticket_row(r) for r in rows]

    def set_overdue(self, ticket_ids: list[str]) -> None:
        self._many("UPDATE tickets SET overdue = 1 WHERE id = ?", [(t,) for t in ticket_ids])

    def credit_marks_of(self, phone: str) -> int:
        """R23.4: the entries of the appellant's credit file over all their tickets (by phone)."""
        row = self._one("SELECT coalesce(sum(credit_marks), 0) FROM tickets WHERE phone = ?", (phone,))
        return int(row[0]) if row else 0

    def lookup(
        self,
        *,
        number: str | None = None,
        phone: str | None = None,
        name: str | None = None,
        address: str | None = None,
        registered_from: str | None = None,
        registered_to: str | None = None,
        open_only: bool = False,
        unit: str | None = None,
        public_only: bool = False,
        limit: int = 20,
    ) -> list[TicketRow]:
        """Issue 11, the centre-wide lookup: the criteria given, combined; newest first.

        `unit` keeps a unit's own tickets; `public_only` leaves out the confidential ones (R26.1: a
        unit must not find who complained about it by their phone, name or address). Name and
        address match as substrings: through the engine's trigram index for three characters or
        more, by a scan in registration order (stopping at `limit`) for one or two. Times are UTC
        ISO text."""
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("number", number), ("phone", phone)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        terms: list[tuple[str, str]] = []
        for column, fragment in (("name", name), ("address", address)):
            if fragment is None:
                continue
            # The columns decide; an index only narrows (a stale index entry cannot add a ticket).
            where.append(f"{column} LIKE ? ESCAPE '\\'")
            args.append("%" + _like_escape(fragment) + "%")
            if len(fragment) >= 3:
                terms.append((column, fragment))
        narrowed = self._text_filter(terms) if terms else None
        if narrowed is not None:
            where.append(narrowed[0])
            args.extend(narrowed[1])
        if registered_from is not None:
            where.append("registered_at >= ?")
            args.append(registered_from)
        if registered_to is not None:
            where.append("registered_at < ?")
            args.append(registered_to)
        if open_only:
            where.append("closed = 0")
        if unit is not None:
            where.append(self._holds("units"))
            args.append(f"|{unit}|")
        if public_only:
            where.append("confidential = 0")
        sql = (
            f"SELECT {_TICKET_COLS} FROM tickets WHERE {' AND '.join(where) or '1 = 1'} "
            "ORDER BY registered_at DESC, id DESC LIMIT ?"
        )
        return [_ticket_row(r) for r in self._all(sql, (*args, limit))]

    # --- sweeps -----------------------------------------------------------------------------
    def marked(self, ticket_id: str, key: str) -> bool:
        return self._one("SELECT 1 FROM sweep_marks WHERE ticket_id = ? AND key = ?", (ticket_id, key)) is not None

    def mark(self, ticket_id: str, key: str, at: datetime) -> None:
        self._exec(
            "INSERT INTO sweep_marks (ticket_id, key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (ticket_id, key, utc(at)),
        )

    # --- knowledge base (R34.1) -------------------------------------------------------------
    _KB_COLS = (
        "id",
        "owner_unit",
        "title",
        "body",
        "tags",
        "review_at",
        "valid_until",
        "version",
        "seq",
        "updated_at",
        "updated_by",
    )

    def _kb(self, r: tuple[Any, ...]) -> dict[str, Any]:
        d = dict(zip(self._KB_COLS, r))
        d["tags"] = json.loads(d["tags"])
        return d

    def kb_article(self, article_id: str) -> dict[str, Any] | None:
        r = self._one(f"SELECT {', '.join(self._KB_COLS)} FROM kb_articles WHERE id = ?", (article_id,))
        return self._kb(r) if r else None

    def put_kb_article(self, row: dict[str, Any]) -> None:
        values = {**row, "tags": json.dumps(row["tags"], ensure_ascii=False)}
        updates = ", ".join(f"{c} = excluded.{c}" for c in self._KB_COLS if c != "id")
        self._exec(
            f"INSERT INTO kb_articles ({', '.join(self._KB_COLS)}) VALUES ({', '.join('?' * len(self._KB_COLS))}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}",
            tuple(values[c] for c in self._KB_COLS),
        )

    def kb_changes(self, after: int, limit: int) -> list[dict[str, Any]]:
        rows = self._all(
            f"SELECT {', '.join(self._KB_COLS)} FROM kb_articles WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
        )
        return [self._kb(r) for r in rows]

    # --- whole tables (hotline server migrate, its checks) ----------------------------------
    def table_rows(self, table: str, after: tuple[Any, ...] | None = None, limit: int = 5000) -> list[tuple[Any, ...]]:
        """Rows of one of `TABLES` in key order, after the key `after`: the copy and the checksums
        of `hotline server migrate` read every table the same way on both engines."""
        cols, key = TABLES[table]
        sql = f"SELECT {', '.join(cols)} FROM {table}"
        args: tuple[Any, ...] = ()
        if after is not None:
            sql += f" WHERE ({', '.join(key)}) > ({', '.join('?' * len(key))})"
            args = tuple(after)
        return [tuple(r) for r in self._all(sql + f" ORDER BY {', '.join(key)} LIMIT ?", (*args, limit))]

    def table_count(self, table: str) -> int:
        row = self._one(f"SELECT count(*) FROM {table}")
        return int(row[0]) if row else 0

    def insert_rows(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Rows in `TABLES[table]` column order; a row already there (same key) is left as it is."""
        cols, _ = TABLES[table]
        self._many(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) ON CONFLICT DO NOTHING",
            rows,
        )


# Every table of the server's database, with its columns and key, in the order a copy writes them.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "meta": (("key", "value"), ("key",)),
    "principals": (
        ("id", "token_hash", "name", "role", "unit", "seat", "created_at", "revoked_at", "staff_no"),
        ("id",),
    ),
    "seats": (("code", "name", "principal_id", "enrolled_at"), ("code",)),
    "events": ((*_EVENT_COLS.split(", "), "pushed_by"), ("seq",)),
    "receipts": (
        ("event_id", "digest", "status", "rule", "reason", "seq", "received_at", "ticket_status"),
        ("event_id",),
    ),
    "tickets": (tuple(c.strip() for c in _TICKET_COLS.split(",")), ("id",)),
    "subscriptions": (("key", "ticket_id"), ("key", "ticket_id")),
    "kb_articles": (Tx._KB_COLS, ("id",)),
    "sweep_marks": (("ticket_id", "key", "at"), ("ticket_id", "key")),
    # issue 15, R37.1: the public page's typical cases (schema _006; server_stub/public/cases.py)
    "public_cases": (
        (
            "id",
            "ticket_id",
            "matter",
            "place",
            "registered_at",
            "title",
            "redacted",
            "text",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "reason",
            "edited",
        ),
        ("id",),
    ),
    "risk_decisions": (
        ("warning_id", "decision", "reason", "actor", "role", "principal_id", "decided_at", "window_day", "warning"),
        ("warning_id",),
    ),
}


class AuditLog(Protocol):
    """The read audit (R33.1): who read which ticket's personal data, when and why."""

    def append(self, rows: list[dict[str, Any]]) -> None: ...

    def rows(self, ticket_id: str | None, limit: int) -> list[dict[str, Any]]: ...


AUDIT_COLUMNS = ("id", "at", "principal_id", "role", "ticket_id", "number", "purpose", "endpoint")


class Storage(ABC):
    """The server's database, either engine. `Storage.open(target)` makes and migrates it."""

    engine: str
    audit: Any  # an AuditLog (plus the engine's extras: the SQLite one has its `.path`)
    # True when a query waits on the network (PostgreSQL): the async token check then runs in the
    # threadpool, so that no request waits on the event loop behind another's round trip. SQLite's
    # in-process read (~40 µs) stays on the loop, cheaper than the hop.
    blocking: bool = False
    # Tokens' principals remembered between requests (principal_cache.py). This shared one is never
    # live: an engine whose token check is a round trip gives itself one that its changes reach.
    token_cache: PrincipalCache = PrincipalCache()

    @staticmethod
    def open(target: str | Path, **options: Any) -> Storage:
        """A `postgresql://` (or `postgres://`) URL opens PostgreSQL; anything else is a SQLite file."""
        if is_postgres(target):
            from .pg import PgStorage  # psycopg and its pool only for a PostgreSQL server

            return PgStorage.open(str(target), **options)
        from .storage_sqlite import SqliteStorage  # a cycle: storage_sqlite builds on this module

        return SqliteStorage.open(Path(target))

    @abstractmethod
    def read(self) -> AbstractContextManager[Tx]:
        """A context manager: a consistent snapshot, as a `Tx`."""

    @abstractmethod
    def write(self) -> AbstractContextManager[Tx]:
        """A context manager: one durable write transaction, as a `Tx`; writers run one at a time."""

    def read_one(self) -> AbstractContextManager[Tx]:
        """A context manager for a read of one statement, which needs no snapshot: on PostgreSQL
        it saves the BEGIN and ROLLBACK round trips (the token check of every request)."""
        return self.read()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold the lock called `name` against every process using this database (the sweep: it
        runs once however many server processes there are). One process: a lock in the process."""
        yield

    def close(self) -> None:  # noqa: B027 - an optional hook: engines with a pool override it
        """Release connections (the SQLite engine keeps none worth closing)."""

    def dump(self) -> str:
        """Every stored row of every table, as text, on either engine: for checks that something
        (a token, a claim, a caller's words) is stored nowhere. Small databases only."""
        with self.read() as tx:
            rows = [f"{t}: {r!r}" for t in TABLES for r in tx.table_rows(t, limit=1_000_000_000)]
        return "\n".join(rows + [f"audit: {r!r}" for r in self.audit.rows(None, 1_000_000_000)])

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def describe(target: str | Path) -> str:
    """`target` for a message or a log: a URL without its password."""
    if not is_postgres(target):
        return str(target)
    parts = urlsplit(str(target))
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
