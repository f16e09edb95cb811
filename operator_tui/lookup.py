"""The caller's history, find and 催办 candidates across the whole centre (issue 11; R13.1, R10.1).

Online, the server answers (`POST /v1/lookup`: every seat's tickets, masked and audited there) and
the seat's own unsynced tickets are merged in: a ticket whose events are still in the outbox is
shown as this seat has it, since the server does not know that state yet. Offline — no server
configured, `--offline`, or the server not answering within a short timeout — the local store
answers and `Lookup.note` says plainly that the view may be incomplete.

Each row says where it came from (`source`). No UI here: the screens call this from thread
workers, the CLI calls it directly. Nothing here logs what a caller said or who they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .domain.deadlines import running_clock
from .domain.errors import RuleViolation
from .domain.model import STATUS_NAMES, Status, Ticket
from .domain.validation import normalise_phone
from .store import sync_state, tickets

if TYPE_CHECKING:
    from .config import Rules
    from .contract import TicketDetail
    from .lookup_wire import TicketSummary
    from .store.db import Store
    from .sync.client import HotlineClient

CENTRE = "中心"  # the server's copy: recorded at any seat
UNSYNCED = "本机未同步"  # this seat's, with events the server has not received yet
LOCAL = "本机"  # this seat's copy, shown while offline
OFFLINE_NOTE = "离线：仅本机记录"


@dataclass(frozen=True)
class Criteria:
    """What to look for: the fields of `lookup_wire.LookupIn`, combined. Times are aware."""

    number: str | None = None
    phone: str | None = None  # normalised (digits only)
    name: str | None = None
    address: str | None = None
    registered_from: datetime | None = None
    registered_to: datetime | None = None
    open_only: bool = False
    limit: int = 20
    detail: bool = False  # rows carry the whole ticket (the CLI's --json)

    def wire(self, purpose: str) -> dict[str, Any]:
        """The request body, validated here first so a mistake is the operator's message, not a 422."""
        from .lookup_wire import LookupIn

        body = {
            "number": self.number,
            "phone": self.phone,
            "name": self.name,
            "address": self.address,
            "registered_from": self.registered_from,
            "registered_to": self.registered_to,
            "open_only": self.open_only,
            "purpose": purpose,
            "limit": self.limit,
            "detail": self.detail,
        }
        return LookupIn.model_validate({k: v for k, v in body.items() if v is not None}).model_dump(
            mode="json", exclude_none=True, exclude_defaults=False
        )


@dataclass(frozen=True)
class HistoryRow:
    """One ticket in a list: the screen pop, F4's results, F10's choices."""

    id: str
    number: str
    seat: str
    status: Status
    appeal_type: str
    matter: str
    place: str
    registered_at: datetime
    due_at: datetime | None
    units: tuple[str, ...]
    name: str
    address: str
    vulnerable: tuple[str, ...]
    credit_marks: int
    source: str
    masked: bool = False
    ticket: Ticket | None = None  # local rows always; the server's with `Criteria.detail`

    @property
    def closed(self) -> bool:
        return self.status.closed

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def remote(self) -> bool:
        """Held only on the server: open it or act on it through `CentreLookup.ensure_local`."""
        return self.source == CENTRE


@dataclass(frozen=True)
class Lookup:
    rows: list[HistoryRow] = field(default_factory=list)
    online: bool = False
    note: str | None = None  # shown beside the rows: why the view may be partial
    more: bool = False  # the limit was reached
    credit_total: int | None = None  # the centre's count over all the caller's tickets, when it gave one

    @property
    def credit_marks(self) -> int:  # R23.4: the appellant's, across tickets and seats
        return self.credit_total if self.credit_total is not None else sum(r.credit_marks for r in self.rows)

    @property
    def vulnerable(self) -> tuple[str, ...]:  # R9.1
        return tuple(sorted({v for r in self.rows for v in r.vulnerable}))

    @property
    def open_rows(self) -> list[HistoryRow]:
        return [r for r in self.rows if not r.closed]


def _from_summary(s: TicketSummary) -> HistoryRow:
    return HistoryRow(
        id=s.id,
        number=s.number,
        seat=s.seat,
        status=s.status,
        appeal_type=s.appeal_type,
        matter=s.matter,
        place=s.place,
        registered_at=s.registered_at,
        due_at=s.due_at,
        units=tuple(s.units),
        name=s.name,
        address=s.address,
        vulnerable=tuple(s.vulnerable),
        credit_marks=s.credit_marks,
        source=CENTRE,
        masked=s.masked,
        ticket=s.ticket.ticket if s.ticket else None,
    )


def _from_ticket(t: Ticket, due_at: datetime | None, source: str) -> HistoryRow:
    return HistoryRow(
        id=t.id,
        number=t.number,
        seat=t.seat,
        status=t.status,
        appeal_type=t.appeal_type,
        matter=t.matter,
        place=t.place,
        registered_at=t.registered_at,
        due_at=due_at,
        units=t.units,
        name=t.appellant.name,
        address=t.appellant.address,
        vulnerable=t.appellant.vulnerable,
        credit_marks=len(t.credit_marks),
        source=source,
        ticket=t,
    )


class CentreLookup:
    """`client` is None when the seat has no server or runs `--offline`."""

    def __init__(self, store: Store, client: HotlineClient | None):
        self.store = store
        self.client = client

    @classmethod
    def of(cls, store: Store, sync: Any, offline: bool = False) -> CentreLookup:
        """From a seat's context: `sync` is its SyncService (or None)."""
        return cls(store, None if offline or sync is None else sync.client)

    # --- questions -------------------------------------------------------------------------
    def history(self, phone: str, limit: int = 20) -> Lookup:
        """R13.1 screen pop: the caller's tickets at every seat, newest first."""
        return self.find(Criteria(phone=phone, limit=limit), purpose="来电弹屏")

    def open_tickets(self, phone: str, limit: int = 50) -> Lookup:
        """R13.1 催办: every open ticket of the caller across the centre."""
        return self.find(Criteria(phone=phone, open_only=True, limit=limit), purpose="催办")

    def find(self, c: Criteria, purpose: str = "查询办理单") -> Lookup:
        """R10.1: the criteria across the centre, or in the local store when offline."""
        from .sync.errors import SyncError

        if self.client is None:
            return self._local(c, OFFLINE_NOTE)
        body = c.wire(purpose)  # a ValueError here is the caller's to show
        try:
            answer = self.client.lookup(body)
        except SyncError as exc:
            return self._local(c, f"{OFFLINE_NOTE}（{_why(exc)}）")
        with self.store.connect() as db:
            own = tickets.lookup(db, **_local_args(c), unsynced_only=True, limit=c.limit)
        rows = {s.id: _from_summary(s) for s in answer.tickets}
        # The seat's newer state wins; the centre's credit count is corrected by what it changes.
        credit = answer.credit_marks
        for t, due in own:
            if credit is not None:
                credit += len(t.credit_marks) - (rows[t.id].credit_marks if t.id in rows else 0)
            rows[t.id] = _from_ticket(t, due, UNSYNCED)
        merged = sorted(rows.values(), key=lambda r: (r.registered_at, r.id), reverse=True)
        return Lookup(merged[: c.limit], online=True, more=answer.more or len(merged) > c.limit, credit_total=credit)

    def _local(self, c: Criteria, note: str) -> Lookup:
        with self.store.connect() as db:
            found = tickets.lookup(db, **_local_args(c), limit=c.limit + 1)
            rows = [_from_ticket(t, due, UNSYNCED if tickets.unsynced(db, t.id) else LOCAL) for t, due in found]
        return Lookup(rows[: c.limit], online=False, note=note, more=len(rows) > c.limit)

    # --- a ticket from another seat ------------------------------------------------------------
    def detail(self, number: str, purpose: str = "查看办理单") -> TicketDetail:
        """The server's ticket with its whole history (GET /v1/tickets/{number}); raises SyncError."""
        if self.client is None:
            from .sync.errors import Offline

            raise Offline(OFFLINE_NOTE)
        return self.client.ticket_quick(number, purpose)

    def ensure_local(self, number: str, rules: Rules, now: datetime, purpose: str = "办理单补记") -> Ticket:
        """The ticket in the local store, so `Desk.record` can act on it and the event goes out
        through the outbox. Fetched from the server and stored as the server's projection (with its
        events) unless this seat holds newer, unsynced events for it; offline, the local copy if
        any. Raises TicketNotFound (not found anywhere), RuleViolation R18.1 (its number is held here by
        another ticket) or SyncError (server needed and not reached)."""
        from .desk import TicketNotFound
        from .sync.errors import ProtocolError, SyncError

        with self.store.connect() as db:
            mine = tickets.by_number(db, number)
            pending = mine is not None and tickets.unsynced(db, mine.id)
        if mine is not None and (pending or self.client is None):  # pending implies mine
            return mine
        try:
            d = self.detail(number, purpose)
        except ProtocolError as exc:
            if exc.status == 404 and mine is None:
                raise TicketNotFound(f"服务器上没有受理编号为 {number} 的办理单") from None
            if mine is not None:
                return mine
            raise
        except SyncError:
            if mine is not None:
                return mine
            raise
        ticket = d.ticket.ticket
        clock = running_clock(ticket, now, rules.clocks, rules.taxonomy)
        with self.store.transaction() as db:
            sync_state.add_server_events(db, [(e.to_domain(), e.received_at) for e in d.events])
            problem = sync_state.put_server_ticket(db, ticket, clock, now)
        if problem:
            raise RuleViolation("R18.1", problem)
        return ticket


def _local_args(c: Criteria) -> dict[str, Any]:
    return {
        "number": c.number,
        "phone": c.phone,
        "name": c.name,
        "address": c.address,
        "registered_from": c.registered_from,
        "registered_to": c.registered_to,
        "open_only": c.open_only,
    }


def _why(exc: Exception) -> str:
    from .sync.errors import AuthRejected

    return "服务器拒绝了查询" if isinstance(exc, AuthRejected) else "服务器未连通"


def parse_query(text: str) -> Criteria | None:
    """F4's one-line query: a 受理编号 (digits, not a phone), or a phone number; None otherwise
    (then the screen asks for a name or address)."""
    q = text.strip().replace(" ", "")
    if not q:
        return None
    phone = normalise_phone(q)
    if q.isdigit() and len(q) == 13 and phone is None:
        return Criteria(number=q)
    if phone:
        return Criteria(phone=phone)
    if q.isdigit():
        return Criteria(number=q)
    return None
