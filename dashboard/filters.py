"""Filter state <-> URL query string. The URL is the one place filters live, so every view is a shareable link.

Values are validated here (codes by pattern, metrics and source types from allow-lists, dates by parsing);
anything else is dropped, never passed on. SQL receives them only as parameters.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from urllib.parse import parse_qsl, urlencode

# The figure contract's metrics (etl.model.METRICS; the dashboard may not import etl.model).
METRICS = (
    "displaced", "evacuated", "refugees", "returned", "homeless", "sheltered", "killed", "injured",
    "casualties", "missing", "destroyed_housing", "damaged_housing", "affected", "in_need", "population",
)
METRIC_LABELS = {m: m.replace("_", " ") for m in METRICS} | {"in_need": "in need"}
SOURCE_TYPES = ("document", "dataset")
# Units of the figure contract (etl.model.UNITS): figures in different units are never added or ranked together.
UNITS = ("people", "households", "houses")
# Stock (how many are displaced) or flow (how many newly fled); "both" shows the two side by side, apart.
KINDS = ("flow", "stock", "both")
KIND_LABELS = {"flow": "new (flow)", "stock": "total (stock)", "both": "both, side by side"}
# scope=wider: only the figures tagged to a country and no region in it ("northwest Syria", the country as a whole),
# the figures listing a region's note on wider areas links to (dashboard/wider.py). A chosen region overrides it.
SCOPES = ("wider",)
# Aliases the API has always used: ?from=…&to=… mean ?start=…&end=… on every page too.
ALIASES = {"from": "start", "to": "end"}

_ISO3 = re.compile(r"^[A-Z]{3}$")
_PCODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,12}$")


_parents: list = []  # the app's lookup of places.parent_pcode (set_parent_lookup)


def set_parent_lookup(lookup) -> None:
    """Use `lookup(pcode) -> parent p-code or None` (the warehouse's places.parent_pcode) for admin2 -> admin1."""
    _parents[:] = [lookup]


def parent_of(pcode: str) -> str | None:
    """The admin1 of an admin2, from places.parent_pcode; None when unknown (p-codes are not all shaped alike)."""
    if not _parents:
        return None
    try:
        return _parents[0](pcode)
    except Exception:  # noqa: BLE001 - no warehouse yet: the admin2 filter alone still applies
        return None


@dataclass(frozen=True)
class Filters:
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    metric: str | None = None
    start: str | None = None  # YYYY-MM-DD, inclusive
    end: str | None = None
    source_type: str | None = None
    org: str | None = None
    unit: str | None = None
    kind: str | None = None  # /compare's stock/flow switch
    rejected: str | None = None  # "show": include figures a reviewer rejected (left out by default)
    scope: str | None = None  # "wider": figures tagged to no region (the figures listing honours it)

    @classmethod
    def from_query(cls, query: dict | str | None) -> Filters:
        """From layout(**query) keyword arguments or a `?a=b` search string; invalid values are dropped."""
        if isinstance(query, str):
            query = dict(parse_qsl(query.lstrip("?")))
        query = dict(query or {})
        for alias, name in ALIASES.items():
            if not query.get(name) and query.get(alias):
                query[name] = query[alias]
        out = {f.name: _clean(f.name, query.get(f.name)) for f in fields(cls)}
        if out["admin2"] and not out["admin1"]:
            out["admin1"] = parent_of(out["admin2"])
        if out["admin1"] or out["admin2"]:
            out["scope"] = None  # a region's own figures were asked for, not those tagged to no region
        if out["start"] and out["end"] and out["start"] > out["end"]:
            out["start"], out["end"] = out["end"], out["start"]
        return cls(**out)

    def to_query(self) -> str:
        """`?country=SYR&metric=displaced` (empty string when no filter is set)."""
        pairs = [(k, v) for k, v in asdict(self).items() if v]
        return "?" + urlencode(pairs) if pairs else ""

    def params(self) -> dict:
        """SQL parameters: every filter, None when unset, dates as date objects."""
        out = asdict(self)
        for key in ("start", "end"):
            out[key] = date.fromisoformat(out[key]) if out[key] else None
        out["with_rejected"] = out.pop("rejected") == "show"
        return out

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def narrowest_place(self) -> str | None:
        return self.admin2 or self.admin1 or self.country

    def is_empty(self) -> bool:
        return not any(asdict(self).values())


def _clean(name: str, value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if name == "country":
        value = value.upper()
        return value if _ISO3.match(value) else None
    if name in ("admin1", "admin2"):
        value = value.upper()
        return value if _PCODE.match(value) else None
    if name == "metric":
        return value if value in METRICS else None
    if name == "source_type":
        return value if value in SOURCE_TYPES else None
    if name == "unit":
        return value if value in UNITS else None
    if name == "kind":
        return value if value in KINDS else None
    if name in ("start", "end"):
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    if name == "org":
        return value[:200]
    if name == "rejected":
        return "show" if value == "show" else None
    if name == "scope":
        return value if value in SCOPES else None
    return None


def with_search(search: str | None, **changes) -> str:
    """The search string with some keys set (None removes them), other keys kept."""
    pairs = dict(parse_qsl((search or "").lstrip("?")))
    for key, value in changes.items():
        if value in (None, ""):
            pairs.pop(key, None)
        else:
            pairs[key] = value
    return "?" + urlencode(pairs) if pairs else ""
