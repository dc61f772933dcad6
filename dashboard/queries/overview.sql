-- Overview in one pass over the figures: per metric (displaced split into stock and new), headline rows (the
-- latest figure at the filter's place level: country-level figures when no region is chosen) and trend rows
-- (per organisation and month, the largest figure it reported; the 8 organisations with most figures).
WITH f AS (
    SELECT f.metric,
           CASE WHEN f.metric = 'displaced' THEN COALESCE(f.stock_or_flow, 'flow') ELSE '' END AS kind,
           COALESCE(f.claimed_by_org, f.publisher) AS org,
           COALESCE(f.period_end, f.period_start, f.published) AS ref_date,
           f.published, f.value, f.value_low, f.value_high, f.qualifier, f.quantity_text, f.figure_id,
           CASE WHEN $admin2 IS NOT NULL THEN TRUE
                WHEN $admin1 IS NOT NULL THEN f.admin2_pcode IS NULL
                ELSE f.admin1_pcode IS NULL END AS level_ok
    FROM v_figures f
    WHERE {{filters}}
      AND ($metric IS NOT NULL OR f.metric IN ('displaced', 'killed', 'injured'))
      -- The same as a range DuckDB pushes into the scan (an IN list only prunes row groups): wide columns are
      -- then read for candidate rows only.
      AND ($metric IS NOT NULL OR f.metric BETWEEN 'displaced' AND 'killed')
), g AS MATERIALIZED (
    SELECT metric, kind, org, date_trunc('month', ref_date) AS month, count(*) AS n, max(value) AS max_value,
           arg_max({'value': value, 'value_low': value_low, 'value_high': value_high, 'qualifier': qualifier,
                    'quantity_text': quantity_text, 'org': org, 'ref_date': ref_date, 'figure_id': figure_id},
                   (level_ok, ref_date, published, value)) AS best,
           max((level_ok, ref_date, published, value)) AS best_key
    FROM f GROUP BY metric, kind, org, month
), heads AS (
    SELECT metric, kind, arg_max(best, best_key) AS best, sum(n) AS n, count(DISTINCT org) AS n_orgs
    FROM g GROUP BY metric, kind
), t AS (
    SELECT metric, kind, org, month, max_value AS value, n FROM g WHERE month IS NOT NULL
), top AS (
    SELECT metric, kind, org,
           row_number() OVER (PARTITION BY metric, kind ORDER BY sum(n) DESC, org) AS rank,
           count(*) OVER (PARTITION BY metric, kind) AS n_orgs
    FROM t GROUP BY metric, kind, org
)
SELECT 'headline' AS part, metric, kind, best, n, n_orgs, NULL AS org, NULL AS month, NULL AS value, NULL AS rank
FROM heads
UNION ALL
SELECT 'trend', t.metric, t.kind, NULL, t.n, top.n_orgs, t.org, t.month, t.value, top.rank
FROM t JOIN top USING (metric, kind, org)
WHERE top.rank <= 8
ORDER BY part, metric, kind DESC, rank, month
LIMIT 5000
