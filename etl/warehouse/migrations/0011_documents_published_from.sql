-- Where an undated document's date came from ('front matter' or 'file date'); NULL when the document said it.
ALTER TABLE documents ADD COLUMN published_from VARCHAR;
