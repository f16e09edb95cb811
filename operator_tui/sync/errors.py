"""The sync client's errors, one tree:

    SyncError
    ├── Offline         the server could not be reached, or kept answering 5xx/408/429, after the
    │                   retries; the outbox keeps everything and the next sync tries again
    ├── AuthRejected    401/403: the token is missing, unknown, or may not do this
    ├── ServerNotTrusted  https: the server's certificate did not verify (system CAs or --ca-file)
    ├── CursorGone      410: the server does not know the seat's cursor; the service resyncs
    ├── SeatMismatch    the token belongs to another seat than the one this database numbers for;
    │                   nothing is pushed (the server would refuse every new ticket, R18.1)
    └── ProtocolError   any other answer the client did not expect (status and the server's detail)
"""

from __future__ import annotations


class SyncError(Exception):
    """Something kept a sync from completing; the message is one line a person can act on."""


class Offline(SyncError):
    pass


class AuthRejected(SyncError):
    pass


class ServerNotTrusted(SyncError):
    pass


class CursorGone(SyncError):
    pass


class SeatMismatch(SyncError):
    pass


class ProtocolError(SyncError):
    def __init__(self, status: int, detail: str, rule: str | None = None):
        super().__init__(f"HTTP {status}: {rule + ': ' if rule else ''}{detail}")
        self.status = status
        self.detail = detail
        self.rule = rule  # the regulation rule a refused action broke, when the server names one
