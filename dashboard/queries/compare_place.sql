-- The place with the most organisations' claims for the metric under the filters: the default comparison.
SELECT COALESCE(admin2_pcode, admin1_pcode, country_iso3) AS pcode,
       CASE WHEN admin2_pcode IS NOT NULL THEN 2 WHEN admin1_pcode IS NOT NULL THEN 1 ELSE 0 END AS level,
       count(DISTINCT claimed_by_org) AS n_orgs, count(*) AS n_claims
FROM v_claims c
WHERE c.metric = $metric
  AND ($country IS NULL OR c.country_iso3 = $country)
  AND ($admin1 IS NULL OR c.admin1_pcode = $admin1)
  AND ($source_type IS NULL OR c.source_type = $source_type)
  AND ($start IS NULL OR COALESCE(c.period_end, c.period_start, c.last_reported) >= $start)
  AND ($end IS NULL OR COALESCE(c.period_end, c.period_start, c.last_reported) <= $end)
  AND COALESCE(admin2_pcode, admin1_pcode, country_iso3) IS NOT NULL
GROUP BY ALL
ORDER BY n_orgs DESC, n_claims DESC, pcode
LIMIT 1
