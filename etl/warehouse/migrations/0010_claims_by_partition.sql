-- Claims are derived (derived.py) and unique by construction. Without the index a publish that recomputes a few
-- claims writes those rows, not the index again; `month` (of the figures' reference date) lets it find the claims
-- of the partitions (metric × country × month) it recomputes.
CREATE TABLE claims_by_month AS SELECT *, CAST(NULL AS DATE) AS month FROM claims;
DROP TABLE claims;
ALTER TABLE claims_by_month RENAME TO claims;
DELETE FROM warehouse_state WHERE key = 'derived';
