-- When the warehouse was last refreshed: the last successful and the last of any ETL run.
SELECT max(finished_at) FILTER (WHERE status = 'ok') AS last_success, max(finished_at) AS last_run FROM v_etl_runs
