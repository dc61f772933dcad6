"""/api/figures chooses its page in figure_facts and fills it from the small tables and figures' index
(dashboard/api_figures.py); over real HTTP it answers exactly what the same filters over v_figures give: the same
columns, values and order (newest reference date first, undated last, ties by figure_id), page after page."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest
import requests

from dashboard.api import FIGURE_COLUMNS
from etl import warehouse
from tests.test_api import build_api_warehouse, start  # noqa: F401 - the `start` fixture

EXTRA = [  # figure_id, doc_id, metric, value, period_start, period_end, flags, original, location, asylum
    ("f6", None, "displaced", 700, None, None, None, None, "somewhere", None),  # no date at all: last
    ("f7", None, "killed", 3, "2020-01-31", "2020-01-31", ["review"], '{"value": 30, "metric": "injured"}',
     "Idlib city", None),  # same reference date as f1: figure_id breaks the tie
    ("f8", "doc1", "refugees", 9000, None, None, None, None, None, "TUR"),  # dated by its document only
]
ORDER = " ORDER BY COALESCE(period_end, period_start, published) DESC NULLS LAST, figure_id"
CASES = [  # API query, the same filter over v_figures
    ("", "true"),
    ("limit=3", "true"),
    ("limit=3&offset=3", "true"),
    ("limit=2&offset=7", "true"),
    ("country=SYR", "country_iso3 = 'SYR'"),
    ("metric=killed,displaced&limit=4&offset=1", "metric IN ('killed', 'displaced')"),
    ("org=iom", "(claimed_by_org ILIKE '%iom%' OR publisher ILIKE '%iom%')"),
    ("from=2020-01-31", "COALESCE(period_end, period_start, published) >= DATE '2020-01-31'"),
    ("to=2020-02-12", "COALESCE(period_start, period_end, published) <= DATE '2020-02-12'"),
    ("admin1=SY07&source_type=document", "admin1_pcode = 'SY07' AND source_type = 'document'"),
]


def _add_figures(settings) -> None:
    with warehouse.etl_lock(settings), warehouse.next_version(settings) as con:
        for fid, doc, metric, value, start_, end, flags, original, location, asylum in EXTRA:
            con.execute(
                "INSERT INTO figures (figure_id, source, source_type, doc_id, load_id, content_hash, metric, value,"
                " qualifier, unit, claimed_by_org, country_iso3, admin1_pcode, period_start, period_end, flags,"
                " original, location_text, asylum_iso3, review_status, reviewed_by)"
                " VALUES (?, ?, ?, ?, 2, 'h', ?, ?, 'exact', 'people', 'IOM', 'SYR', 'SY07', ?, ?, ?, ?, ?, ?, ?, ?)",
                [fid, "articles" if doc else "curated", "document" if doc else "dataset", doc, metric, value, start_,
                 end, flags, original, location, asylum, "corrected" if original else None,
                 "ana" if original else None])


@pytest.fixture
def served(settings, start):  # noqa: F811
    build_api_warehouse(settings)
    _add_figures(settings)
    return start(dataclasses.replace(settings, public_only="false"))


def _expected(settings, where: str, limit: int, offset: int) -> list[dict]:
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        cur = con.execute(f"SELECT {', '.join(FIGURE_COLUMNS)} FROM v_figures WHERE {where}{ORDER}"
                          f" LIMIT {limit} OFFSET {offset}")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()
    return rows


@pytest.mark.parametrize(("query", "where"), CASES)
def test_the_same_rows_as_v_figures(settings, served, query, where):
    body = requests.get(f"{served}/api/figures?{query}", timeout=30).json()
    params = dict(p.split("=") for p in query.split("&") if p)
    limit, offset = int(params.get("limit", 10000)), int(params.get("offset", 0))
    expected = _expected(settings, where, limit + 1, offset)
    assert body["truncated"] is (len(expected) > limit)
    expected = expected[:limit]
    assert [f["figure_id"] for f in body["figures"]] == [e["figure_id"] for e in expected]
    for got, want in zip(body["figures"], expected, strict=True):
        assert sorted(got) == sorted(FIGURE_COLUMNS)
        for column in FIGURE_COLUMNS:
            value = want[column]
            value = value.isoformat() if hasattr(value, "isoformat") else value
            assert got[column] == value, (got["figure_id"], column)


def test_undated_last_ties_by_id_and_reviewed_fields(served):
    figures = requests.get(f"{served}/api/figures", timeout=30).json()["figures"]
    ids = [f["figure_id"] for f in figures]
    assert ids[-1] == "f6" and ids.index("f1") + 1 == ids.index("f7")
    f7 = figures[ids.index("f7")]
    assert (f7["flags"], f7["original_value"], f7["original_metric"]) == (["review"], 30, "injured")
    assert (f7["location_text"], f7["reviewed_by"], f7["review_status"]) == ("Idlib city", "ana", "corrected")
    f8 = figures[ids.index("f8")]
    assert (f8["published"], f8["asylum_iso3"], f8["title"]) == ("2020-02-12", "TUR", "Idlib")
