"""Suggest the handling units of a ticket: 属事 (by matter) and 属地 (by place), R20.4 for 信访.

A suggestion only: the operator can override it; the workflow checks what is finally dispatched.
"""

from __future__ import annotations

from dataclasses import dataclass

from .taxonomy import Taxonomy


@dataclass(frozen=True)
class Suggestion:
    lead_unit: str | None
    co_units: tuple[str, ...]


def suggest_units(taxonomy: Taxonomy, matter: str | None, place: str | None, scope: int | None = None) -> Suggestion:
    m = taxonomy.matters.get(matter or "")
    units: list[str] = list(m.units) if m else []
    local = taxonomy.district_government(place) if place and (m is None or m.local or not units) else None
    if local:
        units.append(local)
    if scope is None and m is not None:
        scope = m.scope
    if scope is not None and taxonomy.is_petition(scope):
        units.append(taxonomy.petition_unit)
    units = list(dict.fromkeys(units))
    if not units:
        return Suggestion(None, ())
    return Suggestion(units[0], tuple(units[1:]))
