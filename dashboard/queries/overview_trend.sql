-- Overview trends: per metric, kind and unit as overview_heads.sql, one line per organisation (the 8 with most
-- figures) with, per month, the largest figure it reported. The charts' own query: no latest-figure structs, and
-- one row per line (its months and values as lists), so the charts are built without a row per point.
WITH t AS (
    SELECT metric, kind, unit, org, month, max(value_max) AS value, sum(n) AS n
    FROM {{overview_rows}}
    WHERE month IS NOT NULL
    GROUP BY metric, kind, unit, org, month
), lines AS (
    SELECT metric, kind, unit, org, CAST(sum(n) AS BIGINT) AS n, list(month ORDER BY month) AS months,
           list(CAST(value AS BIGINT) ORDER BY month) AS "values"
    FROM t
    GROUP BY metric, kind, unit, org
)
SELECT metric, kind, unit, org, n, months, "values",
       row_number() OVER (PARTITION BY metric, kind, unit ORDER BY n DESC, org) AS rank,
       count(*) OVER (PARTITION BY metric, kind, unit) AS n_orgs
FROM lines
QUALIFY rank <= 8
ORDER BY metric, kind DESC, unit, rank
