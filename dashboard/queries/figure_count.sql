-- Figures grid: how many figures match the URL and grid filters.
SELECT count(*) AS n FROM v_figure_facts f WHERE {{filters}} AND {{grid_filters}}
