-- Review queue: figures under the URL filters with the chosen review status ('all': any), most in need of a look
-- first, newest first among equals. The priority of the page's last row is found first, on that one integer
-- column (a fast top-N); then only rows at or above it are sorted by (priority, default_rank): two sort keys over
-- every figure cost 0.4 s on 10M. The page's rows are then read in full by fact_row (as figure_rows.sql).
WITH cut AS (
    SELECT f.review_priority AS p FROM v_figure_facts f
    WHERE {{filters}} AND ($status = 'all' OR f.review_status = $status)
    ORDER BY f.review_priority DESC NULLS LAST
    LIMIT 1 OFFSET $limit + $offset - 1
), page AS (
    SELECT f.fact_row FROM v_figure_facts f
    WHERE {{filters}} AND ($status = 'all' OR f.review_status = $status)
      AND ((SELECT p FROM cut) IS NULL OR f.review_priority >= (SELECT p FROM cut))
    ORDER BY f.review_priority DESC NULLS LAST, f.default_rank
    LIMIT $limit OFFSET $offset
)
SELECT f.figure_id, f.review_priority, f.review_status, f.metric, f.value, f.value_low, f.value_high,
       f.qualifier, f.quantity_text, f.unit, COALESCE(f.claimed_by_org, f.claimed_by) AS claimed_by_org, f.place,
       f.org, f.ref_date, f.source_type, f.doc_id
FROM v_figure_facts f
WHERE f.fact_row IN (SELECT fact_row FROM page)
ORDER BY f.review_priority DESC NULLS LAST, f.default_rank
