"""Documents → lake rows, one batch at a time: the part of the Spark job that runs on executors.

Plain Python and pandas (no pyspark import), so it is the same code whether Spark, a test or a benchmark calls it.
Each input row is one JSON document line (JSONL as read, Parquet rows as `to_json`); each output row is a figure,
a document or a reject, told apart by `kind`.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import pandas as pd

from etl.model import Document, FigureError, check_figure, stable_hash
from etl.sources.lake import LakeSource

SOURCE = "lake"  # the name the figures get in the warehouse (`etl run lake`), so figure_id is the same in both
LICENCE = LakeSource.licence  # v_figures.licence: the licence of the source that loaded the figure
RAW_CHARS = 2000  # a reject keeps the start of its line

# The v_figures and v_documents columns (docs/schema.md), in the views' order, with Spark types.
FIGURE_FIELDS = (
    ("figure_id", "string"), ("source", "string"), ("source_type", "string"), ("doc_id", "string"),
    ("dataset", "string"), ("record_id", "string"), ("metric", "string"), ("value", "bigint"),
    ("value_low", "bigint"), ("value_high", "bigint"), ("qualifier", "string"), ("quantity_text", "string"),
    ("unit", "string"), ("claimed_by", "string"), ("claimed_by_org", "string"), ("location_text", "string"),
    ("country_iso3", "string"), ("admin1_pcode", "string"), ("admin2_pcode", "string"), ("asylum_iso3", "string"),
    ("country_name", "string"), ("admin1_name", "string"), ("admin2_name", "string"), ("period_start", "date"),
    ("period_end", "date"), ("stock_or_flow", "string"), ("evidence", "string"), ("char_start", "int"),
    ("char_end", "int"), ("publisher", "string"), ("published", "date"), ("url", "string"), ("title", "string"),
    ("detail", "string"), ("load_id", "bigint"), ("licence", "string"), ("attribution", "string"),
    ("flags", "array<string>"), ("review_priority", "int"), ("review_status", "string"), ("reviewed_by", "string"),
    ("reviewed_at", "timestamp"), ("review_note", "string"), ("original_value", "bigint"),
    ("original_metric", "string"), ("original_fields", "string"), ("doc_sha256", "string"),
)
DOCUMENT_FIELDS = (
    ("doc_id", "string"), ("source", "string"), ("url", "string"), ("title", "string"), ("publisher", "string"),
    ("published", "date"), ("retrieved_at", "timestamp"), ("sha256", "string"), ("text", "string"),
    ("n_figures", "bigint"),
)
REJECT_FIELDS = (("location", "string"), ("reason", "string"), ("raw", "string"))
PARTITION_FIELDS = (("year", "int"),)  # figures only, with country_iso3: as `displacement export` writes them


def _union_fields():
    out, seen = [("kind", "string")], {"kind"}
    for name, kind in FIGURE_FIELDS + DOCUMENT_FIELDS + REJECT_FIELDS + PARTITION_FIELDS:
        if name not in seen:
            out.append((name, kind))
            seen.add(name)
    return tuple(out)


UNION_FIELDS = _union_fields()
UNION_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in UNION_FIELDS)  # mapInPandas' DDL schema


def parse_document(line: str) -> Document:
    """One JSON line → Document, with the CLI's rules (raises DocumentError with a one-line reason)."""
    from etl.extract.documents import _from_json

    return _from_json(line)


def figures_of(doc: Document, gazetteer) -> list[dict]:
    """The one call into the extractor: a document's figures in the contract's fields.

    Unlike `etl.extract.extract`, an exception propagates, so the job can reject the document with its reason.
    """
    from etl.extract import engine

    if not doc.text.strip():
        return []
    return engine.run(doc, gazetteer)


_GAZETTEERS: dict[str, object] = {}


def gazetteer(db: str | None = None):
    """This process's gazetteer, built once: from the places of the warehouse file `db`, else the bundled one.

    Spark reuses its Python workers across tasks, so a warehouse's gazetteer is read once per worker process.
    """
    from etl.places import Gazetteer

    if db is None:
        return Gazetteer.bundled()
    if db not in _GAZETTEERS:
        import duckdb

        con = duckdb.connect(db, read_only=True)
        try:
            _GAZETTEERS[db] = Gazetteer.from_connection(con)
        finally:
            con.close()
    return _GAZETTEERS[db]


def rows_for(path: str, line: str, gaz, retrieved_at: datetime) -> list[dict]:
    """The lake rows of one input line: its document and figures, or one reject saying why."""
    from etl.extract.documents import DocumentError

    where = path
    try:
        doc = parse_document(line)
    except DocumentError as exc:
        return [_reject(where, str(exc), line)]
    except Exception as exc:  # noqa: BLE001 - any odd line is a reject, never a failed job
        return [_reject(where, f"unreadable document ({type(exc).__name__}: {exc})", line)]
    where = f"{path}#{doc.doc_id}"
    try:
        figures = [check_figure(f) for f in figures_of(doc, gaz)]
    except FigureError as exc:
        return [_reject(where, f"bad figure: {exc}", line)]
    except Exception as exc:  # noqa: BLE001
        return [_reject(where, f"extraction failed ({type(exc).__name__}: {str(exc)[:200]})", line)]
    published = doc.published
    by_id = {}
    for f in figures:  # one figure per id, the last one, as the warehouse keeps it
        figure_id = stable_hash(SOURCE, f["doc_id"], f["char_start"], f["char_end"], f["metric"], f["value"])
        by_id[figure_id] = _figure_row(f, figure_id, doc, gaz, published)
    out = list(by_id.values())
    out.append({
        "kind": "document", "doc_id": doc.doc_id, "source": SOURCE, "url": doc.url, "title": doc.title,
        "publisher": doc.publisher, "published": published, "retrieved_at": retrieved_at, "sha256": doc.sha256,
        "text": doc.text, "n_figures": len(out),
    })
    return out


def _figure_row(f: dict, figure_id: str, doc: Document, gaz, published) -> dict:
    row = {name: f.get(name) for name, _ in FIGURE_FIELDS if name in f}
    # As v_figures computes them from the joined document, places and sources:
    shown = _coalesce(published, f["published"], f["period_end"], f["period_start"])
    publisher = _coalesce(doc.publisher, f["publisher"], f["claimed_by_org"], SOURCE)
    url = _coalesce(doc.url, f["url"])
    ref_date = _coalesce(f["period_end"], f["period_start"], shown)  # the export's partition year
    row.update(
        kind="figure", figure_id=figure_id, source=SOURCE, source_type="document",
        country_name=_name(gaz, f["country_iso3"]), admin1_name=_name(gaz, f["admin1_pcode"]),
        admin2_name=_name(gaz, f["admin2_pcode"]), publisher=publisher, published=shown, url=url,
        title=doc.title, load_id=None, licence=LICENCE, flags=list(f.get("flags") or []),
        review_status="unreviewed", original_value=f["value"], original_metric=f["metric"], doc_sha256=doc.sha256,
        attribution=", ".join(v for v in (publisher, _coalesce(doc.title, f["dataset"]), url) if v is not None),
        year=ref_date.year if ref_date else None,
    )
    return row


def _coalesce(*values):
    """SQL's COALESCE: the first value that is not None (an empty string counts)."""
    return next((v for v in values if v is not None), None)


def _name(gaz, code):
    place = gaz.places.get(code) if code else None
    if place is None:
        return None
    if place.level == 0:  # countries as the `gazetteer` source names them in the warehouse: OCHA's names
        return _ocha_names().get(code, (place.name,))[0]
    return place.name


@functools.lru_cache(maxsize=1)
def _ocha_names() -> dict:
    from etl.sources.gazetteer import ocha_country_names

    return ocha_country_names()


def _reject(location: str, reason: str, raw: str) -> dict:
    return {"kind": "reject", "location": location, "reason": reason.splitlines()[0] if reason else reason,
            "raw": raw[:RAW_CHARS] if isinstance(raw, str) else None}


def map_batches(batches, db: str | None = None, retrieved_at: datetime | None = None):
    """mapInPandas' function: batches of (path, line) → batches of UNION_FIELDS rows."""
    gaz = gazetteer(db)
    retrieved_at = retrieved_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    columns = [name for name, _ in UNION_FIELDS]
    for batch in batches:
        rows = []
        for path, line in zip(batch["path"], batch["line"]):
            if not isinstance(line, str) or not line.strip():
                if isinstance(line, str):
                    continue  # a blank line, as the CLI skips it
                rows.append(_reject(str(path), "not a text line", repr(line)))
                continue
            rows.extend(rows_for(str(path), line, gaz, retrieved_at))
        # object columns: pandas 3's Arrow-backed strings reach Spark as chunked arrays, which it cannot take
        frame = pd.DataFrame.from_records(rows, columns=columns).astype(object)
        frame["flags"] = [x if isinstance(x, list) else None for x in frame["flags"]]  # documents and rejects: null
        yield frame
