-- Filter choices: metrics, organisations and the date range of the figures (kind says which row is which).
WITH f AS (
    SELECT metric, COALESCE(claimed_by_org, publisher) AS org, COALESCE(period_end, period_start, published) AS d
    FROM v_figures
), m AS (SELECT 'metric' AS kind, metric AS value, count(*) AS n FROM f GROUP BY metric),
o AS (SELECT 'org' AS kind, org AS value, count(*) AS n FROM f WHERE org IS NOT NULL GROUP BY org
      ORDER BY n DESC, org LIMIT 300),
d AS (SELECT 'dates' AS kind, min(d)::VARCHAR || '/' || max(d)::VARCHAR AS value, count(*) AS n FROM f)
SELECT * FROM m UNION ALL SELECT * FROM o UNION ALL SELECT * FROM d
