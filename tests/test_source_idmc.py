"""IDMC GIDD and IDU against a local server replaying responses in the API's shape, and from saved files."""

from __future__ import annotations

import dataclasses
import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply

from etl import runner
from etl.sources import idmc
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "idmc"
CLIENT_ID = "TESTCLIENT0042"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def paginated(server, path, body):
    """A DRF LimitOffset endpoint: count/next/previous/results, `next` carrying every parameter."""

    def answer(request):
        if request.query.get("client_id") != CLIENT_ID:
            return Reply(403, json={"detail": "Client is not registered."})
        offset, limit = int(request.query.get("offset", 0)), int(request.query["limit"])
        rows = body["results"][offset:offset + limit]
        more = offset + limit < len(body["results"])
        following = server.url(f"{path}?client_id={CLIENT_ID}&format=json&limit={limit}&offset={offset + limit}")
        return Reply(json={**body, "next": following if more else None, "results": rows})

    return answer


@pytest.fixture
def server(monkeypatch):
    with LocalServer() as s:
        monkeypatch.setattr(idmc.IdmcGidd, "api", s.url("/external-api/gidd/"))
        monkeypatch.setattr(idmc.IdmcIdu, "api", s.url("/external-api/idus/"))
        monkeypatch.setattr(idmc, "PAGE_SIZE", 2)
        for endpoint in ("displacements", "conflicts", "disasters"):
            path = f"/external-api/gidd/{endpoint}/"
            s.route(path, paginated(s, path, fixture(f"gidd_{endpoint}_page.json")))
        yield s


@pytest.fixture
def api_settings(settings):
    return dataclasses.replace(settings, idmc_client_id=CLIENT_ID)


def test_gidd_pages_three_endpoints_into_one_set_of_figures(server, api_settings):
    [result] = runner.run(api_settings, ["idmc-gidd"])
    assert result.status == "ok", result.error
    for endpoint in ("displacements", "conflicts", "disasters"):
        hits = server.hits(f"/external-api/gidd/{endpoint}/")
        assert [h.query.get("offset", "0") for h in hits] == ["0", "2"]
        assert all(h.query["client_id"] == CLIENT_ID for h in hits)
    rows = {r[0]: r[1:] for r in query(api_settings, "SELECT record_id, value, stock_or_flow, period_start,"
                                                     " period_end, claimed_by_org FROM figures WHERE dataset = 'gidd'")}
    # `displacements` and `conflicts` carry the same conflict figures: same record ids, no duplicates.
    assert sorted(rows) == sorted(["SYR:2019:conflict:new", "SYR:2019:conflict:total", "SYR:2019:disaster:new",
                                   "SYR:2020:conflict:new", "SYR:2020:conflict:total", "IRQ:2019:conflict:new",
                                   "IRQ:2019:conflict:total"])
    value, kind, start, end, org = rows["SYR:2019:conflict:new"]
    assert (value, kind, str(start), str(end), org) == (1847140, "flow", "2019-01-01", "2019-12-31", "IDMC")
    assert rows["SYR:2019:conflict:total"][:2] == (6495392, "stock")
    events = dict(query(api_settings, "SELECT record_id, value FROM figures WHERE dataset = 'gidd-disaster-events'"))
    assert events == {
        "SYR:Syria: Flood - Idlib - 15/01/2019:2019-01-15:new": 2400,
        "SYR:Syria: Flood - Idlib - 15/01/2019:2019-01-15#2:new": 310,  # IDMC's twin events both count
        "TUR:Türkiye, Syria: Earthquakes - 06/02/2023:2023-02-06:new": 4000000,
        "TUR:Türkiye, Syria: Earthquakes - 06/02/2023:2023-02-06:total": 3000000,
    }
    # An event whose end precedes its start keeps its figure, over its year.
    assert query(api_settings, "SELECT DISTINCT period_start, period_end FROM figures WHERE country_iso3 = 'TUR'"
                 ) == [(date(2023, 1, 1), date(2023, 12, 31))]


def test_gidd_rerun_stops_at_the_first_page_when_idmc_published_nothing_new(server, api_settings):
    runner.run(api_settings, ["idmc-gidd"])
    before = query(api_settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1")
    requests_before = len(server.requests)
    [again] = runner.run(api_settings, ["idmc-gidd"])
    assert again.status == "ok" and again.rows_loaded == 0
    assert len(server.requests) - requests_before == 3  # one page per endpoint
    assert query(api_settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1") == before
    [full] = runner.run(api_settings, ["idmc-gidd"], Options(full=True))
    assert full.rows_loaded == 0 and len(server.requests) - requests_before == 9


def test_refused_client_id_names_the_setting_and_never_the_secret(server, api_settings):
    wrong = dataclasses.replace(api_settings, idmc_client_id="WRONG-SECRET-ID")
    [result] = runner.run(wrong, ["idmc-gidd"])
    assert result.status == "failed"
    assert "HTTP 403" in result.error and "DISPLACEMENT_IDMC_CLIENT_ID" in result.error
    stored = query(wrong, "SELECT error FROM etl_runs")[0][0]
    assert "WRONG-SECRET-ID" not in stored and "WRONG-SECRET-ID" not in result.error


def test_missing_client_id_fails_before_any_request(server, settings):
    [result] = runner.run(settings, ["idmc-gidd", "idmc-idu"])[:1]
    assert result.status == "failed" and "DISPLACEMENT_IDMC_CLIENT_ID" in result.error
    assert server.requests == []
    assert idmc.IdmcGidd().configured(settings) is False and idmc.IdmcIdu().configured(settings) is False


def test_gidd_hdx_csv_and_api_page_give_the_same_records(settings):
    [csv_run] = runner.run(settings, ["idmc-gidd"], Options(from_file=FIXTURES / "gidd_conflict_hdx.csv"))
    assert csv_run.status == "ok", csv_run.error
    assert csv_run.rows_read == 4 and csv_run.rows_loaded == 6 and csv_run.rows_rejected == 1
    assert query(settings, "SELECT location, reason FROM rejects") == [
        ("gidd_conflict_hdx.csv:6", "year or iso3 missing or malformed")]
    [page_run] = runner.run(settings, ["idmc-gidd"], Options(from_file=FIXTURES / "gidd_conflicts_page.json"))
    assert page_run.status == "ok" and page_run.rows_loaded == 0
    assert query(settings, "SELECT value FROM figures WHERE record_id = 'SYR:2019:conflict:total'") == [(6495392,)]


def test_gidd_schema_drift_fails_and_keeps_last_good_rows(settings, tmp_path):
    runner.run(settings, ["idmc-gidd"], Options(from_file=FIXTURES / "gidd_conflicts_page.json"))
    body = fixture("gidd_conflicts_page.json")
    for row in body["results"]:
        row["reporting_year"] = row.pop("year")
    drifted = tmp_path / "conflicts.json"
    drifted.write_text(json.dumps(body))
    [result] = runner.run(settings, ["idmc-gidd"], Options(from_file=drifted))
    assert result.status == "failed" and "conflicts.json lacks field(s) year" in result.error
    assert query(settings, "SELECT count(*) FROM figures")[0][0] == 6


def test_idu_first_load_reads_all_then_the_rolling_window(server, api_settings):
    events = fixture("idu_last_180_days.json")
    server.route("/external-api/idus/all/", Reply(body=gzip.compress(json.dumps(events).encode()),
                                                  content_type="application/octet-stream"))
    server.route("/external-api/idus/last-180-days/", Reply(json=events[:1]))
    [first] = runner.run(api_settings, ["idmc-idu"])
    assert first.status == "ok", first.error
    assert (first.rows_read, first.rows_loaded, first.rows_rejected) == (4, 3, 1)
    assert [h.path for h in server.requests] == ["/external-api/idus/all/"]
    rows = {r[0]: r[1:] for r in query(api_settings, "SELECT record_id, value, qualifier, value_low, value_high,"
                                                     " period_start, period_end, evidence, stock_or_flow FROM figures")}
    value, qualifier, low, high, start, end, evidence, kind = rows["140101"]
    assert (value, qualifier, low, high, kind) == (80000, "more_than", 80000, None, "flow")
    assert (str(start), str(end)) == ("2019-12-16", "2019-12-25")
    assert evidence == ("More than 80,000 people fled their homes in southern Idlib between 16 and 25 December,"
                        " according to the United Nations.")
    assert rows["140103"][1:4] == ("approximately", 500, 500)
    assert query(api_settings, "SELECT location_text FROM figures WHERE record_id = '140101'") == [("Idlib",)]
    detail = json.loads(query(api_settings, "SELECT detail FROM figures WHERE record_id = '140101'")[0][0])
    assert detail["source"] == "OCHA - 26 December 2019" and detail["displacement_type"] == "Conflict"
    assert query(api_settings, "SELECT reason FROM rejects") == [("value is missing",)]
    [second] = runner.run(api_settings, ["idmc-idu"])
    assert second.status == "ok" and second.rows_loaded == 0
    assert server.requests[-1].path == "/external-api/idus/last-180-days/"


def test_idu_csv_export_gives_the_same_figures_as_the_api(settings):
    json_settings = dataclasses.replace(settings, db=settings.db.with_name("json.duckdb"))
    runner.run(json_settings, ["idmc-idu"], Options(from_file=FIXTURES / "idu_last_180_days.json"))
    [result] = runner.run(settings, ["idmc-idu"], Options(from_file=FIXTURES / "idu_events.csv"))
    assert result.status == "ok", result.error
    columns = "record_id, value, qualifier, period_start, period_end, evidence, country_iso3"
    assert query(settings, f"SELECT {columns} FROM figures ORDER BY 1") == query(
        json_settings, f"SELECT {columns} FROM figures ORDER BY 1")


def test_idu_refused_names_the_setting(server, api_settings):
    server.route("/external-api/idus/all/", Reply(401, json={"detail": "Client is not registered."}))
    [result] = runner.run(api_settings, ["idmc-idu"])
    assert result.status == "failed" and "DISPLACEMENT_IDMC_CLIENT_ID" in result.error
    assert CLIENT_ID not in result.error


def test_saved_pages_mask_the_client_id_and_replay(server, api_settings):
    [result] = runner.run(api_settings, ["idmc-gidd"], Options(save=True))
    assert result.status == "ok", result.error
    saved = sorted((api_settings.raw_dir / "idmc-gidd").glob("*.json"))
    assert [p.name for p in saved][:2] == ["conflicts-0000.json", "conflicts-0001.json"] and len(saved) == 6
    assert all(CLIENT_ID not in p.read_text() for p in saved)
    assert "client_id=***" in saved[0].read_text()
    replay = dataclasses.replace(api_settings, db=api_settings.db.with_name("replay.duckdb"))
    for path in saved:
        assert runner.run(replay, ["idmc-gidd"], Options(from_file=path))[0].status == "ok"
    columns = "SELECT record_id, value FROM figures ORDER BY 1"
    assert query(replay, columns) == query(api_settings, columns)
