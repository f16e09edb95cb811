"""The sync client's errors; where each sits in the project's one tree (and so how the CLI and
the seat answer it) is drawn in operator_tui/domain/errors.py.

- SyncError: a sync could not complete (Unavailable).
- Offline: the server could not be reached, or kept answering 5xx/408/429, after the retries; the
  outbox keeps everything and the next sync tries again.
- AuthRejected: 401/403: the token is missing, unknown, or may not do this (Misconfigured).
- ServerNotTrusted: https: the server's certificate did not verify (system CAs or --ca-file).
- CursorGone: 410: the server does not know the seat's cursor; the service resyncs.
- SeatMismatch: the token belongs to another seat than the one this database numbers for; nothing
  is pushed (the server would refuse every new ticket, R18.1).
- ProtocolError: any other answer the client did not expect (status and the server's detail; Refused).
"""

from __future__ import annotations

from ..domain.errors import Misconfigured, Refused, Unavailable


class SyncError(Unavailable):
    """Something kept a sync from completing; the message is one line a person can act on."""


class Offline(SyncError):
    pass


class AuthRejected(Misconfigured, SyncError):
    pass


class ServerNotTrusted(Misconfigured, SyncError):
    pass


class CursorGone(SyncError):
    pass


class SeatMismatch(Misconfigured, SyncError):
    pass


class ProtocolError(Refused, SyncError):
    def __init__(self, status: int, detail: str, rule: str | None = None):
        super().__init__(f"HTTP {status}: {rule + ': ' if rule else ''}{detail}")
        self.status = status
        self.detail = detail
        self.rule = rule  # the regulation rule a refused action broke, when the server names one
