"""Who may review, CSRF tokens, and saving a review: shared by the /review page and POST /api/review.

With basic auth on, the accounts in DISPLACEMENT_REVIEWERS review and everyone else reads. With auth off, review
is off unless DISPLACEMENT_REVIEW_WITHOUT_AUTH is on (a trusted local install; the reviewer is then "local").
Every save carries a CSRF token: an HMAC of the reviewer's name under a secret kept in the review store, so every
server process on the same store accepts it and no other site can produce it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date

import flask

from dashboard.auth import reviewer_accounts
from dashboard.filters import METRICS
from etl.review.store import Conflict, ReviewError, ReviewStore, review_key

QUALIFIERS = ("exact", "approximately", "at_least", "more_than", "less_than", "up_to", "range", "vague")
UNITS = ("people", "households", "houses")
STOCK_OR_FLOW = ("stock", "flow")
# Fields a reviewer may correct (etl.review.overlay.FIELDS).
FIELDS = ("value", "value_low", "value_high", "qualifier", "metric", "unit", "claimed_by", "claimed_by_org",
          "country_iso3", "admin1_pcode", "admin2_pcode", "period_start", "period_end", "stock_or_flow")
ACTIONS = {"accept": ("accepted", None), "reject": ("rejected", "not_a_figure"),
           "duplicate": ("rejected", "duplicate"), "correct": ("corrected", None)}
LOCAL = "local"
_ISO3 = re.compile(r"^[A-Z]{3}$")
_PCODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,12}$")
_secrets: dict[str, bytes] = {}

FIGURE_SQL = """
SELECT figure_id, source, source_type, doc_id, dataset, record_id, doc_sha256, char_start, char_end, evidence,
       quantity_text, original_value AS orig_value, original_metric AS orig_metric, original_fields, flags,
       review_priority, review_status, reviewed_by, reviewed_at, title, publisher, published, url, detail,
       location_text, admin1_name, admin2_name, country_name, {fields}
FROM v_figures WHERE figure_id = ?
""".format(fields=", ".join(FIELDS))


class ReviewDenied(Exception):
    pass


def store(settings) -> ReviewStore:
    return ReviewStore(settings.review_path)


def accounts(settings) -> dict[str, str]:
    """Reviewer accounts from DISPLACEMENT_REVIEWERS (`user:password,user2:password2`)."""
    return {user.decode(): password.decode() for user, password in reviewer_accounts(settings)}


def reviewer(settings) -> str | None:
    """The reviewer making this request, or None when it may only read."""
    if not settings.basic_auth:
        return LOCAL if settings.review_without_auth else None
    auth = flask.request.authorization
    if auth is None or auth.type != "basic":
        return None
    password = accounts(settings).get(auth.username or "")
    if password is None or not hmac.compare_digest((auth.password or "").encode(), password.encode()):
        return None
    return auth.username


def _secret(settings) -> bytes:
    key = str(settings.review_path)
    if key not in _secrets:
        _secrets[key] = store(settings).secret()
    return _secrets[key]


def csrf_token(settings, who: str) -> str:
    return hmac.new(_secret(settings), f"review:{who}".encode(), hashlib.sha256).hexdigest()


def check(settings, token) -> str:
    """The reviewer, if this request may review and carries their CSRF token; else ReviewDenied."""
    who = reviewer(settings)
    if who is None:
        raise ReviewDenied("you may read but not review: reviewing needs a reviewer account")
    if not isinstance(token, str) or not hmac.compare_digest(token, csrf_token(settings, who)):
        raise ReviewDenied("the form's security token is missing or stale: reload the page")
    return who


def figure(reader, figure_id: str) -> dict | None:
    """A figure of the warehouse with its extracted (original) values under `original`."""
    columns, rows = reader.query(FIGURE_SQL, [figure_id])
    if not rows:
        return None
    row = dict(zip(columns, rows[0]))
    extracted = json.loads(row["original_fields"]) if row["original_fields"] else {}
    row["original"] = {name: extracted[name] if name in extracted else row[name] for name in FIELDS}
    for name in ("period_start", "period_end"):
        if isinstance(row["original"][name], date):
            row["original"][name] = row["original"][name].isoformat()
    row["key"] = review_key(row)
    return row


def current(settings, fig: dict) -> dict | None:
    """The figure's review in the store (newer than the warehouse until the next publish)."""
    return store(settings).get(fig["key"]["review_key"])


def effective(fig: dict, review: dict | None) -> dict:
    """The field values the form shows: extracted, with the stored correction on top."""
    return dict(fig["original"]) | ((review or {}).get("changes") or {})


def clean_changes(fig: dict, values: dict) -> dict:
    """The fields that differ from the extracted values, validated; ReviewError says what is wrong."""
    out = {}
    for name, value in values.items():
        if name not in FIELDS:
            raise ReviewError(f"{name!r} is not a field a review can correct")
        value = _clean(name, value)
        if value != fig["original"][name]:
            out[name] = value
    merged = fig["original"] | out
    low, high, value = merged["value_low"], merged["value_high"], merged["value"]
    if value is None:
        raise ReviewError("value is missing")
    if low is not None and high is not None and low > high:
        raise ReviewError("the lower bound is above the upper bound")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ReviewError("the value is outside its bounds: correct the bounds too")
    if merged["period_start"] and merged["period_end"] and merged["period_start"] > merged["period_end"]:
        raise ReviewError("the period starts after it ends")
    return out


def _clean(name: str, value):
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        return None
    if name in ("value", "value_low", "value_high"):
        try:
            number = float(str(value).replace(",", ""))
        except ValueError:
            raise ReviewError(f"{name} {value!r} is not a number") from None
        if number < 0 or number != int(number) or number > 10**12:
            raise ReviewError(f"{name} {value!r} is not a whole number of people or houses")
        return int(number)
    choices = {"qualifier": QUALIFIERS, "metric": METRICS, "unit": UNITS, "stock_or_flow": STOCK_OR_FLOW}
    if name in choices:
        if value not in choices[name]:
            raise ReviewError(f"{name} {value!r} is not one of {', '.join(choices[name])}")
        return value
    if name in ("period_start", "period_end"):
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            raise ReviewError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None
    if name == "country_iso3":
        if not _ISO3.match(str(value).upper()):
            raise ReviewError(f"country {value!r} is not an ISO3 code")
        return str(value).upper()
    if name in ("admin1_pcode", "admin2_pcode"):
        if not _PCODE.match(str(value).upper()):
            raise ReviewError(f"{name} {value!r} is not a p-code")
        return str(value).upper()
    return str(value)[:300]


def save(settings, reader, who: str, figure_id: str, action: str, version, values: dict | None = None,
         note: str | None = None) -> dict:
    """Save one review; ReviewError (bad input), LookupError (no such figure) or Conflict (someone saved first)."""
    if action not in ACTIONS:
        raise ReviewError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ReviewError("version must be the whole number the figure was loaded with") from None
    fig = figure(reader, str(figure_id or "")[:64])
    if fig is None:
        raise LookupError(f"no figure {figure_id!r} in the warehouse")
    status, reason = ACTIONS[action]
    changes = clean_changes(fig, values or {}) if action == "correct" else {}
    if action == "correct" and not changes:
        status = "accepted"  # the form holds what was extracted: that is an acceptance
    return store(settings).save(fig["key"], figure_id=fig["figure_id"], status=status, reason=reason,
                                changes=changes, note=note, reviewer=who, expected_version=version)


def place_choice(reader, pcode: str | None) -> dict:
    """The country, admin1 and admin2 fields a p-code picked in the form stands for."""
    if not pcode:
        return {"country_iso3": None, "admin1_pcode": None, "admin2_pcode": None}
    columns, rows = reader.query("SELECT admin_level, country_iso3, parent_pcode FROM v_places WHERE pcode = ?",
                                 [pcode])
    if not rows:
        raise ReviewError(f"no place with p-code {pcode!r} in the gazetteer")
    level, country, parent = rows[0]
    if level == 0:
        return {"country_iso3": pcode, "admin1_pcode": None, "admin2_pcode": None}
    if level == 1:
        return {"country_iso3": country, "admin1_pcode": pcode, "admin2_pcode": None}
    return {"country_iso3": country, "admin1_pcode": parent, "admin2_pcode": pcode}


__all__ = ["Conflict", "ReviewDenied", "ReviewError"]
