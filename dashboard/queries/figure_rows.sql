-- Figures grid: one page of figures under the URL and grid filters, sorted by allow-listed columns ({{order}}).
-- The page is found on the sort keys alone, then only its rows are read in full (by fact_row: a direct fetch).
WITH page AS (
    SELECT f.fact_row FROM v_figure_facts f
    WHERE {{filters}} AND {{grid_filters}}
    ORDER BY {{order}}
    LIMIT $limit OFFSET $offset
)
SELECT f.figure_id, f.metric, f.value, f.value_low, f.value_high, f.qualifier, f.quantity_text, f.unit,
       f.claimed_by, COALESCE(f.claimed_by_org, f.claimed_by) AS claimed_by_org, f.place,
       f.country_iso3, f.admin1_pcode, f.admin2_pcode, f.period_start, f.period_end, f.stock_or_flow,
       f.publisher, f.published, f.doc_id, COALESCE(f.title, f.dataset) AS title, f.url, f.source, f.source_type,
       f.dataset, f.record_id, f.review_status
FROM v_figure_facts f
WHERE f.fact_row IN (SELECT fact_row FROM page)
ORDER BY {{order}}
