"""/api/figures' queries: a bounded plan on 10 million figures.

v_figures joins every figure to its document, source and places before anything is filtered or sorted, so a
page of 100 rows cost a scan of all of them. Here the page is chosen in figure_facts (the derived table, sorted
by metric, country, admin 1 and date, whose zone maps skip the row groups a filter rules out; its ref_date is the
API's sort key), with LIMIT/OFFSET applied there; only those rows then get their place names and licence, and
the few columns only `figures` holds come by figure_id through its primary-key index. Same columns, values and
order as `SELECT ... FROM v_figures ... ORDER BY COALESCE(period_end, period_start, published) DESC NULLS LAST,
figure_id` (tests/test_api.py compares them).
"""

from __future__ import annotations

from etl import licences

# Columns figure_facts holds as v_figures has them (publisher, published, url, title resolved at publish).
FACT_COLUMNS = (
    "figure_id", "metric", "value", "value_low", "value_high", "qualifier", "quantity_text", "unit", "claimed_by",
    "claimed_by_org", "country_iso3", "admin1_pcode", "admin2_pcode", "period_start", "period_end", "stock_or_flow",
    "source", "source_type", "doc_id", "url", "title", "publisher", "published", "dataset", "record_id",
    "review_status", "review_priority",
)
# The page: sorted and cut on the few columns the filters and the order read, then its rows' other columns read
# by rowid (row groups of the page only), joined to the small tables as v_figures joins them.
PAGE_SQL = """
SELECT p.*, c.name AS country_name, a1.name AS admin1_name, a2.name AS admin2_name, s.licence,
       concat_ws(', ', p.publisher, COALESCE(p.title, p.dataset), p.url) AS attribution
FROM (SELECT {facts}, ref_date FROM figure_facts
      WHERE rowid IN (SELECT rowid FROM figure_facts{where}
                      ORDER BY ref_date DESC NULLS LAST, figure_id LIMIT ? OFFSET ?)) p
LEFT JOIN sources s ON s.name = p.source
LEFT JOIN places c ON c.pcode = p.country_iso3
LEFT JOIN places a1 ON a1.pcode = p.admin1_pcode
LEFT JOIN places a2 ON a2.pcode = p.admin2_pcode
ORDER BY p.ref_date DESC NULLS LAST, p.figure_id
"""
# The columns only `figures` holds, for a list of ids (an IN list of constants uses the primary-key index).
REST_COLUMNS = ("location_text", "asylum_iso3", "evidence", "char_start", "char_end", "flags", "reviewed_by",
                "reviewed_at", "original_value", "original_metric")
REST_SQL = """
SELECT figure_id, location_text, asylum_iso3, evidence, char_start, char_end, COALESCE(flags, list_value()),
       reviewed_by, reviewed_at, COALESCE(CAST((original ->> '$.value') AS BIGINT), value),
       COALESCE((original ->> '$.metric'), metric)
FROM figures WHERE figure_id IN ({ids})
"""
INDEX_CHUNK = 2000  # DuckDB looks ids up in the index for IN lists up to index_scan_max_count (2048)


def page_query(where: list[str], params: list, limit: int, offset: int, restricted: bool) -> tuple[str, list]:
    """(sql, params) choosing one page (plus one row telling whether there are more) in figure_facts.

    `where` holds conditions on figure_facts' columns (values as parameters in `params`)."""
    where = ([licences.sql_filter()] if restricted else []) + where
    sql = PAGE_SQL.format(facts=", ".join(FACT_COLUMNS), where=f" WHERE {' AND '.join(where)}" if where else "")
    return sql, [*params, limit + 1, offset]


def fetch(reader, sql: str, params: list, columns: tuple[str, ...]) -> list[list]:
    """Rows of `columns` for the page `sql` chooses, on one snapshot of the warehouse."""
    cur = reader.cursor()
    try:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        page = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        ids = [row["figure_id"] for row in page]
        rest = {}
        for start in range(0, len(ids), INDEX_CHUNK):
            chunk = ids[start:start + INDEX_CHUNK]
            cur.execute(REST_SQL.format(ids=", ".join("?" * len(chunk))), chunk)
            rest.update((row[0], row[1:]) for row in cur.fetchall())
    finally:
        cur.close()
    out = []
    for row in page:
        if row["figure_id"] in rest:  # always, while figure_facts is in step with figures (each publish)
            row.update(zip(REST_COLUMNS, rest[row["figure_id"]], strict=True))
            out.append([row[c] for c in columns])
    return out
