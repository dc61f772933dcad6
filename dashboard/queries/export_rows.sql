-- Figures download (/export/figures.csv|xlsx, dashboard/export_route.py): the grid's rows under the URL and grid
-- filters, in the grid's order, at most $limit, each with its licence and attribution (as v_figures words them).
-- Sources named in $restricted (no redistribution on a public server) are left out before the cap. Read in
-- batches from a cursor; never cached.
WITH page AS (
    SELECT f.fact_row FROM v_figure_facts f
    WHERE {{filters}} AND {{grid_filters}} AND NOT list_contains(CAST($restricted AS VARCHAR[]), f.source)
    ORDER BY {{order}}
    LIMIT $limit
)
SELECT f.figure_id, f.metric, f.value, f.value_low, f.value_high, f.qualifier, f.quantity_text, f.unit,
       f.claimed_by, COALESCE(f.claimed_by_org, f.claimed_by) AS claimed_by_org, f.place,
       f.country_iso3, f.admin1_pcode, f.admin2_pcode, f.period_start, f.period_end, f.stock_or_flow,
       f.publisher, f.published, COALESCE(f.title, f.dataset) AS title, f.url, f.doc_id, f.source, f.source_type,
       f.dataset, f.record_id, f.review_status, s.licence,
       concat_ws(', ', f.publisher, COALESCE(f.title, f.dataset), f.url) AS attribution
FROM v_figure_facts f
LEFT JOIN sources s ON s.name = f.source
WHERE f.fact_row IN (SELECT fact_row FROM page)
ORDER BY {{order}}
