"""review_priority (0-100): how much a figure needs a person's look, computed at publish for every figure.

- each flag the extractor set: +12 (at most 48);
- size: +4 per power of ten (1,000 → 12, 1,000,000 → 24);
- disagreement: +25 when another organisation reports, for the same metric, series, place and month, a value at
  least twice or at most half of this one.
Only rows whose priority changes are written.
"""

from __future__ import annotations

FLAG_WEIGHT, FLAG_CAP, SIZE_WEIGHT, DISAGREE = 12, 48, 4, 25

SQL = f"""
WITH base AS MATERIALIZED (
    SELECT f.figure_id, f.value, COALESCE(len(f.flags), 0) AS n_flags, f.metric, f.stock_or_flow,
           COALESCE(f.claimed_by_org, d.publisher, f.publisher, f.source) AS org,
           COALESCE(f.admin2_pcode, f.admin1_pcode, f.country_iso3) AS place,
           date_trunc('month', COALESCE(f.period_end, f.period_start, d.published, f.published)) AS month
    FROM figures f LEFT JOIN documents d ON d.doc_id = f.doc_id
    WHERE f.review_status IS DISTINCT FROM 'rejected'
), orgs AS (
    SELECT metric, stock_or_flow, place, month, org, median(value) AS v
    FROM base WHERE place IS NOT NULL AND month IS NOT NULL GROUP BY ALL
), spread AS (
    SELECT metric, stock_or_flow, place, month, min(v) AS lo, max(v) AS hi
    FROM orgs GROUP BY ALL HAVING count(*) > 1
), scored AS (
    SELECT b.figure_id,
           CAST(least(100, least({FLAG_CAP}, {FLAG_WEIGHT} * b.n_flags)
                + round({SIZE_WEIGHT} * log10(b.value + 1))
                + CASE WHEN s.lo IS NOT NULL AND (b.value >= 2 * s.lo OR 2 * b.value <= s.hi)
                       THEN {DISAGREE} ELSE 0 END) AS INTEGER) AS p
    FROM base b
    LEFT JOIN spread s ON s.metric = b.metric AND s.stock_or_flow IS NOT DISTINCT FROM b.stock_or_flow
                      AND s.place = b.place AND s.month = b.month
)
UPDATE figures SET review_priority = scored.p FROM scored
WHERE figures.figure_id = scored.figure_id AND figures.review_priority IS DISTINCT FROM scored.p
"""


def update(con) -> None:
    con.execute(SQL)
