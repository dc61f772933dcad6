-- The stretch of a document around a figure (its sentence and the neighbouring ones), not the whole text.
SELECT greatest($char_start - 700, 0) AS offset,
       substr(text, greatest($char_start - 700, 0) + 1, $char_end - greatest($char_start - 700, 0) + 700) AS text
FROM v_document_text WHERE doc_id = $doc_id
