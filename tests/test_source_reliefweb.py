"""ReliefWeb API v2 against a local server: the POST query, paging, the date cursor, auth and drift."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply

import etl.extract
import etl.sources.articles
from etl import runner
from etl.sources import reliefweb
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "reliefweb"
PATH = "/v2/reports"
APPNAME = "example-displacement-dashboard-x7q"
NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) people")


def fake_extract(doc, gazetteer=None):
    return [{"doc_id": doc.doc_id, "metric": "displaced", "value": int(m.group(1).replace(",", "")),
             "quantity_text": m.group(1), "char_start": m.start(1), "char_end": m.end(1), "evidence": doc.text[:100]}
            for m in NUMBER.finditer(doc.text)]


@pytest.fixture(autouse=True)
def extraction(monkeypatch):
    monkeypatch.setattr(etl.extract, "extract", fake_extract)
    monkeypatch.setattr(etl.sources.articles, "gazetteer_for", lambda ctx: None)


def pages():
    return [json.loads((FIXTURES / name).read_text()) for name in ("reports_page.json", "reports_page2.json")]


def api(request):
    """/v2/reports: the request's filter and offset decide what comes back, as the real API would."""
    if request.query.get("appname") != APPNAME:
        return Reply(403, json={"status": 403, "error": {"type": "AccessDeniedHttpException"}})
    body = json.loads(request.body)
    items = [item for page in pages() for item in page["data"]]
    for condition in body.get("filter", {}).get("conditions", []):
        if condition["field"] == "date.created":
            items = [i for i in items if i["fields"]["date"]["created"] >= condition["value"]["from"]]
    chunk = items[body["offset"]:body["offset"] + body["limit"]]
    return Reply(json={"totalCount": len(items), "count": len(chunk), "data": chunk})


@pytest.fixture
def server(monkeypatch):
    with LocalServer() as s:
        monkeypatch.setattr(reliefweb.ReliefWebSource, "api", s.url(PATH))
        monkeypatch.setattr(reliefweb, "PAGE_SIZE", 3)
        s.route(PATH, api)
        yield s


@pytest.fixture
def api_settings(settings):
    return dataclasses.replace(settings, reliefweb_appname=APPNAME, reliefweb_countries="SYR, TUR",
                               reliefweb_query="displaced", reliefweb_from="2019-12-01")


def test_posts_the_query_and_pages_into_documents(server, api_settings):
    [result] = runner.run(api_settings, ["reliefweb"])
    assert result.status == "ok", result.error
    first, second = server.hits(PATH)
    assert first.method == "POST" and first.query == {"appname": APPNAME}
    body = json.loads(first.body)
    assert body["query"] == {"value": "displaced", "operator": "AND"}
    assert body["filter"]["conditions"] == [
        {"field": "country.iso3", "value": ["syr", "tur"], "operator": "OR"},
        {"field": "date.created", "value": {"from": "2019-12-01T00:00:00+00:00"}},
    ]
    assert body["fields"]["include"] == ["title", "body", "url_alias", "date.created", "source.name", "country.iso3"]
    assert body["sort"] == ["date.created:asc"] and (body["limit"], body["offset"]) == (3, 0)
    assert json.loads(second.body)["offset"] == 3
    docs = query(api_settings, "SELECT doc_id, url, publisher, published, text FROM documents ORDER BY published")
    assert [d[0] for d in docs] == ["reliefweb-3402111", "reliefweb-3402250", "reliefweb-3402301",
                                    "reliefweb-3403004"]
    assert docs[0][1].startswith("https://reliefweb.int/report/syrian-arab-republic/recent-developments")
    assert docs[0][2:4] == ("UN Office for the Coordination of Humanitarian Affairs", date(2019, 12, 26))
    assert docs[1][2] == "UN Children's Fund" and docs[1][4] == "An estimated 1,200 people reached shelters in Aleppo."
    assert docs[2][4] == "Map without text"  # no body: the title stands in
    figures = query(api_settings, "SELECT doc_id, value, char_start, char_end FROM figures ORDER BY value")
    assert [(f[0], f[1]) for f in figures] == [("reliefweb-3402250", 1200), ("reliefweb-3403004", 30000),
                                               ("reliefweb-3402111", 235000)]
    text = docs[0][4]
    assert text[figures[2][2]:figures[2][3]] == "235,000"
    assert query(api_settings, "SELECT value FROM source_state WHERE source = 'reliefweb' AND key = 'cursor'") == [
        ("2020-01-02T16:45:00+00:00",)]


def test_next_run_starts_at_the_cursor_and_adds_nothing(server, api_settings):
    runner.run(api_settings, ["reliefweb"])
    before = query(api_settings, "SELECT doc_id, sha256, load_id FROM documents UNION ALL"
                                 " SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1")
    [again] = runner.run(api_settings, ["reliefweb"])
    assert again.status == "ok" and again.rows_loaded == 0 and again.rows_read == 1
    since = json.loads(server.hits(PATH)[-1].body)["filter"]["conditions"][-1]
    assert since == {"field": "date.created", "value": {"from": "2020-01-02T16:45:00+00:00"}}
    after = query(api_settings, "SELECT doc_id, sha256, load_id FROM documents UNION ALL"
                                " SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1")
    assert after == before


def test_appname_is_required_and_a_refusal_names_it(server, api_settings):
    [missing] = runner.run(dataclasses.replace(api_settings, reliefweb_appname=""), ["reliefweb"])
    assert missing.status == "failed" and "DISPLACEMENT_RELIEFWEB_APPNAME" in missing.error
    assert server.requests == []
    [refused] = runner.run(dataclasses.replace(api_settings, reliefweb_appname="not-approved"), ["reliefweb"])
    assert refused.status == "failed"
    assert "HTTP 403" in refused.error and "DISPLACEMENT_RELIEFWEB_APPNAME" in refused.error
    assert "not-approved" not in refused.error
    assert reliefweb.ReliefWebSource().configured(api_settings) is False


def test_saved_page_replays_from_file(server, api_settings):
    runner.run(api_settings, ["reliefweb"], Options(save=True))
    saved = sorted((api_settings.raw_dir / "reliefweb").glob("reports-*.json"))
    assert len(saved) == 2
    replay = dataclasses.replace(api_settings, db=api_settings.db.with_name("replay.duckdb"))
    for path in saved:
        [result] = runner.run(replay, ["reliefweb"], Options(from_file=path))
        assert result.status == "ok", result.error
    assert query(replay, "SELECT doc_id, sha256 FROM documents ORDER BY 1") == query(
        api_settings, "SELECT doc_id, sha256 FROM documents ORDER BY 1")


def test_schema_drift_fails_and_keeps_last_good_documents(server, api_settings):
    runner.run(api_settings, ["reliefweb"])
    server.route(PATH, Reply(json={"totalCount": 1, "items": []}))
    [result] = runner.run(api_settings, ["reliefweb"], Options(full=True))
    assert result.status == "failed" and "lacks field data" in result.error
    assert query(api_settings, "SELECT count(*) FROM documents")[0][0] == 4


def test_from_date_setting_is_checked(api_settings):
    [result] = runner.run(dataclasses.replace(api_settings, reliefweb_from="Dec 2019"), ["reliefweb"])
    assert result.status == "failed" and "DISPLACEMENT_RELIEFWEB_FROM" in result.error
