-- Filter choices: countries with figures, most figures first (from the monthly rollup).
SELECT g.code, COALESCE(p.name, g.code) AS name, g.n
FROM (SELECT country_iso3 AS code, sum(n)::BIGINT AS n FROM v_figure_months WHERE country_iso3 IS NOT NULL
      GROUP BY 1) g
LEFT JOIN v_places p ON p.pcode = g.code
ORDER BY g.n DESC, g.code LIMIT 300
