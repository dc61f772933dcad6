-- The p-code picker: places whose name, any spelling or p-code contains the text typed ($q, lower-cased),
-- countries and admin1 first.
SELECT pcode, admin_level, name, country_iso3, alt_names
FROM v_places
WHERE $q IS NOT NULL AND (contains(lower(name), $q) OR lower(pcode) = $q
      OR contains(lower(array_to_string(COALESCE(alt_names, []), '|')), $q))
ORDER BY NOT starts_with(lower(name), $q), admin_level, name, pcode
LIMIT 30
