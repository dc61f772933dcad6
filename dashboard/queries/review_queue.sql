-- Review queue: figures under the URL filters with the chosen review status ('all': any), most in need of a look
-- first. The page is found on the sort keys alone, then only its rows are read in full (as figure_rows.sql).
WITH page AS (
    SELECT f.fact_row FROM v_figure_facts f
    WHERE {{filters}} AND ($status = 'all' OR f.review_status = $status)
    ORDER BY f.review_priority DESC NULLS LAST, f.figure_id
    LIMIT $limit OFFSET $offset
)
SELECT f.figure_id, f.review_priority, f.review_status, f.metric, f.value, f.value_low, f.value_high,
       f.qualifier, f.quantity_text, f.unit, COALESCE(f.claimed_by_org, f.claimed_by) AS claimed_by_org, f.place,
       f.org, f.ref_date, f.source_type, f.doc_id
FROM v_figure_facts f
WHERE f.fact_row IN (SELECT fact_row FROM page)
ORDER BY f.review_priority DESC NULLS LAST, f.figure_id
