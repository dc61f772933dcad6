"""Undated .txt/.md documents take a front-matter date, else the file's date, and say which was used."""

from __future__ import annotations

import os
from datetime import date, datetime

from etl import runner
from tests.helpers import query


def test_front_matter_then_file_date(demo_settings, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "fm.md").write_text("---\ntitle: Saraqib empties\ndate: 2020-02-03\npublisher: Example News\n---\n"
                                    "About 5,000 families fled Saraqib in Idlib, the UN said.\n")
    bare = articles / "bare.txt"
    bare.write_text("More than 2,000 people fled Saraqib in Idlib, the UN said.\n")
    stamp = datetime(2020, 2, 4, 12).timestamp()
    os.utime(bare, (stamp, stamp))
    settings = demo_settings.__class__(**{**demo_settings.__dict__, "articles_dir": articles})
    assert all(r.status == "ok" for r in runner.run(settings, ["gazetteer", "articles"]))
    rows = query(settings, "SELECT doc_id, title, publisher, published, published_from, starts_with(text, '---')"
                           " FROM v_documents ORDER BY doc_id")
    assert rows == [("bare", None, None, date(2020, 2, 4), "file date", False),
                    ("fm", "Saraqib empties", "Example News", date(2020, 2, 3), "front matter", False)]
    # Their figures are dated, so they reach the trends.
    dated = query(settings, "SELECT count(*) FROM v_figure_facts"
                            " WHERE doc_id IN ('fm', 'bare') AND ref_date IS NOT NULL")
    assert dated == [(2,)]
