"""The dashboard's queries: each `*.sql` file here is one named, parameterised query over the v_* views.

Aggregates and the figures grid read the join-free, sorted v_figure_facts and the monthly rollup v_figure_months
(both rebuilt at every publish), not v_figures, whose per-row joins cost more than the budget on 10M figures.

This is the one module that runs SQL for the pages. Values always travel as DuckDB parameters ($name); the only
text ever spliced into SQL is the static `_filters.sql` / `_grid_filters.sql` fragments and an ORDER BY built
from the allow-list `SORTABLE`. Results are small (aggregated in DuckDB) pandas DataFrames.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.filters import Filters

HERE = Path(__file__).resolve().parent
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_FRAGMENTS = {p.stem.lstrip("_"): p.read_text() for p in HERE.glob("_*.sql")}


def _load() -> dict[str, str]:
    out = {}
    for path in sorted(HERE.glob("[a-z]*.sql")):
        sql, before = path.read_text(), None
        while sql != before:  # a fragment may include another
            before = sql
            for name, fragment in _FRAGMENTS.items():
                body = "\n".join(line for line in fragment.splitlines() if not line.startswith("--"))
                sql = sql.replace("{{" + name + "}}", f"({body})")
        out[path.stem] = sql
    return out


SQL = _load()

# Grid column -> SQL expression it sorts by. Sort names from the browser are looked up here, never spliced in.
SORTABLE = {
    "metric": "f.metric",
    "value": "f.value",
    "qualifier": "f.qualifier",
    "claimed_by_org": "COALESCE(f.claimed_by_org, f.claimed_by)",
    "place": "f.place",
    "period_end": "COALESCE(f.period_end, f.period_start)",
    "publisher": "f.publisher",
    "published": "f.published",
    "title": "COALESCE(f.title, f.dataset)",
}
# Newest first (published DESC NULLS LAST, figure_id): the day precomputed at publish as one integer.
DEFAULT_ORDER = "f.default_rank, f.figure_id"
TEXT_FILTERS = ("metric", "qualifier", "claimed_by_org", "place", "publisher", "title")
EXPORT_CAP = {"csv": 100_000, "xlsx": 20_000}


def run(reader, name: str, params: dict | None = None, order: str | None = None,
        use_cache: bool = True) -> pd.DataFrame:
    """Run query `name` with the parameters it names (missing ones are NULL) through a cursor of `reader`.

    Results are cached until the warehouse file changes (a publish): the same view twice costs nothing.
    """
    sql = SQL[name]
    if order is not None:
        sql = sql.replace("{{order}}", order)
    params = params or {}
    used = {key: params.get(key) for key in _PARAM.findall(sql)}
    key = ("run", name, order, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in used.items())))

    def execute():
        cur = reader.cursor()
        try:
            return cur.execute(sql, used).df()
        finally:
            cur.close()

    return cached(reader, key, execute, use_cache).copy()


# Small cache for what changes only when the warehouse is republished (filter choices, boundaries).
CACHING = True  # benchmarks turn it off to time DuckDB itself
CACHE_ENTRIES = 256
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()
_computing: dict = {}  # key -> lock held while one thread computes it


def _stamp(reader):
    try:
        st = os.stat(reader.path)
    except FileNotFoundError:
        reader.cursor()  # raises WarehouseError saying how to build the warehouse
        raise
    return (str(reader.path), st.st_ino, st.st_mtime_ns, st.st_size)


def file_stamp(reader):
    """Identity of the warehouse file now: changes with every publish."""
    return _stamp(reader)


def cached(reader, key, compute, use_cache: bool = True):
    if not (use_cache and CACHING):
        return compute()
    full = (_stamp(reader), key)
    with _cache_lock:
        if full in _cache:
            _cache.move_to_end(full)
            return _cache[full]
        computing = _computing.setdefault(full, threading.Lock())
    # One computation per key at a time: the overview's two callbacks ask for the same query at once.
    with computing:
        with _cache_lock:
            if full in _cache:
                return _cache[full]
        try:
            value = compute()
            with _cache_lock:
                _cache[full] = value
                while len(_cache) > CACHE_ENTRIES:
                    _cache.popitem(last=False)
        finally:
            with _cache_lock:
                _computing.pop(full, None)
    return value


# ---- what the pages ask for -------------------------------------------------------------------------------------

def filter_options(reader, country: str | None = None, use_cache: bool = True) -> dict:
    """Choices for the filter bar: countries, admin1 areas (of `country`), metrics, organisations, date range."""

    def compute():
        other = run(reader, "options_other")
        dates = other.loc[other.kind == "dates", "value"].tolist()
        # no dated figure at all gives NULL (NaN here): no range, not an error
        lo, hi = (dates[0].split("/") + [None])[:2] if dates and isinstance(dates[0], str) else (None, None)
        return {
            "countries": _records(run(reader, "options_countries")),
            "admin1": _records(run(reader, "options_admin1", {"country": country})),
            "metrics": other.loc[other.kind == "metric", "value"].tolist(),
            "orgs": other.loc[other.kind == "org", "value"].tolist(),
            "min_date": lo or None,
            "max_date": hi or None,
        }

    return cached(reader, ("options", country), compute, use_cache)


def admin1_options(reader, country: str | None) -> list[dict]:
    return cached(reader, ("admin1", country), lambda: _records(run(reader, "options_admin1", {"country": country})))


def data_as_of(reader) -> dict:
    return cached(reader, "as_of", lambda: _records(run(reader, "data_as_of"))[0])


def overview(reader, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(headlines, trend): overview_heads.sql and overview_trend.sql."""
    return headlines(reader, f), trend(reader, f)


def headlines(reader, f: Filters) -> pd.DataFrame:
    """Per metric, kind and unit: n_figures, n_orgs and the latest figure's fields (value, org, ref_date, ...)."""
    heads = run(reader, "overview_heads", f.params()).rename(columns={"n": "n_figures"})
    if heads.empty:
        return heads.drop(columns="best")
    return pd.concat([heads.drop(columns="best"), pd.DataFrame(heads["best"].tolist())], axis=1)


def trend(reader, f: Filters) -> pd.DataFrame:
    """One row per line: metric, kind, unit, organisation (the 8 with most figures per series), its figures (n), rank,
    n_orgs, and per month the largest value: months ('YYYY-MM-DD' strings) and values (ints), as lists."""
    df = run(reader, "overview_trend", f.params())
    for col in ("metric", "kind", "unit", "org"):  # plain str, not Arrow's: read per line when charts are built
        df[col] = df[col].astype(object)
    df["months"] = [np.datetime_as_string(m.astype("datetime64[D]")).tolist() for m in df["months"]]
    df["values"] = [v.tolist() for v in df["values"]]
    return df


def place(reader, pcode: str | None) -> dict | None:
    if not pcode:
        return None
    rows = _records(run(reader, "place", {"pcode": pcode}))
    return rows[0] if rows else None


def compare(reader, f: Filters) -> tuple[dict | None, pd.DataFrame]:
    """The place compared (the narrowest filter, else the place with most organisations) and its claims."""
    params = f.params() | {"metric": f.metric or "displaced"}
    pcode = f.narrowest_place()
    if pcode:
        info = place(reader, pcode) or {"pcode": pcode, "name": pcode, "admin_level": _level(f)}
        info = info | {"chosen": True}
    else:
        top = _records(run(reader, "compare_place", params))
        if not top:
            return None, pd.DataFrame()
        info = (place(reader, top[0]["pcode"]) or {"pcode": top[0]["pcode"], "name": top[0]["pcode"]})
        info = info | {"admin_level": int(top[0]["level"]), "chosen": False}
    claims = run(reader, "compare_claims", params | {"place": info["pcode"], "level": int(info["admin_level"])})
    return _one_series(info, claims, f.kind, f.unit)


def _one_series(info: dict, claims: pd.DataFrame, kind: str | None = None,
                unit: str | None = None) -> tuple[dict, pd.DataFrame]:
    """Stocks (totals) and flows (newly displaced…) are different series: keep `kind` (flow, stock or both), by
    default the one with more claims (flows on a tie; claims that do not say count as flows). One unit only:
    `unit`, else the one with most claims (people on a tie). info gets `series`, `n_stock`, `n_flow`,
    `n_other_series` (claims of the other kind left out), `unit` and `n_other_units`."""
    if claims.empty:
        return info | {"series": kind or "flow", "n_stock": 0, "n_flow": 0, "n_other_series": 0,
                       "unit": unit or "people", "n_other_units": 0}, claims
    units = claims["unit"].fillna("people")
    counts = units.value_counts()
    unit = unit or max(counts.index, key=lambda u: (counts[u], u == "people"))
    same_unit = units.eq(unit)
    claims = claims[same_unit].reset_index(drop=True)
    is_stock = claims["stock_or_flow"].eq("stock")
    n_stock, n_flow = int(is_stock.sum()), int((~is_stock).sum())
    series = kind or ("stock" if n_stock > n_flow else "flow")
    if series == "both":
        keep = pd.Series(True, index=claims.index)
    else:
        keep = is_stock if series == "stock" else ~is_stock
    info = info | {"series": series, "n_stock": n_stock, "n_flow": n_flow, "n_other_series": int((~keep).sum()),
                   "unit": unit, "n_other_units": int((~same_unit).sum())}
    return info, claims[keep].reset_index(drop=True)


def _level(f: Filters) -> int:
    return 2 if f.admin2 else 1 if f.admin1 else 0


def region_level(f: Filters) -> int:
    """Regions are drawn per admin1, or per admin2 once an admin1 is chosen."""
    return 2 if f.admin1 else 1


def wider_areas(reader, f: Filters) -> pd.DataFrame:
    """Under filters with scope=wider (dashboard.wider.listing): how many figures each wider area has (area, n,
    and n_all, areas_all over all areas), the 5 largest first."""
    return run(reader, "wider_areas", f.params())


def region_kind(f: Filters) -> str:
    """The regions page ranks one kind of displaced figure: new (flow) unless totals (stock) are asked for."""
    return "stock" if f.kind == "stock" else "flow"


def region_values(reader, f: Filters) -> pd.DataFrame:
    params = f.params() | {"metric": f.metric or "displaced", "level": region_level(f), "unit": f.unit or "people",
                           "kind": region_kind(f)}
    return run(reader, "region_values", params)


def region_shapes(reader, f: Filters, pcodes=(), use_cache: bool = True) -> dict | None:
    """A GeoJSON FeatureCollection (feature ids = p-codes), or None when no boundaries are loaded.

    Besides the regions with figures, the other regions of their country are drawn (grey) for context.
    """
    level = region_level(f)
    country = f.country
    if country is None and pcodes:
        first = place(reader, list(pcodes)[0])
        country = first["country_iso3"] if first else None
    key = ("shapes", level, country, f.admin1, tuple(sorted(pcodes)))

    def compute():
        params = {"level": level, "country": country, "admin1": f.admin1, "pcodes": list(pcodes)}
        rows = run(reader, "region_shapes", params)
        features = []
        for row in rows.itertuples():
            try:
                geometry = json.loads(row.geometry)
            except (TypeError, ValueError):
                continue
            features.append({"type": "Feature", "id": row.pcode, "properties": {"name": row.name},
                             "geometry": geometry})
        return {"type": "FeatureCollection", "features": features} if features else None

    return cached(reader, key, compute, use_cache)


def grid_params(filter_model: dict | None) -> dict:
    """AG Grid's filterModel -> parameters of `_grid_filters.sql` (unknown columns and types are ignored)."""
    out = {}
    for column, spec in (filter_model or {}).items():
        if not isinstance(spec, dict):
            continue
        kind, text = spec.get("type"), spec.get("filter")
        if column in TEXT_FILTERS and isinstance(text, str) and text.strip():
            out[f"q_{column}"] = text.strip().lower()[:300]
            out[f"qk_{column}"] = kind if kind in ("equals", "startsWith", "endsWith") else "contains"
        elif column == "value" and isinstance(text, (int, float)):
            if kind in ("greaterThan", "greaterThanOrEqual", "inRange"):
                out["v_min"] = int(text)
            if kind in ("lessThan", "lessThanOrEqual"):
                out["v_max"] = int(text)
            if kind == "equals":
                out["v_min"] = out["v_max"] = int(text)
            if kind == "inRange" and isinstance(spec.get("filterTo"), (int, float)):
                out["v_max"] = int(spec["filterTo"])
    return out


def order_by(sort_model) -> str:
    """AG Grid's sortModel -> ORDER BY text built only from SORTABLE's expressions."""
    parts = []
    for item in sort_model or []:
        if isinstance(item, dict):
            item = (item.get("colId"), item.get("sort"))
        column, direction = item
        if column in SORTABLE and direction in ("asc", "desc"):
            parts.append(f"{SORTABLE[column]} {direction.upper()} NULLS LAST")
    return ", ".join(parts + [DEFAULT_ORDER]) if parts else DEFAULT_ORDER


def figure_rows(reader, f: Filters, start: int, end: int, sort_model=None, filter_model=None,
                figure: str | None = None, count: bool = True) -> tuple[pd.DataFrame, int | None]:
    """Rows start..end of the figures grid and (if `count`) how many rows match."""
    start = max(int(start or 0), 0)
    limit = min(max(int(end or 0) - start, 0), 1000)
    params = f.params() | grid_params(filter_model) | {"figure": figure, "limit": limit, "offset": start}
    rows = run(reader, "figure_rows", params, order=order_by(sort_model))
    total = int(run(reader, "figure_count", params)["n"].iloc[0]) if count else None
    return rows, total


def export_batches(reader, f: Filters, fmt: str, sort_model=None, filter_model=None, figure=None,
                   restricted: list[str] | None = None, batch: int = 2000):
    """(columns, batches): the download's rows (export_rows.sql) as lists of tuples, `batch` at a time, read from
    a cursor of `reader` that is closed when the batches end. Never cached: a download may be large."""
    sql = SQL["export_rows"].replace("{{order}}", order_by(sort_model))
    params = f.params() | grid_params(filter_model) | {"figure": figure, "limit": EXPORT_CAP[fmt],
                                                       "restricted": list(restricted or [])}
    cur = reader.cursor()
    try:
        cur.execute(sql, {key: params.get(key) for key in _PARAM.findall(sql)})
    except Exception:
        cur.close()
        raise
    columns = [d[0] for d in cur.description]

    def batches():
        try:
            while rows := cur.fetchmany(batch):
                yield rows
        finally:
            cur.close()

    return columns, batches()


def document(reader, doc_id: str) -> tuple[dict | None, pd.DataFrame]:
    rows = _records(run(reader, "document", {"doc_id": doc_id}))
    if not rows:
        return None, pd.DataFrame()
    return rows[0], run(reader, "document_figures", {"doc_id": doc_id})


def figure_record(reader, figure_id: str) -> dict | None:
    rows = _records(run(reader, "figure_record", {"figure": figure_id}))
    return rows[0] if rows else None


def sources(reader) -> tuple[pd.DataFrame, pd.DataFrame]:
    return run(reader, "sources"), run(reader, "etl_runs")


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts with plain Python values (NaN/NaT -> None)."""
    return [{k: (None if _isna(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def _isna(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# ---- the review page ----------------------------------------------------------------------------------------------

def review_queue(reader, f: Filters, status: str, limit: int = 50) -> list[dict]:
    """The figures most in need of a look under the filters, with review status `status` ('all': any).
    Never cached: a publish may have applied reviews since."""
    params = f.params() | {"with_rejected": True, "status": status, "limit": limit, "offset": 0}
    return _records(run(reader, "review_queue", params, use_cache=False))


def review_context(reader, doc_id: str, char_start: int, char_end: int) -> tuple[str, int] | None:
    """(the stretch of the document around a figure, its offset in the document)."""
    rows = _records(run(reader, "review_context", {"doc_id": doc_id, "char_start": char_start,
                                                   "char_end": char_end}))
    return (rows[0]["text"] or "", int(rows[0]["offset"])) if rows else None


def places_matching(reader, text: str) -> list[dict]:
    """Places whose name, any spelling or p-code matches `text` (the review form's p-code picker)."""
    text = (text or "").strip().lower()[:100]
    return _records(run(reader, "review_places", {"q": text})) if len(text) >= 2 else []
