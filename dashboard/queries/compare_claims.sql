-- Source comparison: every claim for exactly one place (not its sub-areas), one metric and the period.
SELECT c.claim_id, COALESCE(c.claimed_by_org, 'Unattributed') AS org, c.metric, c.value, c.value_low,
       c.value_high, c.qualifier, c.unit, c.country_iso3, c.admin1_pcode, c.admin2_pcode,
       COALESCE(c.admin2_name, c.admin1_name, c.country_iso3) AS place,
       c.period_start, c.period_end, COALESCE(c.period_end, c.period_start, c.last_reported) AS ref_date,
       c.source_type, c.stock_or_flow, c.n_figures, c.n_documents, c.first_reported, c.last_reported
FROM v_claims c
WHERE c.metric = $metric
  AND CASE $level WHEN 2 THEN c.admin2_pcode = $place
                  WHEN 1 THEN c.admin1_pcode = $place AND c.admin2_pcode IS NULL
                  ELSE c.country_iso3 = $place AND c.admin1_pcode IS NULL END
  AND ($source_type IS NULL OR c.source_type = $source_type)
  AND ($start IS NULL OR COALESCE(c.period_end, c.period_start, c.last_reported) >= $start)
  AND ($end IS NULL OR COALESCE(c.period_end, c.period_start, c.last_reported) <= $end)
ORDER BY ref_date NULLS LAST, org
LIMIT 2000
