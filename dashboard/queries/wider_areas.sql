-- Figures for a wider area than the chosen region (its country as a whole, or "northwest Syria"): tagged to the
-- region's country with no admin1, under the other filters. Offered beside a region's figures, never added to them.
SELECT COALESCE(NULLIF(trim(f.location_text), ''), f.country_name, f.country_iso3) AS area, count(*) AS n
FROM v_figures f
WHERE f.country_iso3 = COALESCE($country, (SELECT country_iso3 FROM v_places WHERE pcode = COALESCE($admin2, $admin1)))
  AND f.admin1_pcode IS NULL
  AND ($metric IS NULL OR f.metric = $metric)
  AND ($source_type IS NULL OR f.source_type = $source_type)
  AND ($unit IS NULL OR f.unit = $unit)
  AND ($start IS NULL OR COALESCE(f.period_end, f.period_start, f.published) >= $start)
  AND ($end IS NULL OR COALESCE(f.period_end, f.period_start, f.published) <= $end)
GROUP BY 1
ORDER BY n DESC, area
LIMIT 5
