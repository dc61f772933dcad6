-- One figure with everything that traces it: its citation (publisher, date, address), the quoted words and the
-- sentence or note, and the source record (dataset, record id, source, load) it came from.
SELECT figure_id, source, source_type, doc_id, dataset, record_id, metric, value, value_low, value_high, qualifier,
       quantity_text, unit, claimed_by, claimed_by_org, location_text, country_iso3, admin1_pcode, admin2_pcode,
       COALESCE(admin2_name, admin1_name, country_name) AS place, period_start, period_end, stock_or_flow,
       evidence, publisher, published, url, title, load_id
FROM v_figures WHERE figure_id = $figure
LIMIT 1
