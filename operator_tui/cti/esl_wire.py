"""FreeSWITCH Event Socket framing (mod_event_socket, inbound mode).

A message is header lines `Name: value` ending in an empty line; a `Content-Length` header means a
body of that many bytes follows. Event bodies are either `text/event-plain` (header lines whose
values are URL-encoded, then an optional body after an empty line) or `text/event-json` (one JSON
object; an event's own body is under `_body`). Commands are one line (plus optional header lines,
e.g. `Job-UUID` for `bgapi`) ending in an empty line.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from urllib.parse import unquote

MAX_BODY = 16 * 1024 * 1024  # a `show channels` on a busy switch is large, but not this large


@dataclass
class EslMessage:
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


async def read_message(reader: asyncio.StreamReader) -> EslMessage | None:
    """The next message, or None when the switch closed the connection between messages."""
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if not line:
            if headers:
                raise asyncio.IncompleteReadError(b"", None)
            return None
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if not text:
            if headers:
                break
            continue  # blank lines between messages are allowed
        name, _, value = text.partition(":")
        headers[name.strip()] = value.strip()
    body = b""
    if "Content-Length" in headers:
        length = int(headers["Content-Length"])
        if not 0 <= length <= MAX_BODY:
            raise ValueError(f"ESL Content-Length {length} out of range")
        body = await reader.readexactly(length)
    return EslMessage(headers, body.decode("utf-8", "replace"))


def parse_event(msg: EslMessage) -> dict[str, str]:
    """The event's fields (values as strings) from a plain or JSON event message."""
    if msg.content_type == "text/event-json":
        data = json.loads(msg.body)
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
    head, _, rest = msg.body.partition("\n\n")
    fields: dict[str, str] = {}
    for line in head.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = unquote(value.strip())
    if "Content-Length" in fields:
        fields["_body"] = rest.encode("utf-8")[: int(fields["Content-Length"])].decode("utf-8", "replace")
    return fields


def command(line: str, **headers: str) -> bytes:
    """A command on the wire: the line, any `Name: value` headers, then the empty line."""
    if "\n" in line or any("\n" in v for v in headers.values()):
        raise ValueError("ESL command lines must not contain newlines")
    extra = "".join(f"{k.replace('_', '-')}: {v}\n" for k, v in headers.items())
    return f"{line}\n{extra}\n".encode()
