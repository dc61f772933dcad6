-- One place of the gazetteer, by p-code.
SELECT pcode, admin_level, name, country_iso3, parent_pcode FROM v_places WHERE pcode = $pcode
