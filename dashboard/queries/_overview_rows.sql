-- The overview's rows for the URL filters: whole months from the monthly rollup (v_figure_months) when no
-- admin1/admin2 is chosen; single figures (v_figure_facts) for a chosen region and for the partly covered months
-- at either end of the date range. Included where overview*.sql say {{overview_rows}}.
SELECT metric, CASE WHEN metric = 'displaced' THEN COALESCE(stock_or_flow, 'flow') ELSE '' END AS kind, unit, org,
       month, n, value_max, latest, best_key
FROM (
    SELECT m.metric, m.stock_or_flow, m.unit, m.org, m.month, m.n, m.value_max, m.latest,
           (m.place_level = 0, m.latest_key) AS best_key
    FROM v_figure_months m
    WHERE $admin1 IS NULL AND $admin2 IS NULL
      AND ($country IS NULL OR m.country_iso3 = $country)
      AND ($metric IS NULL OR m.metric = $metric)
      AND ($metric IS NOT NULL OR m.metric IN ('displaced', 'killed', 'injured'))
      AND ($source_type IS NULL OR m.source_type = $source_type)
      AND ($unit IS NULL OR m.unit = $unit)
      AND ($org IS NULL OR m.org = $org)
      AND ($start IS NULL OR m.month >= $start)
      AND ($end IS NULL OR last_day(m.month) <= $end)
      AND ($with_rejected OR NOT m.rejected)
    UNION ALL
    SELECT f.metric, f.stock_or_flow, f.unit, f.org, CAST(date_trunc('month', f.ref_date) AS DATE) AS month, 1 AS n,
           f.value AS value_max,
           {'value': f.value, 'value_low': f.value_low, 'value_high': f.value_high, 'qualifier': f.qualifier,
            'quantity_text': f.quantity_text, 'org': f.org, 'ref_date': f.ref_date, 'figure_id': f.figure_id}
           AS latest,
           (CASE WHEN $admin2 IS NOT NULL THEN TRUE
                 WHEN $admin1 IS NOT NULL THEN f.admin2_pcode IS NULL
                 ELSE f.admin1_pcode IS NULL END,
            {'ref_date': f.ref_date, 'published': f.published, 'value': f.value, 'figure_id': f.figure_id})
           AS best_key
    FROM v_figure_facts f
    WHERE {{filters}}
      AND ($admin1 IS NOT NULL OR $admin2 IS NOT NULL
           OR ($start IS NOT NULL AND date_trunc('month', f.ref_date) < $start)
           OR ($end IS NOT NULL AND last_day(f.ref_date) > $end))
      AND ($metric IS NOT NULL OR f.metric IN ('displaced', 'killed', 'injured'))
      -- The same as a range DuckDB pushes into the scan: with figure_facts sorted by metric, whole row groups
      -- are skipped.
      AND ($metric IS NOT NULL OR f.metric BETWEEN 'displaced' AND 'killed')
)
