-- Filter choices: countries with figures, most figures first.
SELECT g.code, COALESCE(p.name, g.code) AS name, g.n
FROM (SELECT country_iso3 AS code, count(*) AS n FROM v_figures WHERE country_iso3 IS NOT NULL GROUP BY 1) g
LEFT JOIN v_places p ON p.pcode = g.code
ORDER BY g.n DESC, g.code LIMIT 300
