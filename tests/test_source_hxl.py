"""The `hxl` source: HXL-tagged CSV/XLSX files (preamble, several figure tags per row), from a file or a URL."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply
from openpyxl import Workbook

from etl import runner
from etl.sources import get
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "hxl"
IDPS = FIXTURES / "idps_casualties_2019.csv"
EVENTS = FIXTURES / "conflict_events_and_fatalities.csv"


def run_file(settings, path):
    [result] = runner.run(settings, ["hxl"], Options(from_file=path))
    return result


def test_several_figures_per_row(settings):
    result = run_file(settings, IDPS)
    assert result.status == "ok", result.error
    rows = query(settings, "SELECT admin2_pcode, metric, unit, value, stock_or_flow, period_start, period_end,"
                 " claimed_by_org FROM figures WHERE admin2_pcode = 'SY0703' ORDER BY metric, unit")
    assert [r[1:5] for r in rows] == [
        ("displaced", "households", 240000, "stock"),
        ("displaced", "people", 1200000, "stock"),
        ("injured", "people", 120, "flow"),
        ("killed", "people", 35, "flow"),
    ]
    assert all(str(r[5]) == "2019-01-01" and str(r[6]) == "2019-12-31" and r[7] == "OCHA" for r in rows)
    detail = json.loads(query(settings, "SELECT detail FROM figures WHERE admin2_pcode = 'SY0703' LIMIT 1")[0][0])
    assert detail == {"events": 14}


def test_bad_cells_and_duplicate_rows_are_rejected(settings):
    result = run_file(settings, IDPS)
    rejects = query(settings, "SELECT location, reason FROM rejects ORDER BY location")
    assert [loc for loc, _ in rejects] == ["idps_casualties_2019.csv:6", "idps_casualties_2019.csv:7",
                                           "idps_casualties_2019.csv:8"]
    reasons = " | ".join(r for _, r in rejects)
    assert "#affected+idps+ind: 'abc'" in reasons and "duplicate row" in reasons and "#date+year" in reasons
    # the rest of a row with one bad cell still loads; a blank cell gives no figure
    assert query(settings, "SELECT metric, value FROM figures WHERE admin2_pcode = 'SY0203' ORDER BY 1") == [
        ("injured", 4), ("killed", 3)
    ]
    assert query(settings, "SELECT metric FROM figures WHERE admin2_pcode = 'SY0700' ORDER BY 1") == [
        ("displaced",), ("killed",)
    ]
    assert result.rows_read == 5 and result.rows_rejected == 3


def test_conflict_events_month_and_events(settings):
    assert run_file(settings, EVENTS).status == "ok"
    rows = query(settings, "SELECT admin1_pcode, admin2_pcode, metric, value, period_start, period_end, dataset,"
                 " detail FROM figures ORDER BY admin2_pcode, value")
    assert [(r[1], r[3]) for r in rows] == [("SY0200", 6), ("SY0200", 17), ("SY1000", 0), ("SY1000", 5)]
    assert {(str(r[4]), str(r[5])) for r in rows} == {("2025-01-01", "2025-01-31")}
    assert rows[0][6] == "hxl:921fe117-7158-437b-943d-94969d545362"
    assert json.loads(rows[0][7]) == {"event_type": "civilian_targeting", "events": 9,
                                      "hdx_resource_id": "fb139931-641f-4428-be77-429972878e19"}
    demo = json.loads(rows[2][7])
    assert demo["event_type"] == "demonstration" and demo["fatalities_reported"] is False
    assert query(settings, "SELECT sum(value), sum(CAST(json_extract(detail, '$.events') AS INT)) FROM figures") == [
        (28, 34)
    ]


def test_rerun_changes_nothing(settings):
    run_file(settings, EVENTS)
    before = query(settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1")
    again = run_file(settings, EVENTS)
    assert again.status == "ok" and again.rows_loaded == 0
    assert query(settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1") == before


def test_xlsx_gives_the_same_figures(settings, tmp_path):
    book = Workbook()
    sheet = book.active
    with open(EVENTS, newline="") as handle:
        for row in csv.reader(handle):
            sheet.append([int(c) if c.isdigit() else c for c in row])
    path = tmp_path / "conflict_events_and_fatalities.xlsx"
    book.save(path)
    assert run_file(settings, path).status == "ok"
    other = dataclasses.replace(settings, db=tmp_path / "csv.duckdb")
    run_file(other, EVENTS)
    key = "SELECT figure_id, value, period_start, detail FROM figures ORDER BY 1"
    assert query(settings, key) == query(other, key)


@pytest.mark.parametrize("name, message", [
    ("no_figure_tags.csv", "no figure column tagged"),
    ("untagged.csv", "no HXL hashtag row"),
])
def test_schema_drift_keeps_last_good_rows(settings, name, message):
    run_file(settings, EVENTS)
    before = query(settings, "SELECT figure_id, value FROM figures ORDER BY 1")
    result = run_file(settings, FIXTURES / name)
    assert result.status == "failed" and message in result.error and name in result.error
    assert query(settings, "SELECT figure_id, value FROM figures ORDER BY 1") == before
    assert query(settings, "SELECT status FROM etl_runs WHERE run_id = 2") == [("failed",)]


def test_configured_only_with_a_url(settings):
    assert not get("hxl").configured(settings)
    assert get("hxl").configured(dataclasses.replace(settings, hxl_url="https://data.humdata.org/x.csv"))


def test_downloads_from_url_and_skips_an_unchanged_file(settings):
    with LocalServer() as server:
        server.route("/dataset/acled/download/conflict_events.csv", Reply(body=EVENTS.read_bytes(),
                                                                          content_type="text/csv"))
        remote = dataclasses.replace(settings, hxl_url=server.url("/dataset/acled/download/conflict_events.csv"))
        assert "hxl" in runner.default_sources(remote)  # configured, so part of a default run
        [first] = runner.run(remote, ["hxl"])
        assert first.status == "ok" and first.rows_loaded == 4
        [second] = runner.run(remote, ["hxl"])
        assert second.status == "ok" and second.rows_read == 0  # same bytes: nothing to do
        assert query(remote, "SELECT count(*) FROM figures") == [(4,)]
        [full] = runner.run(remote, ["hxl"], Options(full=True, save=True))
        assert full.rows_read == 4 and full.rows_loaded == 0
        assert (remote.raw_dir / "hxl" / "hxl.csv").read_bytes() == EVENTS.read_bytes()
