"""Taxonomies as data (R2.1, R2.2, R6.1, R6.2, R9.1, places, units, matters).

`parse_taxonomy` takes the *text* of each data file and its name, so that every error can name the
file and the entry, and so that the domain never opens a file. Loading happens once, in
`operator_tui.config`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Misconfigured
from .policy import LIMIT_UNITS, Limit


class TaxonomyError(Misconfigured, ValueError):
    """A data file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Item:
    code: str
    name: str


@dataclass(frozen=True)
class AppealType(Item):
    confidential: bool = False  # R26.1: 投诉 and 举报


@dataclass(frozen=True)
class Channel(Item):
    written: bool = False  # R20.7: arrives in writing and keeps its submission time
    transfer: bool = False  # R28.2: transferred in from another platform or channel, with its reference


@dataclass(frozen=True)
class Scope:
    code: int
    name: str
    petition: bool = False  # R20.4


@dataclass(frozen=True)
class Unit(Item):
    kind: str = "department"
    place: str | None = None  # for district governments: the place they answer for (属地)
    government: bool = False  # R20.4: a city or district government (may lead a 信访 ticket)


@dataclass(frozen=True)
class Matter(Item):
    scope: int = 10
    units: tuple[str, ...] = ()
    local: bool = False
    limit: Limit | None = None


@dataclass(frozen=True)
class Place(Item):
    kind: str = "district"
    parent: str | None = None  # streets point to their district


UNIT_KINDS = ("department", "district", "utility", "petition", "community", "office")


@dataclass(frozen=True)
class Taxonomy:
    appeal_types: Mapping[str, AppealType]
    appellant_kinds: Mapping[str, Item]
    vulnerable_groups: Mapping[str, Item]
    scopes: Mapping[int, Scope]
    channels: Mapping[str, Channel]
    units: Mapping[str, Unit]
    matters: Mapping[str, Matter]
    places: Mapping[str, Place]
    petition_unit: str = field(default="")
    office_unit: str | None = None  # R11.1: the office that oversees the centre (kind "office")

    def district_of(self, place: str) -> str | None:
        p = self.places.get(place)
        if p is None:
            return None
        return p.parent or p.code

    def district_government(self, place: str) -> str | None:
        district = self.district_of(place)
        if district is None:  # an unknown place has no government (not the first unit without a place)
            return None
        for unit in self.units.values():
            if unit.place == district:
                return unit.code
        return None

    def resolve(self, table: str, value: str | int | None) -> str | int | None:
        """A code from a code or a display name (e.g. "tiedong" or "铁东区"); None if neither."""
        items: Mapping[str | int, Any] = getattr(self, table)
        if value in items:
            return value
        if isinstance(value, str) and value.isdigit() and int(value) in items:
            return int(value)
        for code, item in items.items():
            if item.name == value:
                return code
        return None

    def is_petition(self, scope: int, matter: str | None = None) -> bool:
        """R20.4: a 信访 matter — by its scope, or by a matter filed under the 信访 scope whatever
        scope the ticket was given (a 投诉 about a petition matter is still a petition)."""
        s = self.scopes.get(scope)
        if s and s.petition:
            return True
        m = self.matters.get(matter or "")
        return bool(m and self.scopes.get(m.scope) and self.scopes[m.scope].petition)


def _load(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{source}: not valid TOML: {exc}") from None


def _entries(doc: Mapping[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    rows = doc.get(key)
    if not isinstance(rows, list) or not rows:
        raise TaxonomyError(f"{source}: needs at least one [[{key}]] entry")
    return rows


def _str(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _opt_str(row: Mapping[str, Any], key: str, where: str) -> str | None:
    """Like `_str`, but the key may be absent."""
    return None if row.get(key) is None else _str(row, key, where)


def _unique(items: list[Any], source: str, key: Callable[[Any], Any] = lambda i: i.code) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for item in items:
        k = key(item)
        if k in out:
            raise TaxonomyError(f"{source}: entry '{k}' is defined twice")
        out[k] = item
    return out


def parse_taxonomy(texts: Mapping[str, str]) -> Taxonomy:
    """Build the taxonomy from the texts of appeal_types.toml, appellant.toml, scopes.toml,
    channels.toml, units.toml, matters.toml and places.toml (keys are the file names)."""

    def doc(name: str) -> dict[str, Any]:
        if name not in texts:
            raise TaxonomyError(f"{name}: file missing")
        return _load(texts[name], name)

    src = "appeal_types.toml"
    types = []
    for row in _entries(doc(src), "type", src):
        code = _str(row, "code", f"{src}: entry {row!r}")
        types.append(AppealType(code, _str(row, "name", f"{src}: type '{code}'"), bool(row.get("confidential", False))))

    src = "appellant.toml"
    d = doc(src)
    kinds = [
        Item(_str(r, "code", f"{src}: kind {r!r}"), _str(r, "name", f"{src}: kind {r!r}"))
        for r in _entries(d, "kind", src)
    ]
    vulnerable = [
        Item(_str(r, "code", f"{src}: vulnerable {r!r}"), _str(r, "name", f"{src}: vulnerable {r!r}"))
        for r in _entries(d, "vulnerable", src)
    ]

    src = "scopes.toml"
    scopes: list[Scope] = []
    for row in _entries(doc(src), "scope", src):
        number = row.get("code")
        if not isinstance(number, int) or not 1 <= number <= 99:
            raise TaxonomyError(f"{src}: scope {row!r}: 'code' must be a whole number (1–10 in 第六条)")
        scopes.append(Scope(number, _str(row, "name", f"{src}: scope {number}"), bool(row.get("petition", False))))

    src = "channels.toml"
    channels = [
        Channel(
            _str(r, "code", f"{src}: channel {r!r}"),
            _str(r, "name", f"{src}: channel {r!r}"),
            bool(r.get("written", False)),
            bool(r.get("transfer", False)),
        )
        for r in _entries(doc(src), "channel", src)
    ]

    src = "places.toml"
    places: list[Place] = []
    for row in _entries(doc(src), "place", src):
        code = _str(row, "code", f"{src}: place {row!r}")
        where = f"{src}: place '{code}'"
        places.append(Place(code, _str(row, "name", where), _str(row, "kind", where)))
        streets = row.get("streets", [])
        if not isinstance(streets, list) or not all(isinstance(s, str) and s.strip() for s in streets):
            raise TaxonomyError(f"{where}: 'streets' must be a list of street names")
        places += [Place(f"{code}.{s}", s, "street", parent=code) for s in streets]

    src = "units.toml"
    units = []
    for row in _entries(doc(src), "unit", src):
        code = _str(row, "code", f"{src}: unit {row!r}")
        where = f"{src}: unit '{code}'"
        kind = _str(row, "kind", where)
        if kind not in UNIT_KINDS:
            raise TaxonomyError(f"{where}: 'kind' must be one of {', '.join(UNIT_KINDS)}, not '{kind}'")
        units.append(
            Unit(
                code,
                _str(row, "name", where),
                kind,
                _opt_str(row, "place", where),
                kind == "district" or bool(row.get("government", False)),
            )
        )

    scope_map = _unique(scopes, "scopes.toml")
    unit_map = _unique(units, "units.toml")
    place_map = _unique(places, "places.toml")
    for unit in units:
        if unit.place and unit.place not in place_map:
            raise TaxonomyError(f"units.toml: unit '{unit.code}': place '{unit.place}' is not in places.toml")

    src = "matters.toml"
    matters = []
    for row in _entries(doc(src), "matter", src):
        code = _str(row, "code", f"{src}: matter {row!r}")
        where = f"{src}: matter '{code}'"
        scope = row.get("scope")
        if not isinstance(scope, int) or scope not in scope_map:
            raise TaxonomyError(f"{where}: 'scope' must be one of the scope codes in scopes.toml, not {scope!r}")
        mu = row.get("units", [])
        if not isinstance(mu, list) or any(u not in unit_map for u in mu):
            bad = [u for u in mu if u not in unit_map] if isinstance(mu, list) else mu
            raise TaxonomyError(f"{where}: 'units' names units not in units.toml: {bad}")
        limit = None
        if "limit" in row:
            lim = row["limit"]
            if (
                not isinstance(lim, dict)
                or lim.get("unit") not in LIMIT_UNITS
                or not isinstance(lim.get("value"), int)
                or lim["value"] <= 0
            ):
                raise TaxonomyError(
                    f"{where}: 'limit' needs unit ({'/'.join(LIMIT_UNITS)}) and a positive whole 'value'"
                )
            limit = Limit(lim["unit"], lim["value"], str(lim.get("source", "")))
        matters.append(Matter(code, _str(row, "name", where), scope, tuple(mu), bool(row.get("local", False)), limit))

    petition_units = [u.code for u in units if u.kind == "petition"]
    if len(petition_units) != 1:
        raise TaxonomyError('units.toml: exactly one unit must have kind = "petition" (the 信访 department, R20.4)')

    return Taxonomy(
        appeal_types=_unique(types, "appeal_types.toml"),
        appellant_kinds=_unique(kinds, "appellant.toml"),
        vulnerable_groups=_unique(vulnerable, "appellant.toml"),
        scopes=scope_map,
        channels=_unique(channels, "channels.toml"),
        units=unit_map,
        matters=_unique(matters, "matters.toml"),
        places=place_map,
        petition_unit=petition_units[0],
        office_unit=next((u.code for u in units if u.kind == "office"), None),
    )
