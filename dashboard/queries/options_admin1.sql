-- Filter choices: first-level areas with figures (in the chosen country), by name, with every spelling the
-- gazetteer knows (the dropdown searches them: "Idlib" finds Idleb).
SELECT g.code, COALESCE(p.name, g.code) AS name, g.n, array_to_string(COALESCE(p.alt_names, []), ' | ') AS spellings
FROM (SELECT admin1_pcode AS code, count(*) AS n FROM v_figure_facts
      WHERE admin1_pcode IS NOT NULL AND ($country IS NULL OR country_iso3 = $country) GROUP BY 1) g
LEFT JOIN v_places p ON p.pcode = g.code
ORDER BY name, g.code LIMIT 1000
