-- Review: what the extractor was unsure of (flags), how much a figure needs a look (review_priority, computed at
-- publish), and the review overlaid at publish from the review store (etl/review/overlay.py). `original` holds the
-- extracted values of the fields a correction changed, as JSON, so the next publish can restore and re-apply.
ALTER TABLE figures ADD COLUMN flags VARCHAR[];
ALTER TABLE figures ADD COLUMN review_priority INTEGER;
ALTER TABLE figures ADD COLUMN review_status VARCHAR;
ALTER TABLE figures ADD COLUMN reviewed_by VARCHAR;
ALTER TABLE figures ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE figures ADD COLUMN review_note VARCHAR;
ALTER TABLE figures ADD COLUMN original VARCHAR;
