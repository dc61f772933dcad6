-- The URL filters over v_figures f; included where a query says {{filters}}. Every value is a parameter.
($country IS NULL OR f.country_iso3 = $country)
AND ($admin1 IS NULL OR f.admin1_pcode = $admin1)
AND ($admin2 IS NULL OR f.admin2_pcode = $admin2)
AND ($metric IS NULL OR f.metric = $metric)
AND ($source_type IS NULL OR f.source_type = $source_type)
AND ($org IS NULL OR COALESCE(f.claimed_by_org, f.publisher) = $org)
AND ($start IS NULL OR COALESCE(f.period_end, f.period_start, f.published) >= $start)
AND ($end IS NULL OR COALESCE(f.period_end, f.period_start, f.published) <= $end)
