-- Boundaries (GeoJSON geometry) of the regions drawn on the map: those with figures, plus the chosen country's
-- other regions at the same level for context.
SELECT pcode, name, geometry
FROM v_places
WHERE admin_level = $level AND has_geometry
  AND (list_contains($pcodes, pcode)
       OR ($country IS NOT NULL AND country_iso3 = $country AND ($level = 1 OR parent_pcode = $admin1)))
LIMIT 3000
