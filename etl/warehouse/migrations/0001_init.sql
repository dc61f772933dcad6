-- The warehouse's base tables. Views in views.sql are the public contract.
CREATE TABLE sources (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,          -- 'documents' or 'dataset'
    description VARCHAR,
    licence     VARCHAR,
    url         VARCHAR
);

CREATE TABLE etl_runs (
    run_id        BIGINT NOT NULL,
    source        VARCHAR NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL,        -- running, ok, failed
    rows_read     BIGINT DEFAULT 0,
    rows_loaded   BIGINT DEFAULT 0,
    rows_rejected BIGINT DEFAULT 0,
    error         VARCHAR,
    PRIMARY KEY (run_id, source)
);

CREATE TABLE rejects (
    reject_id VARCHAR PRIMARY KEY,         -- hash of source, reason and raw record: a rerun adds nothing
    source    VARCHAR NOT NULL,
    run_id    BIGINT NOT NULL,
    location  VARCHAR,                     -- file:line, page, record id
    reason    VARCHAR NOT NULL,
    raw       VARCHAR
);

CREATE TABLE source_state (
    source     VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,
    value      VARCHAR,
    updated_at TIMESTAMP,
    PRIMARY KEY (source, key)
);

CREATE TABLE documents (
    doc_id       VARCHAR PRIMARY KEY,
    source       VARCHAR NOT NULL,
    url          VARCHAR,
    title        VARCHAR,
    publisher    VARCHAR,
    published    DATE,
    retrieved_at TIMESTAMP,
    text         VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    load_id      BIGINT NOT NULL
);

CREATE TABLE figures (
    figure_id      VARCHAR PRIMARY KEY,    -- hash of the natural key
    source         VARCHAR NOT NULL,
    source_type    VARCHAR NOT NULL,       -- 'document' or 'dataset'
    doc_id         VARCHAR,
    dataset        VARCHAR,
    record_id      VARCHAR,
    load_id        BIGINT NOT NULL,
    content_hash   VARCHAR NOT NULL,
    metric         VARCHAR NOT NULL,
    value          BIGINT NOT NULL,
    value_low      BIGINT,
    value_high     BIGINT,
    qualifier      VARCHAR NOT NULL,
    quantity_text  VARCHAR,
    unit           VARCHAR NOT NULL,
    claimed_by     VARCHAR,
    claimed_by_org VARCHAR,
    location_text  VARCHAR,
    country_iso3   VARCHAR,
    admin1_pcode   VARCHAR,
    admin2_pcode   VARCHAR,
    asylum_iso3    VARCHAR,                -- refugees: country of asylum; country_iso3 is the origin
    period_start   DATE,
    period_end     DATE,
    stock_or_flow  VARCHAR,
    evidence       VARCHAR,
    char_start     INTEGER,
    char_end       INTEGER,
    publisher      VARCHAR,                -- for figures without a stored document: the report's or dataset's publisher
    published      DATE,
    url            VARCHAR,
    detail         VARCHAR                 -- dataset extras as JSON (event type, round, hazard…)
);

CREATE TABLE claims (
    claim_id       VARCHAR PRIMARY KEY,
    claimed_by_org VARCHAR,
    metric         VARCHAR NOT NULL,
    country_iso3   VARCHAR,
    admin1_pcode   VARCHAR,
    admin2_pcode   VARCHAR,
    period_start   DATE,
    period_end     DATE,
    value          BIGINT NOT NULL,
    value_low      BIGINT,
    value_high     BIGINT,
    qualifier      VARCHAR NOT NULL,
    unit           VARCHAR NOT NULL,
    source_type    VARCHAR NOT NULL,
    n_figures      INTEGER NOT NULL,
    n_documents    INTEGER NOT NULL,
    doc_ids        VARCHAR[],
    figure_ids     VARCHAR[],
    first_reported DATE,
    last_reported  DATE
);

CREATE TABLE places (
    pcode        VARCHAR PRIMARY KEY,      -- ISO3 for countries, OCHA p-code below
    admin_level  INTEGER NOT NULL,         -- 0 country, 1, 2, 3
    name         VARCHAR NOT NULL,
    country_iso3 VARCHAR NOT NULL,
    parent_pcode VARCHAR,
    alt_names    VARCHAR[],
    geometry     VARCHAR,                  -- GeoJSON geometry, when boundaries are loaded
    source       VARCHAR NOT NULL
);
