-- Figures for wider areas than a chosen region ("northwest Syria", the country as a whole): the figures listing's
-- rows for the region's country with scope=wider (no region), under the same filters as figure_count.sql, so the
-- note counts what its link lists; grouped by the place as written, the 5 largest, each with the totals of all.
-- Offered beside a region's figures, never added to them.
WITH wider AS (
    SELECT f.figure_id, f.place FROM v_figure_facts f WHERE {{filters}} AND {{grid_filters}}
), areas AS (
    SELECT COALESCE(NULLIF(trim(g.location_text), ''), w.place) AS area, count(*) AS n
    FROM wider w LEFT JOIN v_figures g ON g.figure_id = w.figure_id
    GROUP BY 1
)
SELECT area, n, sum(n) OVER () AS n_all, count(*) OVER () AS areas_all
FROM areas
ORDER BY n DESC, area
LIMIT 5
