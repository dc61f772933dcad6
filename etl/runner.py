"""Runs sources into the next warehouse version, one transaction each, then publishes it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import UTC, datetime

import pandas as pd

from etl import sources as registry
from etl.model import FIGURE_COLUMNS, stable_hash
from etl.phases import phase
from etl.review import overlay as review_overlay
from etl.sources.base import LoadContext, Options
from etl.warehouse import PublishRefused, etl_lock, next_version, scalar

log = logging.getLogger("etl")

DOC_COLUMNS = (
    "doc_id", "source", "url", "title", "publisher", "published", "retrieved_at", "text", "sha256", "load_id",
    "published_from",
)
FIGURE_TABLE_COLUMNS = ("figure_id", "source", "source_type", "load_id", "content_hash") + FIGURE_COLUMNS
PLACE_COLUMNS = ("pcode", "admin_level", "name", "country_iso3", "parent_pcode", "alt_names", "geometry", "source")
@dataclass
class SourceResult:
    source: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    error: str | None = None
    first_reject: str | None = None  # "file.csv:4: reason", shown by `etl run`


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def default_sources(settings) -> list[str]:
    return [name for name in registry.names() if registry.get(name).configured(settings)]


def run(settings, names: list[str] | None = None, options: Options | None = None, progress=None):
    """Run the named sources (or every configured one) and publish; returns a list of SourceResult."""
    options = options or Options()
    names = registry.match(names) if names else default_sources(settings)
    results = []
    with etl_lock(settings):
        try:
            with next_version(settings, claims=True) as con:
                run_id = scalar(con, "SELECT COALESCE(max(run_id), 0) + 1 FROM etl_runs")
                for name in names:
                    results.append(run_one(con, settings, name, options, run_id, progress))
                review_overlay.apply(con, settings.review_path, run_id)
        except PublishRefused as exc:
            record_refusal(settings, results, run_id, exc)
    return results


def record_refusal(settings, results: list[SourceResult], run_id: int, exc: Exception) -> None:
    """A refused publish loses this run's loads; say so in etl_runs (and so in `etl status`) for every source."""
    error = scrub(f"publish refused: {exc}", settings)
    log.error("%s", error)
    for r in results:
        r.status, r.error, r.rows_loaded = "failed", error, 0
    with next_version(settings, check=False) as con:  # the live data plus these rows, nothing else
        for r in results:
            con.execute(
                "INSERT INTO etl_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [run_id, r.source, now(), now(), r.status, r.rows_read, 0, r.rows_rejected, r.error],
            )


def run_one(con, settings, name: str, options: Options, run_id: int, progress=None) -> SourceResult:
    """Load one source in its own transaction; a failure rolls back to its last good rows."""
    source = registry.get(name)
    started = now()
    con.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,"
        " description = excluded.description, licence = excluded.licence, url = excluded.url",
        [source.name, source.kind, source.description, source.licence, source.url],
    )
    ctx = LoadContext(source=name, settings=settings, options=options, run_id=run_id, con=con)
    source_type = "document" if source.kind == "documents" else "dataset"
    ctx.spill = lambda c: stage_figures(con, c, source_type)
    ctx.stage_sql = lambda sql: stage_query(con, ctx, source_type, sql)
    if progress:
        ctx.progress = progress(name)
    result = SourceResult(source=name, status="ok")
    try:
        source.check_credentials(ctx)
        with phase(f"{name}: read, map and check"):
            source.load(ctx)
        con.execute("BEGIN")
        result.rows_loaded = merge(con, ctx, source)
        with phase("commit"):
            con.execute("COMMIT")
        result.rows_rejected = len(ctx.rejects)
        if ctx.rejects:
            first = ctx.rejects[0]
            result.first_reject = f"{first['location']}: {first['reason']}" if first["location"] else first["reason"]
    except Exception as exc:  # a failing source must not stop the others
        try:
            con.execute("ROLLBACK")
        except Exception:
            pass  # the failure came before BEGIN
        result.status = "failed"
        con.execute(f"DROP TABLE IF EXISTS {STAGED}")
        con.execute("DROP TABLE IF EXISTS staged_figures")
        result.error = scrub(str(exc) if str(exc).startswith(name) else f"{name}: {exc}", settings)
        log.warning("%s failed: %s", name, result.error)
    result.rows_read = ctx.rows_read
    con.execute(
        "INSERT INTO etl_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, name, started, now(), result.status, result.rows_read, result.rows_loaded,
         result.rows_rejected, result.error],
    )
    return result


def scrub(message: str, settings) -> str:
    """Remove every secret setting's value from a message before it is logged or stored."""
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.metadata.get("secret") and value:
            message = message.replace(str(value), "***")
    return message.splitlines()[0][:500] if message else message


def _frame(rows: list[dict], columns) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=list(columns))


INDEX_LOOKUP = 2000  # DuckDB answers an IN list of up to index_scan_max_count (2048) constants from the index


def _held_ids(con, n_staged: int) -> str | None:
    """The staged figure ids that `figures` already holds, as an SQL list of constants ('' for none); None when
    too many were staged for index look-ups."""
    if n_staged > INDEX_LOOKUP:
        return None
    staged = [row[0] for row in con.execute("SELECT figure_id FROM staged_figures").fetchall()]
    return _known(con, "figures", "figure_id", staged)


def _known(con, table: str, key: str, values: list[str]) -> str | None:
    """Which of `values` `table` holds as `key` (its primary key), as an SQL list of constants ('' for none);
    None when there are too many to look up in the index."""
    if len(values) > INDEX_LOOKUP:
        return None
    if not values:
        return ""
    held = con.execute(f"SELECT {key} FROM {table} WHERE {key} IN ({_constants(values)})").fetchall()
    return _constants([row[0] for row in held])


def _constants(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def merge(con, ctx: LoadContext, source) -> int:
    """Merge what the source staged; natural keys make a second run on the same input change nothing."""
    loaded = 0
    source_type = "document" if source.kind == "documents" else "dataset"
    if ctx.documents:
        docs = _frame([{**d, "source": ctx.source, "load_id": ctx.run_id} for d in ctx.documents], DOC_COLUMNS)
        docs = docs.drop_duplicates("doc_id", keep="last")
        # only a document the warehouse already held can have figures to drop (a new article scans nothing)
        known = _known(con, "documents", "doc_id", docs["doc_id"].tolist())
        con.register("staged_documents", docs)
        con.execute(
            f"INSERT INTO documents SELECT {', '.join(DOC_COLUMNS)} FROM staged_documents"
            " ON CONFLICT (doc_id) DO UPDATE SET url = excluded.url, title = excluded.title,"
            " publisher = excluded.publisher, published = excluded.published, text = excluded.text,"
            " sha256 = excluded.sha256, retrieved_at = excluded.retrieved_at, load_id = excluded.load_id,"
            " published_from = excluded.published_from"
            " WHERE documents.sha256 <> excluded.sha256 OR documents.publisher IS DISTINCT FROM excluded.publisher"
            " OR documents.published IS DISTINCT FROM excluded.published"
        )
        con.unregister("staged_documents")
    stage_figures(con, ctx, source_type)
    with phase("de-duplicate"):
        n_staged = _deduplicate(con)
    if ctx.documents and known != "":
        # A re-extracted document keeps exactly the figures extraction gives now.
        con.register("staged_doc_ids", _frame([{"doc_id": d["doc_id"]} for d in ctx.documents], ["doc_id"]))
        con.execute(
            "DELETE FROM figures WHERE doc_id IN (SELECT doc_id FROM staged_doc_ids)"
            " AND figure_id NOT IN (SELECT figure_id FROM staged_figures)"
        )
        con.unregister("staged_doc_ids")
    if n_staged:
        before = scalar(con, "SELECT count(*) FROM figures")
        # A key holds its source, so a source with no figures yet has only new ones. Otherwise the changed rows,
        # then the new ones: half of what one INSERT ... ON CONFLICT DO UPDATE costs, and a rerun that changes
        # nothing writes nothing.
        held = scalar(con, "SELECT count(*) FROM (SELECT 1 FROM figures WHERE source = ? LIMIT 1)", [ctx.source])
        # A small change names its ids as constants, which DuckDB looks up in the primary-key index instead of
        # joining every figure (a refresh's 1,000 figures on 10M: no scan of figure_id).
        within = _held_ids(con, n_staged) if held else None
        with phase("merge into figures"):
            if not held:
                changed, new_only = None, ""
            elif within is not None:  # ids looked up in the index: constants ('' when none was held)
                changed = within or None
                new_only = f" WHERE s.figure_id NOT IN ({within})" if within else ""
            else:  # too many to look up: one join finds both the changed figures and the new ones
                con.execute("CREATE OR REPLACE TEMP TABLE _fate AS SELECT s.figure_id, f.figure_id IS NULL AS new"
                            " FROM staged_figures s LEFT JOIN figures f ON f.figure_id = s.figure_id"
                            " WHERE f.figure_id IS NULL OR f.content_hash <> s.content_hash")
                some = scalar(con, "SELECT count(*) FROM _fate WHERE NOT new")
                changed = "SELECT figure_id FROM _fate WHERE NOT new" if some else None
                new_only = " WHERE s.figure_id IN (SELECT figure_id FROM _fate WHERE new)"
            if changed:
                updates = ", ".join(f"{c} = s.{c}" for c in FIGURE_TABLE_COLUMNS if c != "figure_id")
                con.execute(f"UPDATE figures SET {updates} FROM staged_figures s"
                            " WHERE figures.figure_id = s.figure_id AND figures.content_hash <> s.content_hash"
                            f" AND figures.figure_id IN ({changed})")
            con.execute(
                f"INSERT INTO figures ({', '.join(FIGURE_TABLE_COLUMNS)})"
                f" SELECT {', '.join(_typed(c) for c in FIGURE_TABLE_COLUMNS)} FROM staged_figures s" + new_only
                # in key order: the primary-key index takes sorted keys at twice the speed (10M: 28 s, not 52 s)
                + " ORDER BY s.figure_id"
            )
        after = scalar(con, "SELECT count(*) FROM figures")
        loaded += after - before
    con.execute("DROP TABLE IF EXISTS _fate")
    con.execute("DROP TABLE staged_figures")
    for dataset, record_id in ctx.deleted_records:
        con.execute("DELETE FROM figures WHERE source = ? AND dataset = ? AND record_id = ?",
                    [ctx.source, dataset, record_id])
    if ctx.places:
        places = _frame([{**p, "source": ctx.source} for p in ctx.places], PLACE_COLUMNS)
        places = places.drop_duplicates("pcode", keep="last")
        con.register("staged_places", places)
        con.execute(
            f"INSERT INTO places SELECT {', '.join(PLACE_COLUMNS)} FROM staged_places ON CONFLICT (pcode) DO UPDATE SET"
            " name = COALESCE(excluded.name, places.name),"
            " admin_level = excluded.admin_level, country_iso3 = excluded.country_iso3,"
            " parent_pcode = COALESCE(excluded.parent_pcode, places.parent_pcode),"
            " alt_names = CASE WHEN places.alt_names IS NULL AND excluded.alt_names IS NULL THEN NULL ELSE"
            " list_sort(list_distinct(list_concat(COALESCE(places.alt_names, []),"
            " COALESCE(excluded.alt_names, [])))) END,"
            " geometry = COALESCE(excluded.geometry, places.geometry)"
        )
        con.unregister("staged_places")
        loaded += len(places)
    if ctx.rejects:  # in one statement: 20,000 rejects cost what 20,000 figures cost
        rejects = _frame([{"reject_id": stable_hash(ctx.source, r["location"], r["reason"], r["raw"]),
                           "source": ctx.source, "run_id": ctx.run_id, **r} for r in ctx.rejects],
                         ("reject_id", "source", "run_id", "location", "reason", "raw"))
        con.register("staged_rejects", rejects.drop_duplicates("reject_id"))
        con.execute("INSERT INTO rejects SELECT reject_id, source, run_id, CAST(location AS VARCHAR), reason,"
                    " CAST(raw AS VARCHAR) FROM staged_rejects ON CONFLICT (reject_id) DO NOTHING")
        con.unregister("staged_rejects")
    for key, value in ctx.state.items():
        con.execute(
            "INSERT INTO source_state VALUES (?, ?, ?, ?) ON CONFLICT (source, key) DO UPDATE SET"
            " value = excluded.value, updated_at = excluded.updated_at"
            " WHERE source_state.value IS DISTINCT FROM excluded.value",
            [ctx.source, key, value, now()],
        )
    return loaded + len(ctx.documents)


STAGED = "staged_figure_rows"  # a temp table: figures wait here, out of Python's memory, until the merge


def _deduplicate(con) -> int:
    """Turn the staging table into staged_figures, one row per figure_id (the last staged wins); its row count.

    Most loads stage each key once: then the table is renamed, not copied."""
    n, distinct = con.execute(f"SELECT count(*), count(DISTINCT figure_id) FROM {STAGED}").fetchall()[0]
    if n == distinct:
        con.execute(f"ALTER TABLE {STAGED} RENAME TO staged_figures")
        return n
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE staged_figures AS SELECT * EXCLUDE (seq) FROM {STAGED}"
        " QUALIFY row_number() OVER (PARTITION BY figure_id ORDER BY seq DESC) = 1"
    )
    con.execute(f"DROP TABLE {STAGED}")
    return distinct


def stage_figures(con, ctx: LoadContext, source_type: str) -> None:
    """Move the figures staged in memory to the staging table, with their keys; the first call creates it."""
    if ctx.staged and hasattr(con, "heavy"):
        con.heavy = True  # a second chunk: a load too large to keep in the publish journal
    rows = []
    for f in ctx.figures:
        if f["doc_id"]:
            key = stable_hash(ctx.source, f["doc_id"], f["char_start"], f["char_end"], f["metric"], f["value"])
        else:
            key = stable_hash(ctx.source, f["dataset"], f["record_id"], f["metric"], f["unit"])
        content = stable_hash(*(f[c] for c in FIGURE_COLUMNS))
        rows.append({**f, "figure_id": key, "source": ctx.source, "source_type": source_type,
                     "load_id": ctx.run_id, "content_hash": content})
    ctx.figures = []
    chunk = _frame(rows, FIGURE_TABLE_COLUMNS)
    chunk["seq"] = range(ctx.staged, ctx.staged + len(chunk))
    typed = ", ".join(f"{_typed(c)} AS {c}" for c in FIGURE_TABLE_COLUMNS)
    con.register("figure_chunk", chunk)
    if not ctx.staged:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGED} AS SELECT {typed}, seq FROM figure_chunk LIMIT 0")
    con.execute(f"INSERT INTO {STAGED} SELECT {typed}, seq FROM figure_chunk")
    con.unregister("figure_chunk")
    ctx.staged += len(chunk) or 1  # the table exists from now on


def stage_query(con, ctx: LoadContext, source_type: str, sql: str) -> None:
    """Stage the figures a source checked set-wise (etl/sources/bulk.py): `sql` selects figure columns by name,
    and `_line`, the record's line in its file (a later line wins over an earlier one with the same key).

    Keys as stage_figures makes them. Such a load is too large to journal: the next publish copies the file."""
    stage_figures(con, ctx, source_type)  # what was staged per record first, and the staging table
    con.heavy = True
    con.execute(f"CREATE OR REPLACE TEMP VIEW bulk_given AS {sql}")
    have = {row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE bulk_given)").fetchall()}
    flags = "CAST([] AS VARCHAR[]) AS flags"
    columns = ", ".join(c if c in have else flags if c == "flags" else f"NULL::VARCHAR AS {c}" for c in FIGURE_COLUMNS)
    source = "'" + ctx.source.replace("'", "''") + "'"
    key = (f"substr(sha1(concat_ws(chr(31), {source}, coalesce(dataset, ''), coalesce(record_id, ''), metric,"
           " unit)), 1, 20)")
    content = f"CAST(hash({', '.join(FIGURE_COLUMNS)}) AS VARCHAR)"  # tells a changed figure from the same one
    typed = ", ".join(_typed(c) for c in FIGURE_COLUMNS)
    with phase("stage with keys"):
        # seq orders the rows of one key for _deduplicate; the line number does it without a window over all rows
        con.execute(
            f"INSERT INTO {STAGED} SELECT {key}, {source}, '{source_type}', {int(ctx.run_id)}, {content}, {typed},"
            f" {int(ctx.staged)} + _line FROM (SELECT {columns}, _line FROM bulk_given)"
        )
    con.execute("DROP VIEW bulk_given")
    ctx.staged = scalar(con, f"SELECT COALESCE(max(seq) + 1, {int(ctx.staged)}) FROM {STAGED}")


def _typed(column: str) -> str:
    if column in ("period_start", "period_end", "published"):
        return f"CAST({column} AS DATE)"
    if column in ("value", "value_low", "value_high"):
        return f"CAST({column} AS BIGINT)"
    if column in ("char_start", "char_end"):
        return f"CAST({column} AS INTEGER)"
    if column == "flags":
        return "CAST(flags AS VARCHAR[])"
    return f"CAST({column} AS VARCHAR)" if column != "load_id" else "CAST(load_id AS BIGINT)"
