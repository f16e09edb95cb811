"""Asterisk Manager Interface framing.

On connect Asterisk sends one banner line, `Asterisk Call Manager/<version>`. After that every
message, in either direction, is `Key: Value` lines ending in CRLF and closed by an empty line.
A message with `Response:` answers the action whose `ActionID` it repeats; one with `Event:` is an
event (list actions answer with events carrying their ActionID, closed by `EventList: Complete`).
"""

from __future__ import annotations

import asyncio

BANNER = "Asterisk Call Manager/"
MAX_LINES = 10_000


async def read_banner(reader: asyncio.StreamReader) -> str:
    line = (await reader.readline()).decode("utf-8", "replace").strip()
    if not line.startswith(BANNER):
        raise ValueError(f"not an AMI banner: {line[:60]!r}")
    return line


async def read_message(reader: asyncio.StreamReader) -> dict[str, str] | None:
    """The next message, or None when Asterisk closed the connection between messages."""
    msg: dict[str, str] = {}
    for _ in range(MAX_LINES):
        raw = await reader.readline()
        if not raw:
            if msg:
                raise asyncio.IncompleteReadError(b"", None)
            return None
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if msg:
                return msg
            continue
        key, sep, value = line.partition(":")
        if sep:
            key = key.strip()
            # A key may repeat (ChanVariable, Variable): keep them all, comma-joined.
            msg[key] = f"{msg[key]},{value.strip()}" if key in msg else value.strip()
        else:
            msg["_output"] = (msg.get("_output", "") + "\n" + line).lstrip("\n")
    raise ValueError("AMI message too long")


def action(name: str, action_id: str, **fields: str | list[str] | None) -> bytes:
    """An action on the wire. A list value repeats its key (several `Variable:` lines)."""
    lines = [f"Action: {name}", f"ActionID: {action_id}"]
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            if v is None:
                continue
            if "\r" in str(v) or "\n" in str(v):
                raise ValueError(f"AMI field {key} must not contain a line break")
            lines.append(f"{key}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
