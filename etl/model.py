"""The figure contract (../shared/eval/CONTRACT.md) as code: fields, vocabularies and one validator."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

METRICS = (
    "displaced", "evacuated", "refugees", "returned", "homeless", "sheltered", "killed", "injured",
    "casualties", "missing", "destroyed_housing", "damaged_housing", "affected", "in_need", "population",
)
QUALIFIERS = ("exact", "approximately", "at_least", "more_than", "less_than", "up_to", "range", "vague")
UNITS = ("people", "households", "houses")
STOCK_OR_FLOW = ("stock", "flow", None)

# The contract's output fields, in its order.
CONTRACT_FIELDS = (
    "doc_id", "metric", "value", "value_low", "value_high", "qualifier", "quantity_text", "unit",
    "claimed_by", "claimed_by_org", "location_text", "country_iso3", "admin1_pcode", "admin2_pcode",
    "period_start", "period_end", "stock_or_flow", "evidence", "char_start", "char_end", "flags",
)
# What the extractor was unsure of (etl/extract/flags.py and the attribution and place stages).
FLAGS = ("carried_source", "generic_source", "place_from_context", "vague_amount", "unit_guess", "metric_guess")
# Columns of the `figures` table that a source fills (the rest the runner computes).
FIGURE_COLUMNS = CONTRACT_FIELDS + ("dataset", "record_id", "asylum_iso3", "publisher", "published", "url", "detail")


@dataclass
class Document:
    """One article or report, as read from a file, a feed or an API."""

    doc_id: str
    text: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: date | None = None
    published_from: str | None = None  # where `published` came from when the text had none: front matter, file date

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()


class FigureError(ValueError):
    """A record that breaks the contract; the message says which field and why."""


def parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise FigureError(f"bad date {text!r} (want YYYY-MM-DD)") from None


BIGINT_LIMIT = 2**63  # the warehouse stores counts as BIGINT


@dataclass(frozen=True)
class Bounds:
    """What a plausible figure looks like: the largest value per metric and the span of dates.

    A figure outside them is a reject with the reason, not a row (settings `plausible_values`, `plausible_dates`).
    """

    max_values: dict = field(default_factory=lambda: {"*": 1_000_000_000, "population": 10_000_000_000})
    earliest: date = date(1900, 1, 1)
    future_days: int = 366  # dates up to this many days after today (plans, projections)

    @classmethod
    def parse(cls, values: str, dates: str) -> Bounds:
        """`metric=max;*=max` and `YYYY-MM-DD..+DAYS` (the settings' text); raises ValueError with the reason."""
        max_values = {}
        for pair in filter(None, (p.strip() for p in values.split(";"))):
            metric, _, number = pair.partition("=")
            metric = metric.strip()
            if metric != "*" and metric not in METRICS:
                raise ValueError(f"{metric!r} is not a metric or *")
            max_values[metric] = int(number.strip().replace("_", "").replace(",", ""))
        start, _, future = dates.partition("..")
        return cls(max_values or cls().max_values, date.fromisoformat(start.strip()), int(future.strip() or 366))

    def max_value(self, metric: str) -> int:
        return self.max_values.get(metric, self.max_values.get("*", BIGINT_LIMIT - 1))

    def latest(self) -> date:
        return date.today() + timedelta(days=self.future_days)


def _int_or_none(name: str, value):
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise FigureError(f"{name} {value!r} is not a number") from None
        if not math.isfinite(number):
            raise FigureError(f"{name} {value!r} is not a finite number")
    if number < 0:
        raise FigureError(f"{name} {value!r} is not a non-negative number")
    if number >= BIGINT_LIMIT:
        raise FigureError(f"{name} {value!r} is too large to store (2^63 or more)")
    return int(round(number))


def check_figure(fields: dict, bounds: Bounds | None = None) -> dict:
    """Return the figure with every column present and typed, or raise FigureError.

    Everything a warehouse check would refuse is caught here, per record: intervals, magnitudes, dates.
    """
    unknown = set(fields) - set(FIGURE_COLUMNS)
    if unknown:
        raise FigureError(f"unknown field(s) {sorted(unknown)}")
    out = {name: fields.get(name) for name in FIGURE_COLUMNS}
    if out["metric"] not in METRICS:
        raise FigureError(f"metric {out['metric']!r} is not one of the contract's metrics")
    out["qualifier"] = out["qualifier"] or "exact"
    if out["qualifier"] not in QUALIFIERS:
        raise FigureError(f"qualifier {out['qualifier']!r} is not one of {', '.join(QUALIFIERS)}")
    out["unit"] = out["unit"] or "people"
    if out["unit"] not in UNITS:
        raise FigureError(f"unit {out['unit']!r} is not one of {', '.join(UNITS)}")
    if out["stock_or_flow"] not in STOCK_OR_FLOW:
        raise FigureError(f"stock_or_flow {out['stock_or_flow']!r} is not stock or flow")
    out["value"] = _int_or_none("value", out["value"])
    if out["value"] is None:
        raise FigureError("value is missing")
    for name in ("value_low", "value_high", "char_start", "char_end"):
        out[name] = _int_or_none(name, out[name])
    if out["qualifier"] == "exact":
        out["value_low"] = out["value"] if out["value_low"] is None else out["value_low"]
        out["value_high"] = out["value"] if out["value_high"] is None else out["value_high"]
    for name in ("period_start", "period_end", "published"):
        out[name] = parse_date(out[name])
    if out["period_start"] and out["period_end"] and out["period_start"] > out["period_end"]:
        raise FigureError(f"period_start {out['period_start']} is after period_end {out['period_end']}")
    low, high = out["value_low"], out["value_high"]
    if low is not None and high is not None and low > high:
        raise FigureError(f"value_low {low} is above value_high {high}")
    if (low is not None and out["value"] < low) or (high is not None and out["value"] > high):
        raise FigureError(f"value {out['value']} is outside value_low..value_high ({low}..{high})")
    if out["char_start"] is not None and out["char_end"] is not None and out["char_start"] > out["char_end"]:
        raise FigureError(f"char_start {out['char_start']} is after char_end {out['char_end']}")
    _check_plausible(out, bounds or Bounds())
    if isinstance(out["detail"], (dict, list)):
        out["detail"] = json.dumps(out["detail"], sort_keys=True, default=str)
    out["flags"] = sorted({str(flag) for flag in out["flags"] or []})
    for name in ("country_iso3", "asylum_iso3"):
        if out[name]:
            out[name] = str(out[name]).upper()
    return out


def _check_plausible(out: dict, bounds: Bounds) -> None:
    most = bounds.max_value(out["metric"])
    for name in ("value", "value_low", "value_high"):
        if out[name] is not None and out[name] > most:
            raise FigureError(f"{name} {out[name]:,} is implausible for {out['metric']} (more than {most:,})")
    latest = bounds.latest()
    for name in ("period_start", "period_end", "published"):
        day = out[name]
        if day is not None and not bounds.earliest <= day <= latest:
            raise FigureError(f"{name} {day} is implausible (outside {bounds.earliest}..{latest})")


def stable_hash(*parts) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]
