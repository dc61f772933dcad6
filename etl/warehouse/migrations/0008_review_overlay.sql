-- Each publish records here every review it read and the figure it applied to (NULL: orphaned, the figure is no
-- longer extracted) or why it could not apply. `etl status` reports the orphans.
CREATE TABLE review_overlay (
    review_key  VARCHAR NOT NULL,
    figure_id   VARCHAR,
    status      VARCHAR NOT NULL,
    reviewed_by VARCHAR,
    reviewed_at TIMESTAMP,
    problem     VARCHAR
);
