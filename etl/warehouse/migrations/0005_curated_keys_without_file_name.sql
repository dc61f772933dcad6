-- Curated figures were keyed by the file's name (dataset 'curated:<file stem>'); they are keyed by record id now
-- (dataset 'curated'). Keep the newest copy of a record loaded under several names, then rekey it the way
-- etl.runner computes figure_id (sha1 of the key parts joined by \x1f, first 20 hex digits).
DELETE FROM figures WHERE source = 'curated' AND dataset LIKE 'curated:%' AND figure_id NOT IN (
    SELECT arg_max(figure_id, load_id) FROM figures WHERE source = 'curated' AND dataset LIKE 'curated:%'
    GROUP BY record_id, metric, unit);
CREATE TEMP TABLE curated_rekeyed AS
    SELECT * REPLACE ('curated' AS dataset,
                      substr(sha1(concat_ws(chr(31), source, 'curated', record_id, metric, unit)), 1, 20) AS figure_id)
    FROM figures WHERE source = 'curated' AND dataset LIKE 'curated:%';
DELETE FROM figures WHERE source = 'curated' AND dataset LIKE 'curated:%';
INSERT INTO figures SELECT * FROM curated_rekeyed ON CONFLICT (figure_id) DO NOTHING;
DROP TABLE curated_rekeyed;
