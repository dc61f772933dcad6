-- Figures for wider areas than a chosen region ("northwest Syria", the country as a whole): the figures listing's
-- rows for the region's country with scope=wider (no region), under the same filters as figure_count.sql, so the
-- note counts what its link lists; per place as written (figure_facts.place), the 5 largest, with the totals of
-- all. Offered beside a region's figures, never added to them.
SELECT COALESCE(f.place, f.country_iso3) AS area, count(*) AS n, sum(count(*)) OVER () AS n_all,
       count(*) OVER () AS areas_all
FROM v_figure_facts f
WHERE {{filters}} AND {{grid_filters}}
GROUP BY 1
ORDER BY n DESC, area
LIMIT 5
