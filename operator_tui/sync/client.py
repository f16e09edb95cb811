"""The HTTP side of sync: one method per `/v1` call the seat makes, over an injected `httpx.Client`
(the real one, or Starlette's `TestClient`, which is one, so the real server is tested in-process).

Each request is retried with capped exponential backoff and jitter on transport errors, 5xx, 408
and 429 — safe for every call here: reads are reads, and pushes and actions carry their own
idempotency keys (event ULIDs). Every answer's `Date` header updates the seat's clock offset.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter
from ulid import ULID

from ..clock import utc_now
from ..contract import (
    ActionPublic,
    ChangesPublic,
    IdConflictPublic,
    KbChangesPublic,
    PrincipalPublic,
    PushPublic,
    TicketDetail,
    TicketPublic,
)
from ..lookup_wire import LookupPublic
from .backoff import Backoff, retryable
from .errors import AuthRejected, CursorGone, Offline, ProtocolError, ServerNotTrusted

SKEW_LIMIT = timedelta(minutes=2)
M = TypeVar("M", bound=BaseModel)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and "detail" in body:
        d = body["detail"]
        return d if isinstance(d, str) else json.dumps(d, ensure_ascii=False)[:300]
    return str(body)[:300]


def _rule(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("rule") if isinstance(body, dict) else None


def _parse(model: type[M], response: httpx.Response) -> M:
    """The answer as `model`; an answer that is not one (a broken proxy, a wrong server) is a
    ProtocolError like any other unexpected answer, never a crash of the sync."""
    try:
        return model.model_validate_json(response.content)
    except ValueError as exc:
        raise ProtocolError(response.status_code, f"unexpected answer from the server: {str(exc)[:200]}") from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


_TICKETS = TypeAdapter(list[TicketPublic])


def http_client(base_url: str, *, timeout: float, ca_file: str | None = None) -> httpx.Client:
    """The seat's connection to its server. Over https the server's certificate is verified
    against the system's CAs (what the operating system trusts, not a bundle shipped with a
    library) or, with `ca_file` (`--ca-file`, HOTLINE_CA_FILE), against the centre's own CA only."""
    verify: Any = True
    if base_url.startswith("https://") or ca_file:
        import ssl

        verify = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
    return httpx.Client(base_url=base_url, timeout=timeout, verify=verify)


def _untrusted(exc: BaseException) -> str | None:
    """The reason, when a connection failed because the server's certificate was not trusted."""
    import ssl

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    return text if "CERTIFICATE_VERIFY_FAILED" in text else None


class HotlineClient:
    def __init__(
        self,
        http: httpx.Client,
        token: str | None,
        *,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.http = http
        self.token = token
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.clock = clock
        self.clock_offset: timedelta | None = None  # server clock minus seat clock, from `Date`
        self.retries = 0  # retries made, for status and tests

    @property
    def skewed(self) -> bool:
        return self.clock_offset is not None and abs(self.clock_offset) > SKEW_LIMIT

    # --- transport ----------------------------------------------------------------------------
    def _observe_clock(self, response: httpx.Response, sent: datetime, received: datetime) -> None:
        date = response.headers.get("date")
        if not date:
            return
        try:
            server = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            return
        # `Date` has whole seconds; the midpoint of the round trip is the best local match.
        self.clock_offset = server - (sent + (received - sent) / 2)

    def request(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body_factory = kwargs.pop("body_factory", None)
        last = "no answer"
        for attempt in range(self.backoff.attempts):
            if attempt:
                self.retries += 1
            sent = self.clock()
            try:
                extra = {"content": body_factory()} if body_factory else {}
                response = self.http.request(method, path, headers=headers, **extra, **kwargs)
            except httpx.TransportError as exc:
                reason = _untrusted(exc)
                if reason is not None:  # retrying cannot help, and it is not an outage
                    raise ServerNotTrusted(
                        f"the server's certificate is not trusted ({reason}): check the server "
                        "address, or give the centre's CA with --ca-file / HOTLINE_CA_FILE"
                    ) from None
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                retry_after = None
            else:
                self._observe_clock(response, sent, self.clock())
                status = response.status_code
                if status in ok:
                    return response
                if status == 401:
                    raise AuthRejected(f"the server does not accept this token (HTTP 401): {_detail(response)}")
                if status == 403:
                    raise AuthRejected(f"this token may not do that (HTTP 403): {_detail(response)}")
                if status == 410:
                    raise CursorGone(_detail(response))
                if not retryable(status):
                    raise ProtocolError(status, _detail(response), _rule(response))
                last = f"HTTP {status}: {_detail(response)}"
                retry_after = _retry_after(response)
            if attempt + 1 < self.backoff.attempts:
                self.sleep(self.backoff.delay(attempt, retry_after))
        raise Offline(f"server unreachable after {self.backoff.attempts} tries: {last}")

    # --- calls ---------------------------------------------------------------------------------
    def push(self, bodies: list[bytes]) -> PushPublic | IdConflictPublic:
        """POST /v1/events with the outbox rows' frozen bytes, unchanged; `sent_at` is stamped per
        try so the server can correct a skewed seat clock."""

        def body() -> bytes:
            sent_at = json.dumps(self.clock().isoformat())
            return b'{"sent_at":' + sent_at.encode() + b',"events":[' + b",".join(bodies) + b"]}"

        r = self.request(
            "POST", "/v1/events", ok=(200, 409), body_factory=body, headers={"Content-Type": "application/json"}
        )
        if r.status_code == 409:
            return _parse(IdConflictPublic, r)
        return _parse(PushPublic, r)

    def changes(self, since: str, limit: int) -> ChangesPublic:
        return _parse(ChangesPublic, self.request("GET", "/v1/changes", params={"since": since, "limit": limit}))

    def kb_changes(self, since: str, limit: int) -> KbChangesPublic:
        return _parse(KbChangesPublic, self.request("GET", "/v1/kb/changes", params={"since": since, "limit": limit}))

    def search(
        self, *, number: str | None = None, phone: str | None = None, purpose: str = "来电查询"
    ) -> list[TicketPublic]:
        """R10.1: find a ticket on the server by number or caller's phone."""
        body = {k: v for k, v in {"number": number, "phone": phone, "purpose": purpose}.items() if v is not None}
        r = self.request("POST", "/v1/tickets/search", json=body)
        try:
            return _TICKETS.validate_json(r.content)
        except ValueError as exc:
            raise ProtocolError(r.status_code, f"unexpected answer from the server: {str(exc)[:200]}") from None

    def ticket(self, number: str, purpose: str = "查看办理单") -> TicketDetail:
        return _parse(TicketDetail, self.request("GET", f"/v1/tickets/{number}", params={"purpose": purpose}))

    def act(self, number: str, kind: str, payload: dict[str, Any], event_id: str | None = None) -> ActionPublic:
        """A unit's or supervisor's action; a refusal raises ProtocolError(422) naming the rule.
        The event id is made here when not given, so the retries below cannot act twice."""
        body: dict[str, Any] = {"payload": payload, "id": event_id or str(ULID.from_datetime(self.clock()))}
        return _parse(ActionPublic, self.request("POST", f"/v1/tickets/{number}/actions/{kind}", json=body))

    def me(self) -> PrincipalPublic:
        return _parse(PrincipalPublic, self.request("GET", "/v1/me"))

    # --- the centre-wide lookup (issue 11) ------------------------------------------------------
    # The screen pop must not wait for a dead server: one try, a short timeout, and the caller
    # falls back to the seat's own records on Offline. (A pull can afford the patient retries.)
    LOOKUP_TIMEOUT = 2.0

    def _once(self) -> HotlineClient:
        import copy
        import dataclasses

        quick = copy.copy(self)
        quick.backoff = dataclasses.replace(self.backoff, attempts=1)
        return quick

    def lookup(self, criteria: dict[str, Any], timeout: float | None = None) -> LookupPublic:
        """POST /v1/lookup (`lookup_wire.LookupIn` as a dict): tickets across the centre."""
        r = self._once().request("POST", "/v1/lookup", json=criteria, timeout=timeout or self.LOOKUP_TIMEOUT)
        return _parse(LookupPublic, r)

    def ticket_quick(self, number: str, purpose: str = "查看办理单", timeout: float | None = None) -> TicketDetail:
        """GET /v1/tickets/{number}, one try with the lookup's timeout (opening a ticket from F4/F10)."""
        r = self._once().request(
            "GET", f"/v1/tickets/{number}", params={"purpose": purpose}, timeout=timeout or self.LOOKUP_TIMEOUT
        )
        return _parse(TicketDetail, r)
