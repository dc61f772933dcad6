-- The public contract: the dashboard, the API and analysts query these views. Recreated on every publish.
CREATE OR REPLACE VIEW v_figures AS
SELECT
    f.figure_id, f.source, f.source_type, f.doc_id, f.dataset, f.record_id,
    f.metric, f.value, f.value_low, f.value_high, f.qualifier, f.quantity_text, f.unit,
    f.claimed_by, f.claimed_by_org, f.location_text,
    f.country_iso3, f.admin1_pcode, f.admin2_pcode, f.asylum_iso3,
    c.name AS country_name, a1.name AS admin1_name, a2.name AS admin2_name,
    f.period_start, f.period_end, f.stock_or_flow,
    f.evidence, f.char_start, f.char_end,
    COALESCE(d.publisher, f.publisher, f.claimed_by_org, f.source) AS publisher,
    COALESCE(d.published, f.published, f.period_end, f.period_start) AS published,
    COALESCE(d.url, f.url) AS url, d.title, f.detail, f.load_id,
    s.licence,
    concat_ws(', ', COALESCE(d.publisher, f.publisher, f.claimed_by_org, f.source), COALESCE(d.title, f.dataset),
              COALESCE(d.url, f.url)) AS attribution,
    COALESCE(f.flags, []) AS flags, f.review_priority, COALESCE(f.review_status, 'unreviewed') AS review_status,
    f.reviewed_by, f.reviewed_at, f.review_note,
    COALESCE(CAST(f.original ->> '$.value' AS BIGINT), f.value) AS original_value,
    COALESCE(f.original ->> '$.metric', f.metric) AS original_metric, f.original AS original_fields,
    d.sha256 AS doc_sha256
FROM figures f
LEFT JOIN documents d ON d.doc_id = f.doc_id
LEFT JOIN sources s ON s.name = f.source
LEFT JOIN places c ON c.pcode = f.country_iso3
LEFT JOIN places a1 ON a1.pcode = f.admin1_pcode
LEFT JOIN places a2 ON a2.pcode = f.admin2_pcode;

CREATE OR REPLACE VIEW v_claims AS
SELECT
    k.claim_id, k.claimed_by_org, k.metric, k.value, k.value_low, k.value_high, k.qualifier, k.unit,
    k.country_iso3, k.admin1_pcode, k.admin2_pcode,
    a1.name AS admin1_name, a2.name AS admin2_name,
    k.period_start, k.period_end, k.source_type,
    k.n_figures, k.n_documents, k.doc_ids, k.figure_ids, k.first_reported, k.last_reported, k.stock_or_flow
FROM claims k
LEFT JOIN places a1 ON a1.pcode = k.admin1_pcode
LEFT JOIN places a2 ON a2.pcode = k.admin2_pcode;

CREATE OR REPLACE VIEW v_documents AS
SELECT d.doc_id, d.source, d.url, d.title, d.publisher, d.published, d.retrieved_at, d.sha256, d.text,
       d.published_from,
       (SELECT count(*) FROM figures f WHERE f.doc_id = d.doc_id) AS n_figures
FROM documents d;

-- One document's text alone: v_documents also counts each document's figures, which costs a scan per query.
CREATE OR REPLACE VIEW v_document_text AS SELECT doc_id, text FROM documents;

CREATE OR REPLACE VIEW v_places AS
SELECT pcode, admin_level, name, country_iso3, parent_pcode, alt_names, geometry IS NOT NULL AS has_geometry,
       geometry, source
FROM places;

CREATE OR REPLACE VIEW v_etl_runs AS
SELECT run_id, source, started_at, finished_at, status, rows_read, rows_loaded, rows_rejected, error,
       date_diff('millisecond', started_at, finished_at) / 1000.0 AS seconds
FROM etl_runs;

CREATE OR REPLACE VIEW v_rejects AS
SELECT reject_id, source, run_id, location, reason, raw FROM rejects;

CREATE OR REPLACE VIEW v_sources AS
WITH runs AS (
    SELECT source,
           max(finished_at) FILTER (WHERE status = 'ok') AS last_success,
           max(finished_at) FILTER (WHERE status = 'failed') AS last_failure,
           arg_max(error, finished_at) FILTER (WHERE status = 'failed') AS last_error,
           arg_max(rows_loaded, finished_at) FILTER (WHERE status = 'ok') AS last_rows_loaded,
           count(*) AS runs
    FROM etl_runs GROUP BY source
), counts AS (
    SELECT source, count(*) AS figures FROM figures GROUP BY source
)
SELECT s.name AS source, s.kind, s.description, s.licence, s.url,
       r.last_success, r.last_failure, r.last_error, r.last_rows_loaded, COALESCE(r.runs, 0) AS runs,
       COALESCE(c.figures, 0) AS figures
FROM sources s
LEFT JOIN runs r ON r.source = s.name
LEFT JOIN counts c ON c.source = s.name;

-- Derived tables for the dashboard (figure_facts, figure_months) are kept up to date by derived.py at each
-- publish, for what the publish changed.

-- fact_row: the row's position in figure_facts (valid within one publish): fetching a page by it reads only the
-- row groups that hold the page.
CREATE OR REPLACE VIEW v_figure_facts AS
SELECT rowid AS fact_row, figure_id, source, source_type, doc_id, dataset, record_id, metric, value, value_low,
       value_high, qualifier, quantity_text, unit, claimed_by, claimed_by_org, country_iso3, admin1_pcode,
       admin2_pcode, period_start, period_end, stock_or_flow, publisher, published, url, title, place, org, ref_date,
       place_level, default_rank, review_status, review_priority
FROM figure_facts;

CREATE OR REPLACE VIEW v_figure_months AS
SELECT metric, stock_or_flow, unit, source_type, org, country_iso3, place_level, month, n, value_sum, value_min,
       value_max, latest, latest_key, rejected
FROM figure_months;

-- The reviews the last publish overlaid, and those whose figure is gone (orphaned) or that could not apply.
CREATE OR REPLACE VIEW v_review_overlay AS
SELECT review_key, figure_id, status, reviewed_by, reviewed_at, problem, figure_id IS NULL AS orphaned
FROM review_overlay;
