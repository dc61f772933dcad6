"""GET /export/figures.csv and /export/figures.xlsx: the /figures page's downloads, as plain links.

The link carries the page's filters (the same query string as the page: country, admin1, metric, start, end, …),
`figure` (one figure), `sort` ("value:desc,place:asc", the grid's sort) and `grid` (the grid's column filters, AG
Grid's filterModel as JSON). Rows are read from a reader cursor in batches and written as they come: CSV is
streamed (no Content-Length, so the browser's download bar counts the bytes as they arrive), Excel is written row by
row into a write-only workbook in a temporary file, then streamed with its size. Rows are never kept in the query
cache. Every file has an HXL hashtag row under the header, each figure's licence and attribution, text cells that a
spreadsheet would run as formulas defused, and no rows of no-redistribution sources on a public server.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, abort, request, stream_with_context

from dashboard import figures as figs
from dashboard import hdx_export, queries
from dashboard.api import defuse
from dashboard.filters import Filters
from etl import licences
from etl.warehouse import WarehouseError

COLUMNS = ["figure_id", "metric", "value", "value_low", "value_high", "qualifier", "value_text", "quantity_text",
           "unit", "claimed_by", "claimed_by_org", "place", "country_iso3", "admin1_pcode", "admin2_pcode",
           "period_start", "period_end", "stock_or_flow", "publisher", "published", "title", "url", "doc_id",
           "source", "source_type", "dataset", "record_id", "review_status", "licence", "attribution"]
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK = 256 * 1024


def href(fmt: str, f: Filters, figure: str | None = None, sort_model=None, filter_model=None) -> str:
    """The download link for the grid as it is now."""
    pairs = parse_qsl(f.to_query().lstrip("?"))
    if figure:
        pairs.append(("figure", figure))
    sort = ",".join(f"{s['colId']}:{s['sort']}" for s in sort_model or [] if isinstance(s, dict)
                    and s.get("colId") in queries.SORTABLE and s.get("sort") in ("asc", "desc"))
    if sort:
        pairs.append(("sort", sort))
    if filter_model:
        pairs.append(("grid", json.dumps(filter_model, separators=(",", ":"))))
    return f"/export/figures.{fmt}" + ("?" + urlencode(pairs) if pairs else "")


def parse_sort(text: str | None) -> list[tuple[str, str]]:
    out = []
    for part in (text or "").split(",")[:5]:
        column, _, direction = part.partition(":")
        if column in queries.SORTABLE and direction in ("asc", "desc"):
            out.append((column, direction))
    return out


def parse_grid(text: str | None) -> dict:
    try:
        model = json.loads(text or "{}")
    except ValueError:
        return {}
    return model if isinstance(model, dict) else {}


def register(server, settings, reader) -> None:
    """Add the /export routes to `server` (the Flask app under Dash)."""
    bp = Blueprint("figure_export", __name__, url_prefix="/export")

    @bp.get("/figures.<fmt>")
    def figures(fmt: str):
        if fmt not in FORMATS:
            abort(404)
        args = request.args
        figure = (args.get("figure") or "")[:64] or None
        restricted = licences.restricted_sources() if settings.restricted else []
        try:
            columns, batches = queries.export_batches(
                reader, Filters.from_query(args.to_dict()), fmt, parse_sort(args.get("sort")),
                parse_grid(args.get("grid")), figure, restricted)
        except WarehouseError as err:
            abort(503, str(err))
        rows = (export_row(dict(zip(columns, r, strict=True))) for batch in batches for r in batch)
        name = f"figures-{datetime.now().strftime('%Y%m%d-%H%M')}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
                   "X-Row-Limit": str(queries.EXPORT_CAP[fmt])}
        if fmt == "csv":
            return Response(stream_with_context(csv_chunks(rows)), mimetype=FORMATS[fmt], headers=headers)
        path, size = xlsx_file(rows)
        return Response(file_chunks(path), mimetype=FORMATS[fmt], headers=headers | {"Content-Length": str(size)})

    server.register_blueprint(bp)


def export_row(row: dict) -> list:
    """One figure as the download's cells: the formatted value added, formula-like text defused."""
    row["value_text"] = figs.format_value(row["value"], row["value_low"], row["value_high"], row["qualifier"],
                                          row["quantity_text"])
    return [defuse(row[c]) for c in COLUMNS]


def csv_chunks(rows, every: int = 2000):
    """Header, HXL row, then the rows, `every` rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(hdx_export.tag_row(COLUMNS))
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % every == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_file(rows) -> tuple[str, int]:
    """A write-only workbook (rows go to disk as they come) in a temporary file: (path, size)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("figures")
    sheet.append(COLUMNS)
    sheet.append(hdx_export.tag_row(COLUMNS))
    for row in rows:
        sheet.append(row)
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="figures-")
    os.close(handle)
    try:
        book.save(path)
    except Exception:
        os.unlink(path)
        raise
    return path, os.path.getsize(path)


def file_chunks(path: str):
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)
