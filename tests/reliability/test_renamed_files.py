"""The same data loaded twice under any name adds nothing: keys come from content and record ids."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import query

from etl import runner
from etl.sources.base import Options

FIXTURES = Path(__file__).parent.parent / "fixtures"


def totals(settings):
    return query(settings, "SELECT count(*), sum(value) FROM v_figures")[0]


def load(settings, source, path):
    [result] = runner.run(settings, [source], Options(from_file=path))
    assert result.status == "ok", result.error
    return result


def test_a_curated_csv_loaded_under_a_new_name_doubles_nothing(settings, tmp_path):
    original = tmp_path / "idlib_figures.csv"
    shutil.copyfile(Path(__file__).parent.parent.parent / "data" / "curated" / "idlib_figures.csv", original)
    load(settings, "curated", original)
    before = totals(settings)
    renamed = tmp_path / "copy of figures (2).csv"
    shutil.copyfile(original, renamed)
    assert load(settings, "curated", renamed).rows_loaded == 0
    assert totals(settings) == before and before[0] > 10


def test_an_hxl_file_loaded_under_a_new_name_doubles_nothing(settings, tmp_path):
    for name in ("idps_casualties_2019.csv", "conflict_events_and_fatalities.csv"):
        load(settings, "hxl", FIXTURES / "hxl" / name)
        before = totals(settings)
        renamed = tmp_path / f"renamed-{name}"
        shutil.copyfile(FIXTURES / "hxl" / name, renamed)
        assert load(settings, "hxl", renamed).rows_loaded == 0
        assert totals(settings) == before


def test_an_article_loaded_under_a_new_name_doubles_nothing(settings, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copyfile(FIXTURES / "extract" / "idlib_variant.txt", first / "idlib.txt")
    load(settings, "articles", first)
    before = totals(settings)
    documents = query(settings, "SELECT count(*) FROM v_documents")[0][0]
    shutil.copyfile(first / "idlib.txt", second / "Idlib report (copy).txt")
    again = load(settings, "articles", second)
    assert again.rows_loaded == 0
    assert totals(settings) == before and before[0] > 0
    assert query(settings, "SELECT count(*) FROM v_documents")[0][0] == documents == 1
    assert "same text as document idlib" in again.first_reject
