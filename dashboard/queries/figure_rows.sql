-- Figures grid: one page of figures under the URL and grid filters, sorted by allow-listed columns ({{order}}).
SELECT f.figure_id, f.metric, f.value, f.value_low, f.value_high, f.qualifier, f.quantity_text, f.unit,
       f.claimed_by, COALESCE(f.claimed_by_org, f.claimed_by) AS claimed_by_org,
       COALESCE(f.admin2_name, f.admin1_name, f.country_name, f.location_text) AS place,
       f.country_iso3, f.admin1_pcode, f.admin2_pcode, f.period_start, f.period_end, f.stock_or_flow,
       f.publisher, f.published, f.doc_id, COALESCE(f.title, f.dataset) AS title, f.url, f.source, f.source_type,
       f.dataset, f.record_id
FROM v_figures f
WHERE {{filters}} AND {{grid_filters}}
ORDER BY {{order}}
LIMIT $limit OFFSET $offset
