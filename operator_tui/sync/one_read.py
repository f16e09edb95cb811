"""One short request to the server for a screen that shows what it answers (the 三率 and 风险预警
screens): one try, no retries, and every failure turned into the one Chinese line the screen shows.

The screen's worker must not sit in retries, and the supervisor must read why nothing came: the
network (离线), the server's own trouble (a 5xx, said as such), a token that may not do this, or the
server's refusal in its own words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import Unavailable
from .errors import AuthRejected, Offline, ProtocolError, SyncError

if TYPE_CHECKING:
    from .client import HotlineClient


def read_json(
    client: HotlineClient | None,
    method: str,
    path: str,
    *,
    timeout: float,
    error: type[Unavailable],
    offline: str,
    busy: str,
    denied: str,
    **kwargs: Any,
) -> dict:
    """The server's JSON object for ``method path``; else ``error`` with one line: ``offline``
    (no server, or the network), ``busy（HTTP 5xx …）``, ``denied：<the server's detail>`` (401/403),
    ``服务器拒绝：<detail>`` (any other refusal)."""
    if client is None:
        raise error(offline)
    try:
        r = client._once().request(method, path, timeout=timeout, **kwargs)
    except Offline as exc:
        # An answer that was a 5xx is the server's trouble, not the network's: say which.
        answer = str(exc).partition("tries: ")[2]
        if answer.startswith("HTTP "):
            raise error(f"{busy}（{answer}）") from None
        raise error(offline) from None
    except AuthRejected as exc:
        # AuthRejected reads "this token may not do that (HTTP 403): <the server's detail>"
        raise error(f"{denied}：{str(exc).split('): ', 1)[-1]}") from None
    except ProtocolError as exc:
        raise error(f"服务器拒绝：{exc.detail}") from None
    except SyncError as exc:
        raise error(f"{offline}（{exc}）") from None
    try:
        body = r.json()
    except ValueError:
        raise error("服务器的回答无法读取（不是 JSON）") from None
    if not isinstance(body, dict):
        raise error("服务器的回答无法读取")
    return body
