"""A small warehouse for the dashboard's tests, written through etl.warehouse.next_version with plain inserts.

Idlib (SY07), December 2019: the UN's 80,000 displaced and the Syrian Observatory's "more than 100,000" from one
VOA-like article, OCHA's monthly series from a dataset, a vague "tens of thousands", casualties, boundaries for
two governorates, and a source that failed. `build(settings, with_boundaries=..., extra_documents=...)`.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from etl.warehouse import etl_lock, next_version

SEED_ID = "voa-idlib-2019-12-25"
SEED_TEXT = (
    "Syrian Troops Close In on Strategic Idlib Town\n\n"
    "The offensive has caused a major influx of civilians to safer areas along the Syrian-Turkish border.\n\n"
    "The U.N. said 80,000 people have been displaced in Idlib since the start of December. "
    "Local groups, including the Syrian Observatory, put the number at more than 100,000.\n\n"
    "Tens of thousands of people were sleeping in the open, aid workers said."
)

# Boundaries: two rough squares (not real borders) in GeoJSON.
IDLIB = '{"type":"Polygon","coordinates":[[[36.0,35.5],[37.0,35.5],[37.0,36.3],[36.0,36.3],[36.0,35.5]]]}'
ALEPPO = '{"type":"Polygon","coordinates":[[[37.0,35.8],[38.5,35.8],[38.5,36.8],[37.0,36.8],[37.0,35.8]]]}'

_PLACES = [
    ("SYR", 0, "Syria", "SYR", None, None),
    ("SY07", 1, "Idlib", "SYR", "SYR", IDLIB),
    ("SY02", 1, "Aleppo", "SYR", "SYR", ALEPPO),
    ("SY0702", 2, "Ma'arrat An Nu'man", "SYR", "SY07", None),
]

_FIGURE_COLUMNS = (
    "figure_id", "source", "source_type", "doc_id", "dataset", "record_id", "load_id", "content_hash", "metric",
    "value", "value_low", "value_high", "qualifier", "quantity_text", "unit", "claimed_by", "claimed_by_org",
    "location_text", "country_iso3", "admin1_pcode", "admin2_pcode", "period_start", "period_end", "stock_or_flow",
    "evidence", "char_start", "char_end",
)


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def _sentence(text: str, start: int) -> str:
    lo = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1)
    hi = text.find(".", start)
    return text[lo:hi + 1]


def seed_figures() -> list[dict]:
    """The figures of the seed article, with offsets into SEED_TEXT."""
    out = []
    for fid, needle, metric, value, low, high, qual, org, who, admin2, sof in (
        ("fig-un-80000", "80,000", "displaced", 80000, 80000, 80000, "exact", "United Nations", "The U.N.",
         None, "flow"),
        ("fig-sohr-100000", "more than 100,000", "displaced", 100000, 100000, None, "more_than",
         "Syrian Observatory for Human Rights", "Local groups, including the Syrian Observatory", None, "flow"),
        ("fig-open-tens", "Tens of thousands", "sheltered", 20000, 20000, 99999, "vague", None, "aid workers",
         None, None),
    ):
        start, end = _span(SEED_TEXT, needle)
        out.append(dict(
            figure_id=fid, source="articles", source_type="document", doc_id=SEED_ID, metric=metric, value=value,
            value_low=low, value_high=high, qualifier=qual, quantity_text=needle, claimed_by=who,
            claimed_by_org=org, location_text="Idlib", country_iso3="SYR", admin1_pcode="SY07",
            admin2_pcode=admin2, period_start=date(2019, 12, 1), period_end=date(2019, 12, 25),
            stock_or_flow=sof, evidence=_sentence(SEED_TEXT, start), char_start=start, char_end=end,
        ))
    return out


def dataset_figures() -> list[dict]:
    """OCHA's monthly series for Idlib, casualties, and a figure for Aleppo."""
    out = []
    for i, (month, value) in enumerate(((11, 40000), (12, 284000), (1, 358000), (2, 900000))):
        year = 2019 if month >= 11 else 2020
        end = date(year, month, 28)
        out.append(dict(figure_id=f"ocha-{i}", source="curated", source_type="dataset", dataset="ocha-idlib",
                        record_id=str(i), metric="displaced", value=value, value_low=value, value_high=value,
                        qualifier="exact", claimed_by_org="OCHA", country_iso3="SYR", admin1_pcode="SY07",
                        period_start=date(year, month, 1), period_end=end, stock_or_flow="flow"))
    out.append(dict(figure_id="ocha-stock", source="curated", source_type="dataset", dataset="ocha-idlib",
                    record_id="stock", metric="displaced", value=2_700_000, value_low=2_700_000,
                    value_high=2_700_000, qualifier="approximately", claimed_by_org="OCHA", country_iso3="SYR",
                    admin1_pcode="SY07", period_start=date(2020, 2, 1), period_end=date(2020, 2, 29),
                    stock_or_flow="stock"))
    out.append(dict(figure_id="sohr-killed", source="curated", source_type="dataset", dataset="sohr",
                    record_id="k1", metric="killed", value=1500, value_low=1500, value_high=1500,
                    qualifier="at_least", claimed_by_org="Syrian Observatory for Human Rights", country_iso3="SYR",
                    admin1_pcode="SY07", period_start=date(2019, 12, 1), period_end=date(2020, 2, 29)))
    out.append(dict(figure_id="who-injured", source="curated", source_type="dataset", dataset="who",
                    record_id="i1", metric="injured", value=3000, value_low=3000, value_high=3000,
                    qualifier="exact", claimed_by_org="WHO", country_iso3="SYR", admin1_pcode="SY07",
                    period_start=date(2020, 1, 1), period_end=date(2020, 1, 31)))
    out.append(dict(figure_id="aleppo-1", source="curated", source_type="dataset", dataset="ocha-idlib",
                    record_id="a1", metric="displaced", value=50000, value_low=50000, value_high=50000,
                    qualifier="exact", claimed_by_org="OCHA", country_iso3="SYR", admin1_pcode="SY02",
                    period_start=date(2020, 1, 1), period_end=date(2020, 1, 31), stock_or_flow="flow"))
    return out


def build(settings, with_boundaries: bool = True, extra_documents: list[dict] | None = None,
          extra_figures: list[dict] | None = None):
    """Write the test warehouse at settings.db; returns settings. extra_documents: dicts with doc_id, text, title;
    extra_figures: dicts shaped like dataset_figures()'s."""
    figures = seed_figures() + dataset_figures() + (extra_figures or [])
    documents = [dict(doc_id=SEED_ID, source="articles", url="https://www.voanews.com/a/idlib",
                      title=SEED_TEXT.split("\n")[0], publisher="VOA", published=date(2019, 12, 25), text=SEED_TEXT)]
    documents += extra_documents or []
    Path(settings.db).unlink(missing_ok=True)  # always a fresh warehouse (a publish replaces the file)
    with etl_lock(settings), next_version(settings) as con:
        for pcode, level, name, iso3, parent, geometry in _PLACES:
            con.execute("INSERT INTO places (pcode, admin_level, name, country_iso3, parent_pcode, alt_names,"
                        " geometry, source) VALUES (?, ?, ?, ?, ?, [], ?, 'test')",
                        [pcode, level, name, iso3, parent, geometry if with_boundaries else None])
        con.execute("INSERT INTO sources (name, kind, description, licence, url) VALUES"
                    " ('articles', 'documents', 'news articles', 'various', NULL),"
                    " ('curated', 'dataset', 'curated figures', 'CC BY', NULL),"
                    " ('reliefweb', 'documents', 'ReliefWeb reports', 'various', NULL)")
        con.execute("INSERT INTO etl_runs (run_id, source, started_at, finished_at, status, rows_read,"
                    " rows_loaded, rows_rejected, error) VALUES (1, 'articles', ?, ?, 'ok', 1, 1, 0, NULL),"
                    " (1, 'curated', ?, ?, 'ok', 9, 9, 0, NULL),"
                    " (1, 'reliefweb', ?, ?, 'failed', 0, 0, 0, 'HTTP 503 from the API')",
                    [datetime(2026, 1, 2, 6, 0), datetime(2026, 1, 2, 6, 1)] * 3)
        for doc in documents:
            con.execute(
                "INSERT INTO documents (doc_id, source, url, title, publisher, published, retrieved_at, text,"
                " sha256, load_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                [doc["doc_id"], doc.get("source", "articles"), doc.get("url"), doc.get("title"),
                 doc.get("publisher"), doc.get("published"), datetime(2026, 1, 2, 6, 0), doc["text"],
                 hashlib.sha256(doc["text"].encode()).hexdigest()],
            )
        for fig in figures:
            row = {c: fig.get(c) for c in _FIGURE_COLUMNS} | {"load_id": 1, "unit": "people",
                                                             "content_hash": fig["figure_id"]}
            con.execute(f"INSERT INTO figures ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))
        # Claims: one per figure here (the runner merges repeats; there are none).
        for fig in figures:
            con.execute(
                "INSERT INTO claims (claim_id, claimed_by_org, metric, country_iso3, admin1_pcode, admin2_pcode,"
                " period_start, period_end, value, value_low, value_high, qualifier, unit, source_type, n_figures,"
                " n_documents, doc_ids, figure_ids, first_reported, last_reported)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'people', ?, 1, ?, ?, ?, ?, ?)",
                ["c-" + fig["figure_id"], fig.get("claimed_by_org"), fig["metric"], fig.get("country_iso3"),
                 fig.get("admin1_pcode"), fig.get("admin2_pcode"), fig.get("period_start"), fig.get("period_end"),
                 fig["value"], fig.get("value_low"), fig.get("value_high"), fig["qualifier"], fig["source_type"],
                 1 if fig.get("doc_id") else 0, [fig["doc_id"]] if fig.get("doc_id") else [], [fig["figure_id"]],
                 fig.get("period_end"), fig.get("period_end")],
            )
    return settings
