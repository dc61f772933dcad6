"""review_priority (0-100): how much a figure needs a person's look, computed at publish for every figure.

- each flag the extractor set: +12 (at most 48);
- size: +4 per power of ten (1,000 → 12, 1,000,000 → 24);
- disagreement: +25 when two or more organisations report the same metric and series for the same place and month,
  and one of their values is at most half or at least twice this one.

Built to fit the ETL's memory limit on 10M figures: the per place-and-month spread is one streaming aggregate
(small: one row per place, month, metric and series with two organisations or more), then figures are scored a
slice of rowids at a time, and only rows whose priority changes are written.
"""

from __future__ import annotations

from etl.warehouse import scalar

FLAG_WEIGHT, FLAG_CAP, SIZE_WEIGHT, DISAGREE = 12, 48, 4, 25
SLICE = 1_000_000
PREFILTER_MAX = 5_000  # more touched places than this: no literal prefilter

_PLACE = "COALESCE(f.admin2_pcode, f.admin1_pcode, f.country_iso3)"
_MONTH = "date_trunc('month', COALESCE(f.period_end, f.period_start, d.published, f.published))"
_ORG = "COALESCE(f.claimed_by_org, d.publisher, f.publisher, f.source)"

SPREAD = f"""
CREATE OR REPLACE TEMP TABLE review_spread AS
SELECT f.metric, f.stock_or_flow, {_PLACE} AS place, {_MONTH} AS month, min(f.value) AS lo, max(f.value) AS hi
FROM figures f LEFT JOIN documents d ON d.doc_id = f.doc_id
WHERE f.review_status IS DISTINCT FROM 'rejected' AND {_PLACE} IS NOT NULL AND {_MONTH} IS NOT NULL $only
GROUP BY ALL
HAVING min({_ORG}) <> max({_ORG})
"""

SCORE = f"""
UPDATE figures SET review_priority = s.p $stamp FROM (
    SELECT f.rowid AS rid, f.review_priority AS old,
           CAST(least(100, least({FLAG_CAP}, {FLAG_WEIGHT} * COALESCE(len(f.flags), 0))
                + round({SIZE_WEIGHT} * log10(f.value + 1))
                + CASE WHEN sp.lo IS NOT NULL AND (f.value >= 2 * sp.lo OR 2 * f.value <= sp.hi)
                       THEN {DISAGREE} ELSE 0 END) AS INTEGER) AS p
    FROM figures f
    LEFT JOIN documents d ON d.doc_id = f.doc_id
    LEFT JOIN review_spread sp ON sp.metric = f.metric AND sp.stock_or_flow IS NOT DISTINCT FROM f.stock_or_flow
                              AND sp.place = {_PLACE} AND sp.month = {_MONTH}
    WHERE f.rowid BETWEEN $lo AND $hi $only
) s
WHERE figures.rowid = s.rid AND s.p IS DISTINCT FROM s.old
"""


# The partitions (metric, series, place, month) holding a figure loaded or changed since the last publish: only
# their figures can change priority, so a refresh scores them and not the whole warehouse.
TOUCHED = f"""
CREATE OR REPLACE TEMP TABLE review_touched AS
SELECT DISTINCT f.metric, f.stock_or_flow, {_PLACE} AS place, {_MONTH} AS month
FROM figures f LEFT JOIN documents d ON d.doc_id = f.doc_id
WHERE f.load_id > $since
"""
ONLY = f"""AND (f.metric, f.stock_or_flow, {_PLACE}, {_MONTH}) IN (
    SELECT (t.metric, t.stock_or_flow, t.place, t.month) FROM review_touched t)"""


def _prefilter(con) -> str:
    """Literal metrics and places of the touched partitions, checked on `figures` alone before it is joined to
    documents (ONLY needs the join for the month): a refresh then reads the rows of its places, not every row."""
    terms = []
    for column, expression in (("metric", "f.metric"), ("place", _PLACE)):
        values, nulls = con.execute(f"SELECT list(DISTINCT {column}) FILTER (WHERE {column} IS NOT NULL),"
                                    f" bool_or({column} IS NULL) FROM review_touched").fetchall()[0]
        if len(values or ()) > PREFILTER_MAX:
            return ""
        quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values or ())
        term = [f"{expression} IN ({quoted})"] if quoted else []
        terms.append("(" + " OR ".join(term + [f"{expression} IS NULL"] * bool(nulls)) + ")" if term or nulls
                     else "false")
    return "AND " + " AND ".join(terms) + " "


def update(con, run_id: int | None = None) -> None:
    """Score the figures. With the publish's `run_id`: only those in partitions touched since the last publish (its
    watermark), stamping the rows whose priority changes so the derived tables follow."""
    from etl.warehouse import derived

    since = derived.watermark(con) if run_id is not None else None
    stamp = "" if run_id is None else f", load_id = {int(run_id)}"
    only = ""
    if since is not None:
        con.execute(TOUCHED.replace("$since", str(int(since))))
        only = _prefilter(con) + ONLY
    con.execute(SPREAD.replace("$only", only))
    last = scalar(con, "SELECT max(rowid) FROM figures")
    for lo in range(0, (last or 0) + 1, SLICE):
        con.execute(SCORE.replace("$only", only).replace("$stamp", stamp), {"lo": lo, "hi": lo + SLICE - 1})
    con.execute("DROP TABLE review_spread")
    con.execute("DROP TABLE IF EXISTS review_touched")
