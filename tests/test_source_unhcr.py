"""UNHCR population statistics: the API replayed from a local server, the Refugee Data Finder export, HDX layout."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply

from etl import runner
from etl.sources import unhcr
from etl.sources.base import Options, SourceError

FIXTURES = Path(__file__).parent / "fixtures" / "unhcr"
API_PATH = "/population/v1/population/"


def page(n):
    return json.loads((FIXTURES / f"population_page{n}.json").read_text())


@pytest.fixture
def server(monkeypatch):
    with LocalServer() as s:
        monkeypatch.setattr(unhcr.UnhcrPopulation, "api", s.url(API_PATH))
        s.route(API_PATH, lambda request: Reply(json=page(int(request.query["page"]))))
        yield s


def test_api_pages_into_figures(server, settings):
    settings = dataclasses.replace(settings, unhcr_years="2019-2019")
    [result] = runner.run(settings, ["unhcr-population"])
    assert result.status == "ok", result.error
    assert [r.query["page"] for r in server.hits(API_PATH)] == ["1", "2"]
    first = server.hits(API_PATH)[0].query
    assert first["yearFrom"] == "2019" and first["yearTo"] == "2019"
    assert first["coo_all"] == "true" and first["coa_all"] == "true" and first["cf_type"] == "ISO"
    rows = query(settings, "SELECT record_id, metric, value, country_iso3, asylum_iso3, period_start, period_end,"
                           " stock_or_flow, claimed_by_org FROM figures ORDER BY record_id")
    by_id = {r[0]: r[1:] for r in rows}
    assert len(rows) == 10  # zeros and '-' are no figures
    metric, value, origin, asylum, start, end, kind, org = by_id["2019:SYR:TUR:refugees"]
    assert (metric, value, origin, asylum, kind, org) == ("refugees", 3576370, "SYR", "TUR", "stock", "UNHCR")
    assert (str(start), str(end)) == ("2019-01-01", "2019-12-31")
    assert by_id["2019:SYR:LBN:asylum_seekers"][:4] == ("refugees", 11412, "SYR", "LBN")
    assert by_id["2019:SYR:SYR:idps"][:4] == ("displaced", 6146994, "SYR", None)
    assert by_id["2019:SYR:SYR:returned_idps"][:2] == ("returned", 413229)
    assert by_id["2019:AFG:PAK:returned_refugees"][:4] == ("returned", 6232, "AFG", "PAK")
    refugees = query(settings, "SELECT sum(value) FROM figures WHERE metric = 'refugees' AND country_iso3 = 'SYR'"
                               " AND detail LIKE '%\"population_type\": \"refugees\"%'")[0][0]
    assert refugees == 3576370 + 910256
    assert query(settings, "SELECT value FROM source_state WHERE source = 'unhcr-population' AND key = 'through_year'")
    assert result.rows_read == 4 and result.rows_loaded == 10


def test_second_run_changes_nothing_and_asks_recent_years_only(server, settings):
    settings = dataclasses.replace(settings, unhcr_years="2014-2019")
    runner.run(settings, ["unhcr-population"])
    before = query(settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1")
    [again] = runner.run(settings, ["unhcr-population"])
    assert again.status == "ok" and again.rows_loaded == 0
    assert query(settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1") == before
    assert server.hits(API_PATH)[-1].query["yearFrom"] == "2018"  # the cursor: through 2019, revisions of 2018
    [full] = runner.run(settings, ["unhcr-population"], Options(full=True))
    assert full.status == "ok" and server.hits(API_PATH)[-1].query["yearFrom"] == "2014"


def test_retries_server_errors_honouring_retry_after(settings, monkeypatch):
    with LocalServer() as s:
        monkeypatch.setattr(unhcr.UnhcrPopulation, "api", s.url(API_PATH))
        s.route(API_PATH, [Reply(503, headers={"Retry-After": "0"}), Reply(json={**page(1), "maxPages": 1})])
        [result] = runner.run(settings, ["unhcr-population"])
    assert result.status == "ok", result.error
    assert len(s.hits(API_PATH)) == 2
    assert query(settings, "SELECT count(*) FROM figures")[0][0] == 4


def test_schema_drift_in_the_api_fails_and_keeps_last_good_rows(server, settings, monkeypatch):
    runner.run(settings, ["unhcr-population"])
    good = query(settings, "SELECT count(*) FROM figures")[0][0]
    server.route(API_PATH, Reply(json={"page": 1, "maxPages": 1, "rows": []}))
    [result] = runner.run(settings, ["unhcr-population"], Options(full=True))
    assert result.status == "failed" and "lacks field items" in result.error
    assert query(settings, "SELECT count(*) FROM figures")[0][0] == good
    assert query(settings, "SELECT status FROM etl_runs ORDER BY run_id DESC LIMIT 1") == [("failed",)]


def test_refugee_data_finder_export_with_preamble(settings):
    path = FIXTURES / "refugee_data_finder.csv"
    [result] = runner.run(settings, ["unhcr-population"], Options(from_file=path))
    assert result.status == "ok", result.error
    assert result.rows_read == 8 and result.rows_loaded == 9 and result.rows_rejected == 2
    assert query(settings, "SELECT value FROM figures WHERE record_id = '2019:SYR:SYR:idps'") == [(6146994,)]
    assert query(settings, "SELECT sum(value) FROM figures WHERE country_iso3 = 'SYR' AND metric = 'refugees'"
                           " AND year(period_end) = 2019 AND record_id LIKE '%:refugees'") == [(3576370 + 910256,)]
    assert query(settings, "SELECT country_iso3, asylum_iso3 FROM figures WHERE record_id = '2019:IRQ:SYR:refugees'"
                 ) == [("IRQ", "SYR")]
    rejects = dict(query(settings, "SELECT location, reason FROM rejects"))
    assert rejects == {"refugee_data_finder.csv:22": "year '20x9' is not a year",
                       "refugee_data_finder.csv:23": "value 'n/a' is not a number"}
    # The same figures from the API merge into these rows instead of duplicating them.
    [again] = runner.run(settings, ["unhcr-population"], Options(from_file=path))
    assert again.rows_loaded == 0 and query(settings, "SELECT count(*) FROM rejects")[0][0] == 2


def test_hdx_layout(settings):
    [result] = runner.run(settings, ["unhcr-population"], Options(from_file=FIXTURES / "hdx_end_year_population.csv"))
    assert result.status == "ok", result.error
    rows = dict(query(settings, "SELECT record_id, value FROM figures"))
    assert rows == {"2019:AFG:PAK:refugees": 1419084, "2019:AFG:PAK:asylum_seekers": 8406,
                    "2019:AFG:AFG:idps": 2553390, "2019:IRQ:IRN:refugees": 29350, "2019:IRQ:IRN:asylum_seekers": 11}


def test_api_page_saved_with_save_replays_from_file(server, settings):
    settings = dataclasses.replace(settings, unhcr_years="2019")
    runner.run(settings, ["unhcr-population"], Options(save=True))
    saved = sorted((settings.raw_dir / "unhcr-population").glob("*.json"))
    assert [p.name for p in saved] == ["population-2019-2019-page0001.json", "population-2019-2019-page0002.json"]
    replay = dataclasses.replace(settings, db=settings.db.with_name("replay.duckdb"))
    for path in saved:
        [result] = runner.run(replay, ["unhcr-population"], Options(from_file=path))
        assert result.status == "ok"
    assert query(replay, "SELECT count(*) FROM figures") == query(settings, "SELECT count(*) FROM figures")


def test_renamed_column_fails_naming_file_and_column_and_keeps_last_good_rows(settings, tmp_path):
    good = FIXTURES / "refugee_data_finder.csv"
    runner.run(settings, ["unhcr-population"], Options(from_file=good))
    drifted = tmp_path / "population.csv"
    shutil.copy(FIXTURES / "refugee_data_finder_drift.csv", drifted)
    [result] = runner.run(settings, ["unhcr-population"], Options(from_file=drifted))
    assert result.status == "failed"
    assert "population.csv lacks column(s) Country of origin (ISO)" in result.error
    assert "\n" not in result.error
    assert query(settings, "SELECT count(*) FROM figures")[0][0] == 9
    assert query(settings, "SELECT status, error FROM etl_runs ORDER BY run_id DESC LIMIT 1")[0][0] == "failed"


def test_year_setting_is_checked():
    assert unhcr.parse_years("2014-2024") == (2014, 2024)
    assert unhcr.parse_years("2019") == (2019, 2019)
    with pytest.raises(SourceError, match="DISPLACEMENT_UNHCR_YEARS"):
        unhcr.parse_years("last ten years")
    with pytest.raises(SourceError, match="ends before"):
        unhcr.parse_years("2020-2010")


def test_not_run_by_default(settings):
    assert unhcr.UnhcrPopulation().configured(settings) is False
