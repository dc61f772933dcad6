"""RSS/Atom feeds: documents once by URL and content hash, figures through extraction, conditional GET, failures."""

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
import etl.places
import etl.sources.articles
from etl import runner
from etl.sources import feeds
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
RSS, ATOM = FIXTURES / "news.rss", FIXTURES / "relief.atom"
NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) people")


def fake_extract(doc, gazetteer=None):
    """A stand-in for etl.extract.extract: one `displaced` figure per "N people"."""
    return [
        {"doc_id": doc.doc_id, "metric": "displaced", "value": int(m.group(1).replace(",", "")),
         "quantity_text": m.group(1), "unit": "people", "qualifier": "exact", "evidence": doc.text[:80],
         "char_start": m.start(1), "char_end": m.end(1)}
        for m in NUMBER.finditer(doc.text)
    ]


@pytest.fixture(autouse=True)
def extraction(monkeypatch):
    """Fake extraction (the real one is tested by its own tests and once below); records what it was given."""
    calls = []

    def extract(doc, gazetteer=None):
        calls.append(doc.doc_id)
        return fake_extract(doc, gazetteer)

    monkeypatch.setattr(etl.extract, "extract", extract)
    monkeypatch.setattr(etl.sources.articles, "gazetteer_for", lambda ctx: None)
    return calls


def test_two_feeds_one_document_per_url_and_content(settings):
    settings = dataclasses.replace(settings, feeds=f"{RSS}, {ATOM}")
    assert feeds.FeedsSource().configured(settings)
    [result] = runner.run(settings, ["feeds"])
    assert result.status == "ok", result.error
    assert result.rows_read == 6 and result.rows_rejected == 1
    docs = query(settings, "SELECT url, title, publisher, published, text FROM documents ORDER BY published")
    assert [d[0] for d in docs] == ["https://news.example.org/2019/12/idlib-displacement",
                                    "https://news.example.org/2020/01/aleppo-shelters",  # fragment dropped
                                    "https://relief.example.org/deir-ez-zor-returns"]
    assert docs[0][1:4] == ("Thousands flee fighting in Idlib", "Example Humanitarian News",
                            date(2019, 12, 25))
    assert docs[1][4] == "Some 1,500 people are sleeping in schools in western Aleppo.\n\nAid groups ask for & expect" \
                         " more tents."  # content:encoded, scripts gone
    assert docs[2][2] == "Relief Updates"
    figures = query(settings, "SELECT f.value, f.char_start, f.char_end, d.url, f.source_type FROM figures f"
                              " JOIN documents d USING (doc_id) ORDER BY f.value")
    assert [(f[0], f[4]) for f in figures] == [(1500, "document"), (2000, "document"), (80000, "document")]
    text = query(settings, "SELECT text FROM documents WHERE url LIKE '%idlib%'")[0][0]
    value, start, end = figures[2][:3]
    assert text[start:end] == "80,000"
    assert query(settings, "SELECT location, reason FROM rejects") == [
        ("news.rss:entry 3", "entry without a link or text")]
    doc_id = query(settings, "SELECT doc_id FROM documents WHERE url LIKE '%idlib%'")[0][0]
    assert re.fullmatch(r"feed-[0-9a-f]{16}", doc_id)


def test_rerun_adds_nothing_even_when_forced(settings, extraction):
    settings = dataclasses.replace(settings, feeds=f"{RSS},{ATOM}")
    runner.run(settings, ["feeds"])
    snapshot = "SELECT doc_id, sha256, load_id FROM documents UNION ALL SELECT figure_id, content_hash, load_id" \
               " FROM figures ORDER BY 1"
    before = query(settings, snapshot)
    extraction.clear()
    [again] = runner.run(settings, ["feeds"])
    assert again.status == "ok" and again.rows_read == 0  # both files unchanged: not parsed
    [forced] = runner.run(settings, ["feeds"], Options(full=True))
    assert forced.status == "ok" and forced.rows_loaded == 0
    assert extraction == []  # every entry known by URL or content: nothing extracted again
    assert query(settings, snapshot) == before


def test_updated_article_is_extracted_again_and_keeps_only_its_new_figures(settings, tmp_path):
    feed = tmp_path / "news.rss"
    feed.write_text(RSS.read_text())
    settings = dataclasses.replace(settings, feeds=str(feed))
    runner.run(settings, ["feeds"])
    feed.write_text(RSS.read_text().replace("More than 80,000 people", "More than 100,000 people"))
    [result] = runner.run(settings, ["feeds"])
    assert result.status == "ok", result.error
    assert query(settings, "SELECT count(*) FROM documents")[0][0] == 2
    values = [r[0] for r in query(settings, "SELECT value FROM figures ORDER BY value")]
    assert values == [1500, 100000]


def test_url_already_stored_by_another_source_is_skipped(settings, tmp_path):
    page = tmp_path / "reliefweb.json"
    fields = {"title": "Idlib", "body": "Other text, 5 people", "date": {"created": "2019-12-25"},
              "url_alias": "https://news.example.org/2019/12/idlib-displacement"}
    page.write_text(json.dumps({"totalCount": 1, "count": 1, "data": [{"id": "1", "fields": fields}]}))
    runner.run(settings, ["reliefweb"], Options(from_file=page))
    [result] = runner.run(settings, ["feeds"], Options(from_file=RSS))
    assert result.status == "ok", result.error
    assert query(settings, "SELECT source, count(*) FROM documents GROUP BY ALL ORDER BY 1") == [
        ("feeds", 1), ("reliefweb", 1)]


def test_feed_url_with_etag_and_a_broken_feed_beside_it(settings):
    with LocalServer() as server:
        def answer(request):
            if request.headers.get("if-none-match") == '"rss-1"':
                return Reply(304)
            return Reply(body=RSS.read_bytes(), headers={"ETag": '"rss-1"'}, content_type="application/rss+xml")

        server.route("/feed.rss", answer)
        server.route("/broken.rss", Reply(500))
        settings = dataclasses.replace(settings, feeds=f"{server.url('/feed.rss')},{server.url('/broken.rss')}",
                                       http_retries=0)
        [first] = runner.run(settings, ["feeds"])
        [second] = runner.run(settings, ["feeds"])
    assert first.status == "ok" and second.status == "ok", (first.error, second.error)
    assert query(settings, "SELECT count(*) FROM documents")[0][0] == 2
    assert second.rows_read == 0
    assert [r.headers.get("if-none-match") for r in server.hits("/feed.rss")] == [None, '"rss-1"']
    reasons = [r[0] for r in query(settings, "SELECT reason FROM rejects WHERE reason LIKE '%broken.rss%'")]
    assert reasons and "HTTP 500" in reasons[0]


def test_all_feeds_failing_fails_the_source(settings, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("this is not a feed")
    settings = dataclasses.replace(settings, feeds=str(bad))
    [result] = runner.run(settings, ["feeds"])
    assert result.status == "failed" and "bad.xml is not an RSS or Atom feed" in result.error


def test_gazetteer_from_the_warehouse_when_it_has_places(settings, monkeypatch):
    used = []
    monkeypatch.undo()  # the real gazetteer choice, with the stand-ins below
    monkeypatch.setattr(etl.extract, "extract", lambda doc, gazetteer=None: used.append(gazetteer) or [])
    monkeypatch.setattr(etl.places.Gazetteer, "bundled", classmethod(lambda cls: "bundled"))
    monkeypatch.setattr(etl.places.Gazetteer, "from_connection", classmethod(lambda cls, con: "warehouse"))
    runner.run(settings, ["feeds"], Options(from_file=RSS))
    runner.run(settings, ["pcodes"], Options(from_file=Path(__file__).parent / "fixtures" / "pcodes" /
                                             "global_pcodes.csv"))
    runner.run(settings, ["feeds"], Options(from_file=ATOM))
    assert used[:2] == ["bundled", "bundled"] and set(used[2:]) == {"warehouse"}


def test_html_to_text():
    assert feeds.html_to_text("<p>One&nbsp;two</p><ul><li>three</li></ul><style>x{}</style>") == "One two\n\nthree"
    assert feeds.html_to_text("plain\n\n\ntext  here") == "plain\n\ntext here"


def test_with_the_real_extractor(settings, monkeypatch):
    monkeypatch.undo()
    [result] = runner.run(settings, ["feeds"], Options(from_file=RSS))
    assert result.status == "ok", result.error
    values = {r[0] for r in query(settings, "SELECT value FROM figures")}
    assert 80000 in values
