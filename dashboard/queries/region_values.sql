-- Regions page: per admin1 (or admin2 inside a chosen admin1) the latest figure in one unit (the page's rule:
-- the newest figure for the region as a whole; its districts' figures stand in only when it has none), who gave
-- it, and how many figures there are, districts included; ranked, at most 300 regions. Displaced figures are one
-- kind at a time ($kind: flow or stock, as the overview's cards split them): a total is never ranked against a
-- new figure.
WITH f AS (
    SELECT CASE WHEN $level = 2 THEN f.admin2_pcode ELSE f.admin1_pcode END AS pcode,
           f.org, f.ref_date, f.published, f.value, f.value_low, f.value_high, f.qualifier, f.quantity_text,
           ($level = 2 OR f.admin2_pcode IS NULL) AS whole
    FROM v_figure_facts f
    WHERE {{filters}}
      AND (f.metric <> 'displaced' OR COALESCE(f.stock_or_flow, 'flow') = $kind)
), g AS (
    SELECT pcode, arg_max(value, (whole, ref_date, published, value)) AS value,
           arg_max(org, (whole, ref_date, published, value)) AS org,
           arg_max(ref_date, (whole, ref_date, published, value)) AS ref_date,
           arg_max({'low': value_low, 'high': value_high, 'qualifier': qualifier, 'text': quantity_text},
                   (whole, ref_date, published, value)) AS hedge,
           count(*) AS n_figures,
           count(*) FILTER (WHERE NOT whole) AS n_district_figures
    FROM f WHERE pcode IS NOT NULL GROUP BY pcode
)
SELECT g.pcode, COALESCE(p.name, g.pcode) AS name, g.value, g.hedge.low AS value_low, g.hedge.high AS value_high,
       g.hedge.qualifier AS qualifier, g.hedge.text AS quantity_text, g.org, g.ref_date, g.n_figures,
       g.n_district_figures
FROM g LEFT JOIN v_places p ON p.pcode = g.pcode
ORDER BY g.value DESC, g.pcode
LIMIT 300
