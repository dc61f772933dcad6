-- Freshness: every source with its last success and failure, last error, rows and figure count.
SELECT source, kind, description, licence, url, last_success, last_failure, last_error, last_rows_loaded, runs,
       figures
FROM v_sources ORDER BY source
