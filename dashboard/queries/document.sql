-- One document with its text.
SELECT doc_id, source, url, title, publisher, published, published_from, retrieved_at, text, n_figures
FROM v_documents WHERE doc_id = $doc_id
