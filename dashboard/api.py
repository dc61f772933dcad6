"""Read-only JSON/CSV endpoints on the dashboard's Flask server.

GET /api/health    {"ok": true, "figures": N, "last_success", "sources": {name: last success}, "stale": [names]}
GET /api/figures   figures with their provenance, filtered by validated parameters (parameterised SQL only)
GET /api/sql       one untrusted read query, run in the SQL sandbox (dashboard.sql_sandbox)

/api/figures parameters (empty means "any"; lists are comma-separated):
  country (ISO3), admin1, admin2 (p-codes), metric, source_type (document|dataset), source (name),
  org (substring of claimed_by_org or publisher, case-insensitive), from, to (YYYY-MM-DD; the figure's period
  overlaps them), scope=wider (only figures tagged to no region, as on /figures), limit (1..10000, the default),
  offset (rows to skip), format (json|csv), hxl=1 (CSV: an HXL hashtag row under the header). HDX HAPI's names
  are aliases: location_code (country), admin1_code, admin2_code.
  With DISPLACEMENT_PUBLIC_ONLY on, sources whose terms forbid redistribution are left out (etl.licences).
Answers: JSON {"figures", "count", "truncated", "limit", "offset", "next_offset"} or CSV with an X-Truncated
header. Errors: JSON {"error", "status"} with 400 (bad parameter, refused or failed SQL), 403 (SQL off),
408 (time limit), 429 (console busy), 503 (no warehouse).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from flask import Blueprint, Response, jsonify, request

from dashboard import api_figures, queries, sql_sandbox
from dashboard.filters import METRICS, SCOPES, SOURCE_TYPES
from etl import hxl_tags

MAX_ROWS = 10_000  # /api/figures answers at most this many rows per request

FIGURE_COLUMNS = (
    "figure_id", "metric", "value", "value_low", "value_high", "qualifier", "quantity_text", "unit",
    "claimed_by", "claimed_by_org", "location_text", "country_iso3", "country_name", "admin1_pcode", "admin1_name",
    "admin2_pcode", "admin2_name", "asylum_iso3", "period_start", "period_end", "stock_or_flow",
    "source", "source_type", "doc_id", "url", "title", "publisher", "published", "dataset", "record_id",
    "evidence", "char_start", "char_end", "licence", "attribution",
    "flags", "review_priority", "review_status", "reviewed_by", "reviewed_at", "original_value", "original_metric",
)
ALIASES = {"location_code": "country", "admin1_code": "admin1", "admin2_code": "admin2"}  # HDX HAPI's names

_ISO3 = re.compile(r"[A-Z]{3}")
_PCODE = re.compile(r"[A-Z]{2}[A-Z0-9]{0,18}")
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ApiError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def register(server, settings, reader) -> None:
    """Add the /api routes to `server` (the Flask app under Dash)."""
    api = Blueprint("displacement_api", __name__, url_prefix="/api")

    @api.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return _error(str(exc), exc.status)

    @api.get("/health")
    def health():
        try:
            count = queries.cached(reader, "api/health", lambda: reader.query("SELECT count(*) FROM figures")[1])
            freshness = health_freshness(settings, reader)
        except Exception as exc:  # noqa: BLE001 - a readiness check reports any failure
            return jsonify(ok=False, error=str(exc)), 503
        return jsonify(ok=True, figures=count[0][0], **freshness)

    @api.get("/figures")
    def figures():
        fmt = _format(request.args)
        sql, params, limit = figures_query(request.args, restricted=settings.restricted)
        offset = _whole(request.args, "offset", 0, 10**9)
        columns = list(FIGURE_COLUMNS)
        try:
            rows = api_figures.fetch(reader, sql, params, FIGURE_COLUMNS)
        except Exception as exc:  # noqa: BLE001 - e.g. no warehouse yet
            raise ApiError(f"the warehouse cannot answer: {exc}", 503) from None
        truncated = len(rows) > limit
        rows = [[sql_sandbox.plain(v) for v in row] for row in rows[:limit]]
        if fmt == "csv":
            hxl = _whole(request.args, "hxl", 0, 1)
            return _csv(columns, rows, truncated, "figures.csv", hxl_tags.tag_row(columns) if hxl else None)
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        return jsonify(figures=records, count=len(records), truncated=truncated, limit=limit, offset=offset,
                       next_offset=offset + len(records) if truncated else None)

    @api.route("/sql", methods=["GET", "POST"])
    def sql():
        if not settings.sql_enabled:
            raise ApiError("the SQL console and /api/sql are turned off on this server", 403)
        args = request.values
        fmt = _format(args)
        query = args.get("q", "")
        if not query.strip():
            raise ApiError("parameter 'q' is required: one SELECT statement")
        try:
            result = sql_sandbox.run(settings, query)
        except sql_sandbox.SqlError as exc:
            return _error(str(exc), exc.status, kind=exc.kind)
        if fmt == "csv":
            return _csv(result.columns, result.rows, result.truncated, "query.csv")
        response = jsonify(
            columns=result.columns, types=result.types, rows=result.rows, truncated=result.truncated,
            row_count=len(result.rows), seconds=result.seconds,
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    server.register_blueprint(api)


def health_freshness(settings, reader) -> dict:
    """last_success (the newest successful run of any source), per source its last success, and the stale
    sources (no success within their schedule in DISPLACEMENT_SCHEDULE)."""
    from etl.schedule import is_stale, schedules

    rows = queries.cached(reader, "api/sources",  # once per published version; staleness is computed now
                          lambda: reader.query("SELECT source, last_success FROM v_sources ORDER BY source")[1])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    crons = schedules(settings)
    last = {name: when for name, when in rows}
    stale = [name for name, when in rows if name in crons and is_stale(crons[name], when, now)]
    newest = max((w for w in last.values() if w is not None), default=None)
    return {"last_success": _iso(newest), "sources": {n: _iso(w) for n, w in last.items()}, "stale": stale}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def figures_query(args, restricted: bool = False) -> tuple[str, list, int]:
    """(sql, params, limit) for /api/figures; every parameter is validated, every value is a parameter.

    `restricted` leaves out sources whose terms forbid redistribution (DISPLACEMENT_PUBLIC_ONLY).
    """
    allowed = {"country", "admin1", "admin2", "metric", "org", "source", "source_type", "from", "to", "limit",
               "offset", "format", "hxl", "start", "end", "scope", *ALIASES}  # start/end: the pages' from/to
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise ApiError(f"unknown parameter {unknown[0]!r}; use {', '.join(sorted(allowed))}")
    for alias, name in ALIASES.items():
        if alias in args and name in args:
            raise ApiError(f"give {name!r} or its alias {alias!r}, not both")
    args = {ALIASES.get(k, k): v for k, v in args.items()}
    where, params = [], []  # conditions on figure_facts (dashboard.api_figures), whose columns match v_figures'

    def any_of(column: str, values: list[str]) -> None:
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)

    any_of("country_iso3", _codes(args, "country", _ISO3, "an ISO3 code like SYR"))
    any_of("admin1_pcode", _codes(args, "admin1", _PCODE, "a p-code like SY07"))
    any_of("admin2_pcode", _codes(args, "admin2", _PCODE, "a p-code like SY0702"))
    any_of("metric", _choices(args, "metric", METRICS))
    any_of("source_type", _choices(args, "source_type", SOURCE_TYPES))
    any_of("source", _codes(args, "source", _NAME, "a source name like curated", upper=False))

    org = args.get("org", "").strip()
    if org:
        if len(org) > 200:
            raise ApiError("parameter 'org' is longer than 200 characters")
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", org) + "%"
        where.append("(claimed_by_org ILIKE ? ESCAPE '\\' OR publisher ILIKE ? ESCAPE '\\')")
        params += [pattern, pattern]

    if _choices(args, "scope", SCOPES):  # wider: the country or an area wider than one region
        if args.get("admin1") or args.get("admin2"):
            raise ApiError("parameter 'scope': wider lists figures tagged to no region; give no admin1 or admin2")
        where.append("admin1_pcode IS NULL")

    start, end = _date(args, "from") or _date(args, "start"), _date(args, "to") or _date(args, "end")
    if start and end and start > end:
        raise ApiError("parameter 'from' is after 'to'")
    if start:  # the figure's period overlaps [from, to]; ref_date is COALESCE(period_end, period_start, published)
        where.append("ref_date >= ?")
        params.append(start)
    if end:
        where.append("COALESCE(period_start, period_end, published) <= ?")
        params.append(end)

    limit = _limit(args)
    offset = _whole(args, "offset", 0, 10**9)
    sql, params = api_figures.page_query(where, params, limit, offset, restricted)  # one extra row: more to come?
    return sql, params, limit


def _values(args, name: str) -> list[str]:
    return [v.strip() for v in args.get(name, "").split(",") if v.strip()]


def _codes(args, name: str, pattern: re.Pattern, what: str, upper: bool = True) -> list[str]:
    values = [v.upper() if upper else v.lower() for v in _values(args, name)]
    for value in values:
        if not pattern.fullmatch(value):
            raise ApiError(f"parameter {name!r}: {value!r} is not {what}")
    return values


def _choices(args, name: str, choices: tuple[str, ...]) -> list[str]:
    values = [v.lower() for v in _values(args, name)]
    for value in values:
        if value not in choices:
            raise ApiError(f"parameter {name!r}: {value!r} is not one of {', '.join(choices)}")
    return values


def _date(args, name: str) -> dt.date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ApiError(f"parameter {name!r}: {raw!r} is not a date like 2020-01-31") from None


def _limit(args) -> int:
    raw = args.get("limit", "").strip()
    if not raw:
        return MAX_ROWS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ROWS:
        raise ApiError(f"parameter 'limit': {raw!r} is not a whole number from 1 to {MAX_ROWS}")
    return int(raw)


def _whole(args, name: str, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return low
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(f"parameter {name!r}: {raw!r} is not a whole number from {low} to {high}")
    return int(raw)


def _format(args) -> str:
    fmt = args.get("format", "json").strip().lower() or "json"
    if fmt not in ("json", "csv"):
        raise ApiError(f"parameter 'format': {fmt!r} is not json or csv")
    return fmt


def _error(message: str, status: int, **extra):
    response = jsonify(error=message, status=status, **extra)
    response.status_code = status
    return response


def _csv(columns: list[str], rows: list[list], truncated: bool, filename: str, hxl: list[str] | None = None):
    response = Response(to_csv(columns, ([hxl] if hxl else []) + rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Truncated"] = "true" if truncated else "false"
    response.headers["Cache-Control"] = "no-store"
    return response


def to_csv(columns: list[str], rows: list[list]) -> str:
    """CSV text of a result (also used by the /sql page's download); no cell runs as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([defuse(c) for c in columns])
    for row in rows:
        writer.writerow(defuse(json.dumps(v) if isinstance(v, list | dict) else v) for v in row)
    return out.getvalue()


def defuse(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
