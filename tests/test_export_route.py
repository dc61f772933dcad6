"""/export/figures.csv and .xlsx over HTTP: streamed, the page's filters applied, formulas defused, no-redistribution
sources left out on a public server, and nothing left in the query cache."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from urllib.parse import quote

import dashboard_data
import pytest
from openpyxl import load_workbook

from dashboard import queries
from dashboard.app import create_app

# A curated figure whose words a spreadsheet would run, and one from a source that forbids redistribution.
FORMULA = dict(figure_id="formula-1", source="curated", source_type="dataset", dataset="=HYPERLINK(\"x\")",
               record_id="f1", metric="displaced", value=1234, value_low=1234, value_high=1234, qualifier="exact",
               claimed_by_org="@evil", country_iso3="SYR", admin1_pcode="SY02", period_start=date(2020, 2, 1),
               period_end=date(2020, 2, 29), stock_or_flow="flow")
RESTRICTED = dict(FORMULA, figure_id="acled-1", source="acled", dataset="acled", record_id="a1",
                  claimed_by_org="ACLED", metric="killed", value=7, value_low=7, value_high=7)


@pytest.fixture
def client(settings):
    app = create_app(_with(settings, public_only="false"))
    yield app.server.test_client()
    app.close_resources()


def _with(settings, **changes):
    from dataclasses import replace

    dashboard_data.build(settings, extra_figures=[FORMULA, RESTRICTED])
    return replace(settings, **changes)


def read_csv(response) -> list[dict]:
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, tags = rows[0], rows[1]
    assert tags[header.index("metric")] == "#indicator+code"
    return [dict(zip(header, r, strict=True)) for r in rows[2:]]


def test_csv_is_streamed_as_an_attachment_with_the_page_filters_applied(client):
    queries._cache.clear()  # the cache is per process: earlier tests' grid queries may sit in it
    response = client.get("/export/figures.csv?admin1=SY07&metric=displaced&sort=value:desc")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="figures-')
    assert "Content-Length" not in response.headers  # the browser counts the bytes as they come
    rows = read_csv(response)
    assert rows and {r["admin1_pcode"] for r in rows} == {"SY07"} and {r["metric"] for r in rows} == {"displaced"}
    values = [int(r["value"]) for r in rows]
    assert values == sorted(values, reverse=True)
    seed = next(r for r in rows if r["figure_id"] == "fig-sohr-100000")
    assert seed["value_text"] == "more than 100,000" and seed["licence"] and seed["attribution"].startswith("VOA")
    # a download never enters the query cache (the warm-up thread fills it with other queries meanwhile)
    assert not [key for key in queries._cache if {"figure_rows", "export_rows"} & set(map(str, key[1]))]


def test_the_grid_column_filters_and_one_figure_travel_in_the_link(client):
    grid = quote(json.dumps({"claimed_by_org": {"type": "contains", "filter": "observatory"}}))
    rows = read_csv(client.get(f"/export/figures.csv?grid={grid}"))
    assert sorted(r["figure_id"] for r in rows) == ["fig-sohr-100000", "sohr-killed"]
    rows = read_csv(client.get("/export/figures.csv?figure=fig-un-80000"))
    assert [r["figure_id"] for r in rows] == ["fig-un-80000"]


def test_cells_a_spreadsheet_would_run_are_defused(client):
    rows = read_csv(client.get("/export/figures.csv?admin1=SY02"))
    formula = next(r for r in rows if r["figure_id"] == "formula-1")
    assert formula["title"] == "'=HYPERLINK(\"x\")" and formula["claimed_by_org"] == "'@evil"


def test_excel_has_the_hxl_row_and_defused_cells(client):
    response = client.get("/export/figures.xlsx?admin1=SY02")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith('.xlsx"')
    assert int(response.headers["Content-Length"]) == len(response.data)
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["figures"]
    header, tags, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert tags[header.index("licence")] == "#meta+licence"
    formula = next(dict(zip(header, r, strict=True)) for r in rows if r[0] == "formula-1")
    assert formula["title"] == "'=HYPERLINK(\"x\")" and formula["value"] == 1234


def test_a_public_server_leaves_out_no_redistribution_sources(settings):
    for public, expected in (("false", True), ("true", False)):
        app = create_app(_with(settings, public_only=public))
        try:
            ids = {r["figure_id"] for r in read_csv(app.server.test_client().get("/export/figures.csv"))}
        finally:
            app.close_resources()
        assert ("acled-1" in ids) is expected and "formula-1" in ids


def test_unknown_formats_and_bad_parameters_get_a_plain_answer(client):
    assert client.get("/export/figures.json").status_code == 404
    response = client.get("/export/figures.csv?sort=drop%20table:desc&grid=%7Bnot%20json&start=yesterday")
    assert response.status_code == 200 and len(read_csv(response)) > 10
