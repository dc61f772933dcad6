"""Derived tables kept in step with the base tables at each publish: figure_facts, figure_months and claims.

A publish recomputes only what its changes touch. The unit is a partition: metric × country × month of a
figure's reference date. Every claim and every figure_months row lies in exactly one partition, so deleting a
touched partition's rows and recomputing them from figure_facts gives what a full rebuild would.

What changed since the last publish (the watermark, a run id kept in warehouse_state):
- figures and documents with load_id > watermark (the runner stamps every row it inserts or changes);
- places whose name changed (compared with the copy `snapshot_places` takes when the publish starts);
- figures deleted or added without a new load_id, found per source by comparing counts with figure_facts.

`rebuild` computes everything from scratch (a new warehouse, a change of DERIVED_VERSION, or a change too large to
be worth doing piecewise); it sorts on disk when the data exceeds the memory limit.
"""

from __future__ import annotations

DERIVED_VERSION = 5  # bump when a definition below changes: the next publish rebuilds the derived tables
REBUILD_SHARE = 0.3  # touching more than this share of the figures rebuilds everything instead

PUBLISHER = "COALESCE(d.publisher, f.publisher, f.claimed_by_org, f.source)"
PUBLISHED = "COALESCE(d.published, f.published, f.period_end, f.period_start)"

# figure_facts: v_figures without the per-row joins (publisher, dates, title and place name resolved once), plus
# org and ref_date as the dashboard filters them. A full rebuild stores it sorted so that zone maps skip row
# groups when a metric, country, admin1 or date range is chosen; rows a refresh adds go at the end.
# default_rank: newest first (days before 1970, NULL last); the grid breaks ties by figure_id.
# place: the region's or district's name; for a figure tagged to no region, the place as written ("northwest
# Syria"), else the country's name.
FACTS = f"""
SELECT r.*, COALESCE(r.claimed_by_org, r.publisher) AS org,
       COALESCE(r.period_end, r.period_start, r.published) AS ref_date,
       CASE WHEN r.admin1_pcode IS NULL THEN 0 WHEN r.admin2_pcode IS NULL THEN 1 ELSE 2 END AS place_level,
       COALESCE(-date_diff('day', DATE '1970-01-01', r.published), 2147483647)::BIGINT AS default_rank,
       r.doc_published, r.fig_published
FROM (
    SELECT f.figure_id, f.source, f.source_type, f.doc_id, f.dataset, f.record_id,
           f.metric, f.value, f.value_low, f.value_high, f.qualifier, f.quantity_text, f.unit,
           f.claimed_by, f.claimed_by_org, f.country_iso3, f.admin1_pcode, f.admin2_pcode,
           f.period_start, f.period_end, f.stock_or_flow,
           {PUBLISHER} AS publisher, {PUBLISHED} AS published,
           COALESCE(d.url, f.url) AS url, d.title,
           COALESCE(a2.name, a1.name, NULLIF(trim(f.location_text), ''), c.name) AS place,
           d.published AS doc_published, f.published AS fig_published,
           COALESCE(f.review_status, 'unreviewed') AS review_status, f.review_priority
    FROM figures f
    LEFT JOIN documents d ON d.doc_id = f.doc_id
    LEFT JOIN places c ON c.pcode = f.country_iso3
    LEFT JOIN places a1 ON a1.pcode = f.admin1_pcode
    LEFT JOIN places a2 ON a2.pcode = f.admin2_pcode
    WHERE {{where}}
) r
"""
FACTS_ORDER = "ORDER BY metric, country_iso3, admin1_pcode, ref_date, figure_id"

MONTH = "CAST(date_trunc('month', f.ref_date) AS DATE)"
# The rows of figure_facts in the touched partitions (_parts); {pushdown} narrows the scan to the row groups that
# can hold them (figure_facts is sorted by metric and country).
IN_PARTS = f"""figure_facts f SEMI JOIN _parts p ON f.metric = p.metric
    AND f.country_iso3 IS NOT DISTINCT FROM p.country_iso3 AND {MONTH} IS NOT DISTINCT FROM p.month
    WHERE {{pushdown}}"""
PARTS_OF = f"SELECT DISTINCT f.metric, f.country_iso3, {MONTH} AS month FROM "

# figure_months: per metric, series, unit, source type, organisation, country, place level and month: the count, sum,
# min and max of the values and the latest figure (by ref_date, published, value, figure_id). The overview reads
# it instead of every figure when no admin1/admin2 is chosen.
MONTHS = f"""
SELECT metric, stock_or_flow, unit, source_type, org, country_iso3, place_level, {MONTH} AS month,
       review_status = 'rejected' AS rejected,
       count(*) AS n, sum(value) AS value_sum, min(value) AS value_min, max(value) AS value_max,
       arg_max({{'value': value, 'value_low': value_low, 'value_high': value_high, 'qualifier': qualifier,
                'quantity_text': quantity_text, 'org': org, 'ref_date': ref_date, 'figure_id': figure_id}},
               (ref_date, published, value, figure_id)) AS latest,
       max({{'ref_date': ref_date, 'published': published, 'value': value, 'figure_id': figure_id}}) AS latest_key
FROM {{source}}
GROUP BY ALL
"""

# A claim: one organisation's figure for one metric, place, month and value, however many documents carry it.
# Stocks and flows stay apart (OCHA's total displaced is not its newly displaced).
# The number of documents is len(list_distinct(…)), not count(DISTINCT …): the same count, 40% cheaper over
# 10M claims (DuckDB's DISTINCT aggregate keeps a hash set per group).
CLAIM_KEY = ("f.org", "f.metric", "f.country_iso3", "f.admin1_pcode", "f.admin2_pcode",
             "date_trunc('month', f.ref_date)", "f.value", "f.qualifier", "f.unit", "f.source_type",
             "f.stock_or_flow")
CLAIM_ID = f"md5(concat_ws('|', {', '.join(CLAIM_KEY)}))"
CLAIMS = f"""
SELECT {CLAIM_ID} AS claim_id, f.org, f.metric, f.country_iso3, f.admin1_pcode, f.admin2_pcode,
       min(COALESCE(f.period_start, f.period_end, f.doc_published)),
       max(COALESCE(f.period_end, f.period_start, f.doc_published)),
       f.value, min(f.value_low), max(f.value_high), f.qualifier, f.unit, f.source_type,
       count(*), len(list_distinct(list(COALESCE(f.doc_id, f.url)))),
       list_sort(list_distinct(list(f.doc_id) FILTER (WHERE f.doc_id IS NOT NULL))),
       list_sort(list(f.figure_id)),
       min(COALESCE(f.doc_published, f.fig_published, f.period_end)),
       max(COALESCE(f.doc_published, f.fig_published, f.period_end)), f.stock_or_flow, {MONTH} AS month
FROM {{source}}
GROUP BY {', '.join(CLAIM_KEY)}
"""


TOUCHED = "f.figure_id IN (SELECT figure_id FROM _touched)"
ADDED = "f.figure_id IN (SELECT figure_id FROM _added)"


def facts(where: str) -> str:
    return FACTS.replace("{where}", where)


def months(source: str) -> str:
    return MONTHS.replace("{source}", source)


def claims(source: str) -> str:
    """Claims of the figures in `source`, leaving out those a reviewer rejected."""
    return CLAIMS.replace("{source}", f"(SELECT f.* FROM {source}) f WHERE f.review_status <> 'rejected'")


def _state(con, key: str):
    rows = con.execute("SELECT value FROM warehouse_state WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def _set_state(con, key: str, value: int) -> None:
    con.execute("INSERT INTO warehouse_state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value])


def _watermark(con) -> int:
    """The newest run id in the base tables: rows stamped later than this are the next publish's changes."""
    return con.execute(
        "SELECT greatest((SELECT COALESCE(max(run_id), 0) FROM etl_runs),"
        " (SELECT COALESCE(max(load_id), 0) FROM figures), (SELECT COALESCE(max(load_id), 0) FROM documents))"
    ).fetchall()[0][0]


def snapshot_places(con) -> None:
    """Remember place names as they are before the publish loads anything (figure_facts carries them)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _places_before AS SELECT pcode, name FROM places")


def watermark(con) -> int | None:
    """The run id up to which the derived tables are up to date; None when they must be rebuilt."""
    return _state(con, "watermark") if is_current(con) else None


def is_current(con) -> bool:
    return _state(con, "derived") == DERIVED_VERSION


def rebuild(con, claims_too: bool = True) -> None:
    """Build every derived table from the base tables (`claims_too=False`: all but claims, for benchmarks that
    make up their own)."""
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"CREATE OR REPLACE TABLE figure_facts AS {facts('true')} {FACTS_ORDER}")
    con.execute(f"CREATE OR REPLACE TABLE figure_months AS {months('figure_facts f')}"
                " ORDER BY metric, country_iso3, month, org, stock_or_flow, source_type, place_level")
    if claims_too:
        con.execute("DELETE FROM claims")
        con.execute(f"INSERT INTO claims {claims('figure_facts f WHERE true')} ORDER BY metric, country_iso3, month")
    con.execute("RESET preserve_insertion_order")
    _set_state(con, "derived", DERIVED_VERSION)
    _set_state(con, "watermark", _watermark(con))
    _set_state(con, "documents", _count(con, "documents"))


def maintain(con, claims_too: bool = True) -> str:
    """Bring the derived tables up to date with the base tables; returns 'appended', 'incremental' or 'rebuilt'."""
    if not is_current(con):
        rebuild(con, claims_too)
        return "rebuilt"
    since = _state(con, "watermark")
    n_figures, n_facts = (_count(con, t) for t in ("figures", "figure_facts"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS {facts(f'f.load_id > {int(since)}')}")
    n_new = _count(con, "_new")
    con.execute("CREATE OR REPLACE TEMP TABLE _docs AS SELECT doc_id FROM documents WHERE load_id > ?", [since])
    # Only new figures and new documents (no figure changed or went, no document changed): append their rows.
    # With i figures inserted, u updated and d deleted, n_figures - n_facts = i - d equals i + u only when u = d = 0.
    renamed = _renamed_places(con)
    appended = (n_figures - n_facts == n_new and not renamed
                and _count(con, "documents") - (_state(con, "documents") or 0) == _count(con, "_docs"))
    if appended:
        con.execute(f"INSERT INTO figure_facts SELECT * FROM _new {FACTS_ORDER}")  # a large load keeps zone maps
        con.execute(f"CREATE OR REPLACE TEMP TABLE _parts AS {PARTS_OF} _new f")
    else:
        touched = _touch(con, since)
        if touched > REBUILD_SHARE * max(n_figures, 1) and touched > 100_000:
            rebuild(con, claims_too)
            return "rebuilt"
        _replace_touched(con)
    pushdown = _pushdown(con)
    con.execute("DELETE FROM figure_months m USING _parts p WHERE m.metric = p.metric"
                " AND m.country_iso3 IS NOT DISTINCT FROM p.country_iso3 AND m.month IS NOT DISTINCT FROM p.month")
    con.execute(f"INSERT INTO figure_months {months(IN_PARTS.replace('{pushdown}', pushdown))}")
    if claims_too:
        con.execute("DELETE FROM claims c USING _parts p WHERE c.metric = p.metric"
                    " AND c.country_iso3 IS NOT DISTINCT FROM p.country_iso3 AND c.month IS NOT DISTINCT FROM p.month")
        con.execute(f"INSERT INTO claims {claims(IN_PARTS.replace('{pushdown}', pushdown))}")
    _set_state(con, "watermark", max(since, _watermark(con)))
    _set_state(con, "documents", _count(con, "documents"))
    for table in ("_new", "_docs", "_parts", "_renamed"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return "appended" if appended else "incremental"


def _count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _renamed_places(con) -> bool:
    """Fill _renamed with the places whose name changed since `snapshot_places`; whether there are any."""
    con.execute("CREATE OR REPLACE TEMP TABLE _renamed (pcode VARCHAR)")
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = '_places_before' AND temporary"
                   ).fetchall()[0][0]:
        con.execute("INSERT INTO _renamed SELECT pcode FROM ("
                    " (SELECT pcode, name FROM places EXCEPT SELECT pcode, name FROM _places_before) UNION ALL"
                    " (SELECT pcode, name FROM _places_before EXCEPT SELECT pcode, name FROM places))")
    return _count(con, "_renamed") > 0


def _pushdown(con) -> str:
    """Literal bounds of the touched partitions, which DuckDB checks against each row group's min/max."""
    metrics, countries, low, high, null_country, null_month = con.execute(
        "SELECT list(DISTINCT metric), list(DISTINCT country_iso3) FILTER (WHERE country_iso3 IS NOT NULL),"
        " min(month), max(month), bool_or(country_iso3 IS NULL), bool_or(month IS NULL) FROM _parts"
    ).fetchall()[0]
    if not metrics:
        return "false"
    quoted = lambda values: ", ".join("'" + v.replace("'", "''") + "'" for v in values)  # noqa: E731
    terms = [f"f.metric IN ({quoted(metrics)})"]
    if not null_country:
        terms.append(f"f.country_iso3 IN ({quoted(countries)})")
    if not null_month:
        terms.append(f"f.ref_date >= DATE '{low}' AND f.ref_date < DATE '{high}' + INTERVAL 1 MONTH")
    return " AND ".join(terms)


def _replace_touched(con) -> None:
    """Recompute the figure_facts rows of _touched and of figures gone without a trace; fill _parts with the
    partitions of their old and new rows."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _parts AS {PARTS_OF} figure_facts f SEMI JOIN _touched t"
                " USING (figure_id)")
    con.execute("DELETE FROM figure_facts WHERE figure_id IN (SELECT figure_id FROM _touched)")
    con.execute(f"INSERT INTO figure_facts {facts(TOUCHED)} {FACTS_ORDER}")
    _reconcile_counts(con)
    con.execute(f"INSERT INTO _parts {PARTS_OF} figure_facts f SEMI JOIN _touched t USING (figure_id)")
    con.execute("CREATE OR REPLACE TEMP TABLE _parts AS SELECT DISTINCT * FROM _parts")
    con.execute("DROP TABLE _touched")


def _touch(con, since: int) -> int:
    """Fill _touched with the ids of figures whose figure_facts row must be recomputed; returns how many."""
    con.execute("CREATE OR REPLACE TEMP TABLE _touched AS SELECT figure_id FROM figures WHERE load_id > ?", [since])
    if _count(con, "_docs"):
        # a document's publisher, date, title or address changed, or its figures were extracted again
        con.execute("INSERT INTO _touched SELECT figure_id FROM figures SEMI JOIN _docs USING (doc_id)"
                    " UNION ALL SELECT figure_id FROM figure_facts SEMI JOIN _docs USING (doc_id)")
    if _count(con, "_renamed"):
        for table in ("figures", "figure_facts"):
            con.execute(f"INSERT INTO _touched SELECT figure_id FROM {table} WHERE country_iso3 IN"
                        " (SELECT pcode FROM _renamed) OR admin1_pcode IN (SELECT pcode FROM _renamed)"
                        " OR admin2_pcode IN (SELECT pcode FROM _renamed)")
    con.execute("CREATE OR REPLACE TEMP TABLE _touched AS SELECT DISTINCT figure_id FROM _touched")
    return _count(con, "_touched")


def _reconcile_counts(con) -> None:
    """Figures deleted (or added) without a new load_id: per source, the counts of figures and figure_facts
    differ; only those sources are compared row by row."""
    sources = [r[0] for r in con.execute(
        "SELECT source FROM (SELECT source, count(*) AS n FROM figures GROUP BY source) a"
        " FULL JOIN (SELECT source, count(*) AS n FROM figure_facts GROUP BY source) b USING (source)"
        " WHERE a.n IS DISTINCT FROM b.n"
    ).fetchall()]
    for source in sources:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gone AS SELECT figure_id FROM figure_facts WHERE source = ?"
            " EXCEPT SELECT figure_id FROM figures WHERE source = ?", [source, source])
        con.execute(f"INSERT INTO _parts {PARTS_OF} figure_facts f SEMI JOIN _gone USING (figure_id)")
        con.execute("DELETE FROM figure_facts WHERE figure_id IN (SELECT figure_id FROM _gone)")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _added AS SELECT figure_id FROM figures WHERE source = ?"
            " EXCEPT SELECT figure_id FROM figure_facts WHERE source = ?", [source, source])
        con.execute(f"INSERT INTO figure_facts {facts(ADDED)}")
        con.execute("INSERT INTO _touched SELECT figure_id FROM _added")
        con.execute("DROP TABLE _gone")
        con.execute("DROP TABLE _added")
