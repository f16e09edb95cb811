"""Change-feed cursors: `<epoch>-<seq>`, opaque to the client.

The epoch is random per database, so a cursor from another server, or from before a restore of an
older backup (a sequence number the server has not reached), is *unknown*: 410, and the seat starts
again from the beginning (ARCHITECTURE "Sync protocol", 3).
"""

from __future__ import annotations

from fastapi import HTTPException, status

GONE = (
    "unknown cursor: this server does not know where it points (its data was replaced or restored "
    "from a backup); pull again from the start with an empty 'since'"
)


def make(epoch: str, seq: int) -> str:
    return f"{epoch}-{seq}"


def parse(since: str, epoch: str, last: int) -> int:
    """The sequence number after which to read; raises 410 for a cursor this server never gave."""
    if not since:
        return 0
    head, _, tail = since.partition("-")
    # isascii() too: str.isdigit() accepts '²' and '١', which int() refuses (a 500, not a 410).
    if head != epoch or not (tail.isascii() and tail.isdigit()) or len(tail) > 19 or int(tail) > last:
        raise HTTPException(status.HTTP_410_GONE, GONE)
    return int(tail)
