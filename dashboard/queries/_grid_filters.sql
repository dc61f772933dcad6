-- The figures grid's own column filters (AG Grid filterModel, mapped in queries/__init__.py); {{grid_filters}}.
($figure IS NULL OR f.figure_id = $figure)
AND ($q_metric IS NULL OR f.metric ILIKE $q_metric ESCAPE '\')
AND ($q_qualifier IS NULL OR f.qualifier ILIKE $q_qualifier ESCAPE '\')
AND ($q_claimed_by_org IS NULL OR COALESCE(f.claimed_by_org, f.claimed_by, '') ILIKE $q_claimed_by_org ESCAPE '\')
AND ($q_place IS NULL
     OR COALESCE(f.admin2_name, f.admin1_name, f.country_name, f.location_text, '') ILIKE $q_place ESCAPE '\')
AND ($q_publisher IS NULL OR f.publisher ILIKE $q_publisher ESCAPE '\')
AND ($q_title IS NULL OR COALESCE(f.title, f.dataset, '') ILIKE $q_title ESCAPE '\')
AND ($v_min IS NULL OR f.value >= $v_min)
AND ($v_max IS NULL OR f.value <= $v_max)
