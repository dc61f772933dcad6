"""Valid data never breaks a page; bad requests get a one-line 4xx; no CSV carries a spreadsheet formula; no
request may send more than the limit."""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from urllib.parse import quote

import dashboard_data
import pytest

from dashboard import sql_sandbox
from dashboard.app import create_app
from etl.warehouse import etl_lock, next_version

ODD_ID = "rapport d'été 2020/№ 5"


@pytest.fixture
def make_app():
    apps = []

    def make(settings):
        app = create_app(settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close_resources()
    sql_sandbox.shutdown()


def build(settings, change_sql: tuple[str, ...] = ()):
    dashboard_data.build(settings, extra_documents=[{"doc_id": ODD_ID, "text": "Some 5,000 people fled.",
                                                     "title": "Summer report"}])
    with etl_lock(settings), next_version(settings) as con:
        for sql in change_sql:
            con.execute(sql)
    return settings


def all_page_layouts(app, query: dict) -> list[str]:
    """Render every page's layout with `query`; returns the text of each (a crash fails the test)."""
    import importlib

    texts = []
    with app.server.test_request_context("/"):
        for name in ("overview", "compare", "regions", "figures", "sources", "documents", "sql"):
            texts.append(str(importlib.import_module(f"dashboard.pages.{name}").layout(**query)))
    return texts


def test_a_warehouse_whose_figures_all_lack_dates_serves_every_page(settings, make_app):
    build(settings, ("UPDATE figures SET period_start = NULL, period_end = NULL, published = NULL",
                     "UPDATE documents SET published = NULL"))
    app = make_app(settings)
    client = app.server.test_client()
    assert client.get("/_dash-layout").status_code == 200  # before: 500, "Error loading layout" on every page
    for text in all_page_layouts(app, {}):
        assert "Traceback" not in text


def test_a_document_id_with_spaces_accents_and_slashes_opens(settings, make_app):
    app = make_app(build(settings))
    from dashboard.pages import documents

    with app.server.test_request_context("/"):
        page = str(documents.layout(doc_id=quote(ODD_ID, safe="")))  # as the browser's path carries it
    assert "Summer report" in page and "No document with this id" not in page


@pytest.mark.parametrize("query", [
    {"country": "<x>", "start": "garbage", "end": "2020-13-45", "metric": "nope", "figure": "a b"},
    {"admin1": "'; DROP TABLE figures; --", "org": "%" * 500, "source_type": "\x00"},
    {"doc_id": "\u202e" * 50},
])
def test_malformed_page_parameters_render_a_page(settings, make_app, query):
    app = make_app(build(settings))
    assert all_page_layouts(app, query)


@pytest.mark.parametrize("body", [
    "{", "[]", '{"output": 1}', '{"output": "nope.children", "inputs": []}', '"text"',
    '{"output": "nav-collapse.is_open", "inputs": 5}',
    '{"output": "nav-collapse.is_open", "inputs": [{"id": "nav-toggle"}]}',
])
def test_malformed_callback_bodies_get_a_one_line_400_and_no_traceback(settings, make_app, body, caplog):
    client = make_app(build(settings)).server.test_client()
    with caplog.at_level(logging.INFO):
        reply = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert reply.status_code == 400
    assert reply.get_json()["error"].startswith("malformed callback request")
    assert "Traceback" not in caplog.text and "Traceback" not in reply.get_data(as_text=True)


def test_request_bodies_past_the_limit_are_refused(settings, make_app):
    app = make_app(dataclasses.replace(build(settings), max_request_bytes=100_000))
    client = app.server.test_client()
    big = "x" * 200_000
    for path in ("/api/sql", "/_dash-update-component"):
        reply = client.post(path, data={"q": big})
        assert reply.status_code == 413, path
        assert len(reply.get_data(as_text=True).strip().splitlines()) == 1
    assert client.post("/api/sql", data={"q": "SELECT 1 AS one"}).status_code == 200


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_no_csv_the_app_writes_carries_a_formula(settings, make_app):
    build(settings, ("UPDATE figures SET evidence = '=HYPERLINK(\"http://x\",\"y\")', claimed_by = '@SUM(A1)'",))
    app = make_app(settings)
    client = app.server.test_client()
    outputs = [
        client.get("/api/figures?format=csv").get_data(as_text=True),
        client.get("/api/sql", query_string={"format": "csv", "q": "SELECT '=1+1' AS \"-x\", '+cmd' AS b"})
        .get_data(as_text=True),
    ]
    from dashboard.pages import sql

    with app.server.test_request_context("/"):
        download, _ = sql.download(1, "SELECT '=1+1' AS \"@x\", '\tx' AS t", None)
    outputs.append(download["content"])
    for text in outputs:
        cells = _cells(text)
        assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], text[:300]
    assert "'=HYPERLINK" in outputs[0] and "'=1+1" in outputs[1] and "'@x" in outputs[2]
