-- Filter choices: first-level areas with figures (in the chosen country), by name.
SELECT g.code, COALESCE(p.name, g.code) AS name, g.n
FROM (SELECT admin1_pcode AS code, count(*) AS n FROM v_figure_facts
      WHERE admin1_pcode IS NOT NULL AND ($country IS NULL OR country_iso3 = $country) GROUP BY 1) g
LEFT JOIN v_places p ON p.pcode = g.code
ORDER BY name, g.code LIMIT 1000
