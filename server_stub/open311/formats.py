"""GeoReport v2's two wire formats, with the specification's element names.

JSON is a list of objects (`[{...}]`) for services, requests, tokens and errors, and one object for
a service definition. XML wraps the same in `<services><service>`, `<service_requests><request>`,
`<service_definition>` with `<attributes><attribute><values><value>`, and errors in
`<errors><error><code/><description/></error></errors>`. A field without a value is an empty element
in XML and absent in JSON (`lat`/`long` are never sent: the hotline does not publish locations).
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi.responses import Response

from operator_tui.domain.errors import BadInput

FORMATS = ("json", "xml")
# What a list's items are called in XML, by the list's own element name.
_ITEM = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}


class Open311Error(BadInput):
    """An answer in the specification's error body: `[{"code": 404, "description": "..."}]`."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, f"unknown format '.{fmt[:20]}': use .json or .xml")
    return fmt


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(parent: Element, tag: str, value: Any) -> None:
    if isinstance(value, list):
        holder = SubElement(parent, tag)
        for item in value:
            _fill(holder, _ITEM.get(tag, "item"), item)
    elif isinstance(value, dict):
        node = SubElement(parent, tag)
        for k, v in value.items():
            _fill(node, k, v)
    else:
        SubElement(parent, tag).text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    holder = Element("holder")
    _fill(holder, root, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(holder[0], encoding="unicode").encode()


def _compact(value: Any) -> Any:
    """JSON leaves out fields that have no value."""
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    return value


def render(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status, media_type="text/xml; charset=utf-8")
    body = json.dumps(_compact(value), ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode(), status_code=status, media_type="application/json; charset=utf-8")


def error(fmt: str, exc: Open311Error) -> Response:
    return render(
        fmt if fmt in FORMATS else "json",
        "errors",
        [{"code": exc.code, "description": exc.description}],
        status=exc.code,
    )
