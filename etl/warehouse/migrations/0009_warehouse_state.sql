-- Bookkeeping of the publish: which definition of the derived tables (figure_facts, figure_months, claims) this
-- file holds ('derived') and the run id up to which they are up to date ('watermark'). See derived.py.
CREATE TABLE warehouse_state (
    key   VARCHAR PRIMARY KEY,
    value BIGINT NOT NULL
);
