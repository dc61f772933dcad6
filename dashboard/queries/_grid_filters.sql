-- The figures grid's own column filters (AG Grid filterModel, mapped in queries/__init__.py); {{grid_filters}}.
-- Text: $q_<column> is the lower-cased text, $qk_<column> how it matches (contains, equals, startsWith,
-- endsWith); plain string functions, no LIKE patterns, so '%' and '_' are literal and DuckDB can push the test
-- into the scan. Also the URL's scope=wider (figures tagged to no region), which only the figures listing honours.
($figure IS NULL OR f.figure_id = $figure)
AND ($q_metric IS NULL OR CASE $qk_metric WHEN 'equals' THEN lower(f.metric) = $q_metric
     WHEN 'startsWith' THEN starts_with(lower(f.metric), $q_metric)
     WHEN 'endsWith' THEN ends_with(lower(f.metric), $q_metric) ELSE contains(lower(f.metric), $q_metric) END)
AND ($q_qualifier IS NULL OR CASE $qk_qualifier WHEN 'equals' THEN lower(f.qualifier) = $q_qualifier
     WHEN 'startsWith' THEN starts_with(lower(f.qualifier), $q_qualifier)
     WHEN 'endsWith' THEN ends_with(lower(f.qualifier), $q_qualifier)
     ELSE contains(lower(f.qualifier), $q_qualifier) END)
AND ($q_claimed_by_org IS NULL OR CASE $qk_claimed_by_org
     WHEN 'equals' THEN lower(COALESCE(f.claimed_by_org, f.claimed_by, '')) = $q_claimed_by_org
     WHEN 'startsWith' THEN starts_with(lower(COALESCE(f.claimed_by_org, f.claimed_by, '')), $q_claimed_by_org)
     WHEN 'endsWith' THEN ends_with(lower(COALESCE(f.claimed_by_org, f.claimed_by, '')), $q_claimed_by_org)
     ELSE contains(lower(COALESCE(f.claimed_by_org, f.claimed_by, '')), $q_claimed_by_org) END)
AND ($q_place IS NULL OR CASE $qk_place WHEN 'equals' THEN lower(COALESCE(f.place, '')) = $q_place
     WHEN 'startsWith' THEN starts_with(lower(COALESCE(f.place, '')), $q_place)
     WHEN 'endsWith' THEN ends_with(lower(COALESCE(f.place, '')), $q_place)
     ELSE contains(lower(COALESCE(f.place, '')), $q_place) END)
AND ($q_publisher IS NULL OR CASE $qk_publisher WHEN 'equals' THEN lower(f.publisher) = $q_publisher
     WHEN 'startsWith' THEN starts_with(lower(f.publisher), $q_publisher)
     WHEN 'endsWith' THEN ends_with(lower(f.publisher), $q_publisher)
     ELSE contains(lower(f.publisher), $q_publisher) END)
AND ($q_title IS NULL OR CASE $qk_title WHEN 'equals' THEN lower(COALESCE(f.title, f.dataset, '')) = $q_title
     WHEN 'startsWith' THEN starts_with(lower(COALESCE(f.title, f.dataset, '')), $q_title)
     WHEN 'endsWith' THEN ends_with(lower(COALESCE(f.title, f.dataset, '')), $q_title)
     ELSE contains(lower(COALESCE(f.title, f.dataset, '')), $q_title) END)
AND ($v_min IS NULL OR f.value >= $v_min)
AND ($v_max IS NULL OR f.value <= $v_max)
AND ($scope IS NULL OR f.admin1_pcode IS NULL)
