-- The latest ETL runs, newest first.
SELECT run_id, source, started_at, finished_at, status, rows_read, rows_loaded, rows_rejected, error, seconds
FROM v_etl_runs ORDER BY started_at DESC, source LIMIT 100
