"""Standard phrases (规范用语, R19.2) filled in from the ticket's own fields."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .taxonomy import Taxonomy


@dataclass(frozen=True)
class Phrases:
    templates: Mapping[str, str]
    advice: Mapping[str, str]
    advice_names: Mapping[str, str]


def parse_phrases(text: str, source: str) -> Phrases:
    doc = tomllib.loads(text)
    missing = [
        k for k in ("greeting", "verification", "readback", "closing", "closing_no_number", "link_call") if k not in doc
    ]
    if missing:
        raise ValueError(f"{source}: missing phrase(s): {', '.join(missing)}")
    return Phrases(
        {k: v for k, v in doc.items() if isinstance(v, str)}, doc.get("advice", {}), doc.get("advice_names", {})
    )


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "____"


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{name}` slots; a slot with no value reads as ____ so the operator sees the gap."""
    return template.format_map(_Blank({k: v for k, v in values.items() if v not in (None, "")}))


def form_values(form: Mapping[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """The read-back's slots from a form (codes turned into names)."""
    who = form.get("appellant") or {}
    names = {
        "place": taxonomy.places.get(form.get("place") or ""),
        "matter": taxonomy.matters.get(form.get("matter") or ""),
        "appeal_type": taxonomy.appeal_types.get(form.get("appeal_type") or ""),
    }
    return {
        "name": who.get("name"),
        "phone": who.get("phone"),
        "address": who.get("address"),
        "description": (form.get("description") or "").strip(),
        **{k: (v.name if v else None) for k, v in names.items()},
    }
