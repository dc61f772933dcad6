-- Regions page: per admin1 (or admin2 inside a chosen admin1) the latest figure reported, who gave it, and how
-- many figures there are; ranked, at most 300 regions.
WITH f AS (
    SELECT CASE WHEN $level = 2 THEN f.admin2_pcode ELSE f.admin1_pcode END AS pcode,
           f.org, f.ref_date, f.published, f.value
    FROM v_figure_facts f
    WHERE {{filters}}
), g AS (
    SELECT pcode, arg_max(value, (ref_date, published, value)) AS value,
           arg_max(org, (ref_date, published, value)) AS org, max(ref_date) AS ref_date, count(*) AS n_figures
    FROM f WHERE pcode IS NOT NULL GROUP BY pcode
)
SELECT g.pcode, COALESCE(p.name, g.pcode) AS name, g.value, g.org, g.ref_date, g.n_figures
FROM g LEFT JOIN v_places p ON p.pcode = g.pcode
ORDER BY g.value DESC, g.pcode
LIMIT 300
