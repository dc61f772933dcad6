-- The URL filters over v_figure_facts f; included where a query says {{filters}}. Every value is a parameter.
($country IS NULL OR f.country_iso3 = $country)
AND ($admin1 IS NULL OR f.admin1_pcode = $admin1)
AND ($admin2 IS NULL OR f.admin2_pcode = $admin2)
AND ($metric IS NULL OR f.metric = $metric)
AND ($source_type IS NULL OR f.source_type = $source_type)
AND ($org IS NULL OR f.org = $org)
AND ($start IS NULL OR f.ref_date >= $start)
AND ($end IS NULL OR f.ref_date <= $end)
