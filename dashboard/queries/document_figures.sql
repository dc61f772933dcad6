-- The figures extracted from one document, in text order.
SELECT figure_id, metric, value, value_low, value_high, qualifier, quantity_text, unit, claimed_by,
       claimed_by_org, location_text, COALESCE(admin2_name, admin1_name, country_name) AS place,
       period_start, period_end, stock_or_flow, evidence, char_start, char_end
FROM v_figures WHERE doc_id = $doc_id
ORDER BY char_start NULLS LAST, figure_id
LIMIT 2000
