-- Overview trends: per metric, kind and unit as overview_heads.sql, per organisation and month the largest figure it
-- reported, for the 8 organisations with most figures. The charts' own query: no latest-figure structs to carry.
WITH t AS (
    SELECT metric, kind, unit, org, month, max(value_max) AS value, sum(n) AS n
    FROM {{overview_rows}}
    WHERE month IS NOT NULL
    GROUP BY metric, kind, unit, org, month
), top AS (
    SELECT metric, kind, unit, org,
           row_number() OVER (PARTITION BY metric, kind, unit ORDER BY sum(n) DESC, org) AS rank,
           count(*) OVER (PARTITION BY metric, kind, unit) AS n_orgs
    FROM t GROUP BY metric, kind, unit, org
)
SELECT t.metric, t.kind, t.unit, t.org, t.month, t.value, t.n, top.rank, top.n_orgs
FROM t JOIN top USING (metric, kind, unit, org)
WHERE top.rank <= 8
ORDER BY t.metric, t.kind DESC, t.unit, top.rank, t.month
LIMIT 5000
