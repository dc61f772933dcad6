-- Filter choices: metrics, organisations (from the monthly rollup) and the date range of the figures (kind says
-- which row is which; most figures first).
WITH m AS (SELECT 'metric' AS kind, metric AS value, sum(n)::BIGINT AS n FROM v_figure_months GROUP BY metric),
o AS (SELECT 'org' AS kind, org AS value, sum(n)::BIGINT AS n FROM v_figure_months WHERE org IS NOT NULL
      GROUP BY org ORDER BY n DESC, org LIMIT 300),
d AS (SELECT 'dates' AS kind, min(ref_date)::VARCHAR || '/' || max(ref_date)::VARCHAR AS value, count(*) AS n
      FROM v_figure_facts)
SELECT * FROM m UNION ALL SELECT * FROM o UNION ALL SELECT * FROM d
ORDER BY kind, n DESC, value
