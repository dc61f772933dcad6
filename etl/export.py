"""`displacement export DIR`: every public v_* view as Parquet or CSV files, with a Frictionless datapackage.json.

Layout (docs/schema.md, "Exported files"):
  DIR/figures/country_iso3=SYR/year=2020/data_0.parquet   v_figures, hive-partitioned; `year` is the year of the
                                                          figure's reference date (period_end, else period_start,
                                                          else published); no country or date:
                                                          __HIVE_DEFAULT_PARTITION__
  DIR/<view without v_>/<view without v_>.parquet          every other v_* view (claims, documents, places, ...)
  DIR/datapackage.json                                    fields, descriptions, sources and licences

The dashboard caches (v_figure_facts, v_figure_months) are left out: they repeat v_figures. With `restricted`,
figures of sources whose terms forbid redistribution (etl.licences), their documents, claims, rejects, runs and
their rows in v_sources (which count their figures) are left out.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl import licences
from etl.warehouse import configure

FORMATS = ("parquet", "csv")
CACHES = ("v_figure_facts", "v_figure_months")
REF_YEAR = "year(COALESCE(period_end, period_start, published))"
TYPES = {  # DuckDB type prefix -> Frictionless field type
    "VARCHAR": "string", "BIGINT": "integer", "INTEGER": "integer", "HUGEINT": "integer", "SMALLINT": "integer",
    "TINYINT": "integer", "UBIGINT": "integer", "UINTEGER": "integer", "DOUBLE": "number", "FLOAT": "number",
    "DECIMAL": "number", "DATE": "date", "TIMESTAMP": "datetime", "BOOLEAN": "boolean", "STRUCT": "object",
    "MAP": "object", "JSON": "object",
}


class ExportError(RuntimeError):
    pass


@dataclass
class Exported:
    name: str
    rows: int
    files: list[str]


def export(db: Path, out: Path, fmt: str = "parquet", restricted: bool = True, memory_limit: str = "1GB",
           threads: int = 2) -> list[Exported]:
    """Write the views of the warehouse `db` under `out`; returns what was written, view by view."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    if not Path(db).exists():
        raise ExportError(f"no warehouse at {db}: run `displacement demo` or `displacement etl run` first")
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / "datapackage.json").exists():
        raise ExportError(f"{out} is not empty and holds no earlier export; choose an empty or new folder")
    con = duckdb.connect(str(db), read_only=True)
    try:
        configure(con, memory_limit, threads)
        con.execute("SET preserve_insertion_order = false")  # lets DuckDB stream partitioned writes in less memory
        views = public_views(con)
        hidden = licences.restricted_sources() if restricted else []
        written = []
        for view in views:
            name = view.removeprefix("v_")
            target = out / name
            if target.exists():
                shutil.rmtree(target)  # an earlier export of the same view
            target.mkdir(parents=True)
            select = _select(view, hidden)
            if view == "v_figures":
                copy = f"COPY ({select}) TO '{_q(target)}' ({_options(fmt)}, PARTITION_BY (country_iso3, year))"
            else:
                copy = f"COPY ({select}) TO '{_q(target / f'{name}.{fmt}')}' ({_options(fmt)})"
            rows = con.execute(copy).fetchall()[0][0]  # COPY answers with the rows it wrote
            files = sorted(str(p.relative_to(out)) for p in target.rglob(f"*.{fmt}"))
            written.append(Exported(name, rows, files))
        package = datapackage(con, views, written, fmt, hidden)
    finally:
        con.close()
    (out / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False, default=str) + "\n")
    return written


def public_views(con) -> list[str]:
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND view_name LIKE 'v\\_%'"
        " ESCAPE '\\' ORDER BY view_name"
    ).fetchall()
    return [r[0] for r in rows if r[0] not in CACHES]


def _select(view: str, hidden: list[str]) -> str:
    keep = licences.sql_filter() if hidden else "TRUE"
    if view == "v_figures":
        return f"SELECT *, {REF_YEAR} AS year FROM v_figures WHERE {keep}"
    if view in ("v_rejects", "v_documents", "v_etl_runs", "v_sources"):  # runs and sources count the rows too
        return f"SELECT * FROM {view} WHERE {keep}"
    if view == "v_document_text":
        return f"SELECT * FROM v_document_text WHERE doc_id IN (SELECT doc_id FROM documents WHERE {keep})"
    if view == "v_review_overlay" and hidden:
        return f"SELECT * FROM v_review_overlay WHERE figure_id NOT IN (SELECT figure_id FROM figures WHERE NOT {keep})"
    if view == "v_claims" and hidden:
        return (f"SELECT * FROM v_claims WHERE NOT list_has_any(figure_ids,"
                f" COALESCE((SELECT list(figure_id) FROM figures WHERE NOT {keep}), []))")
    return f"SELECT * FROM {view}"


def _options(fmt: str) -> str:
    return "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def datapackage(con, views: list[str], written: list[Exported], fmt: str, hidden: list[str]) -> dict:
    """A Frictionless Data Package describing the files: fields with types and descriptions, sources, licences."""
    comments = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    sources = con.execute("SELECT name, licence, url FROM sources ORDER BY name").fetchall()
    resources = []
    for view, item in zip(views, written):
        fields = [
            {"name": name, "type": _field_type(dtype), "description": comment or ""}
            for name, dtype, comment in con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ?"
                " ORDER BY column_index", [view]).fetchall()
        ]
        if view == "v_figures":
            fields.append({"name": "year", "type": "integer",
                           "description": "Year of the reference date: period_end, else period_start, else published"
                                          " (hive partition key, with country_iso3)"})
        resources.append({
            "name": item.name,
            "title": view,
            "description": comments.get(view) or "",
            "path": item.files,
            "format": fmt,
            "mediatype": "application/vnd.apache.parquet" if fmt == "parquet" else "text/csv",
            "rows": item.rows,
            "schema": {"fields": fields},
        })
    return {
        "profile": "data-package",
        "name": "displacement",
        "title": "Displacement, casualty and damage figures with their provenance",
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "description": "Exported from the displacement warehouse. Every figure carries its licence and attribution;"
                       " each source's terms apply to the rows it loaded."
                       + (f" Left out (their terms forbid redistribution): {', '.join(hidden)}." if hidden else ""),
        "licenses": [{"name": "other-at", "title": "Each source's own licence: see sources[] and each figure's"
                                                   " licence column"}],
        "sources": [{"title": name, **({"path": url} if url else {}), "licence": licence or ""}
                    for name, licence, url in sources if name not in hidden],
        "resources": resources,
    }


def _field_type(dtype: str) -> str:
    if dtype.endswith("[]"):
        return "array"
    return TYPES.get(dtype.split("(")[0].split(" ")[0], "any")


def timed_export(db: Path, out: Path, fmt: str, restricted: bool, **limits) -> tuple[list[Exported], float, int]:
    """export(), with its time in seconds and the bytes written."""
    started = time.perf_counter()
    written = export(db, out, fmt, restricted, **limits)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    return written, seconds, size
