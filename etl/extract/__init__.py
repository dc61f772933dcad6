"""Figure extraction: text → figures in the contract's fields (../shared/eval/CONTRACT.md).

`extract(doc)` never raises: a document that cannot be read as text gives no figures.
"""

from __future__ import annotations

import logging

from etl.model import Document

log = logging.getLogger(__name__)
MAX_CHARS = 12_000_000


def extract(doc: Document, gazetteer=None) -> list[dict]:
    """One dict per figure, with exactly the keys of etl.model.CONTRACT_FIELDS."""
    from etl.extract import engine
    from etl.places import Gazetteer

    try:
        if not isinstance(getattr(doc, "text", None), str) or not doc.text.strip():
            return []
        if len(doc.text) > MAX_CHARS:
            log.warning("%s: text longer than %d characters; only the start is read", doc.doc_id, MAX_CHARS)
        gaz = gazetteer if gazetteer is not None else Gazetteer.bundled()
        return engine.run(doc, gaz)
    except Exception:  # one odd document must not stop a batch
        log.exception("extraction failed for %s", getattr(doc, "doc_id", "?"))
        return []
