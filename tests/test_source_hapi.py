"""HDX HAPI sources against a local server replaying responses in the API's shape, and from saved files."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply

from etl import runner
from etl.sources import hapi
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "hapi"
SECRET = "YXBwOnNlY3JldEBleGFtcGxlLm9yZw=="
EVENTS_PATH = "/api/v2/coordination-context/conflict-events"


def paged(rows):
    """A HAPI endpoint: `limit`/`offset` pages of `rows`."""

    def answer(request):
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        return Reply(json={"data": rows[offset:offset + limit]})

    return answer


@pytest.fixture
def server(monkeypatch):
    with LocalServer() as s:
        monkeypatch.setattr(hapi, "BASE_URL", s.url("/api/v2/"))
        monkeypatch.setattr(hapi, "PAGE_SIZE", 2)
        yield s


@pytest.fixture
def api_settings(settings):
    return dataclasses.replace(settings, hapi_app_identifier=SECRET, hapi_countries="SYR")


def fixture_rows(name):
    return json.loads((FIXTURES / name).read_text())["data"]


def test_conflict_events_pages_and_figures(server, api_settings):
    server.route(EVENTS_PATH, paged(fixture_rows("conflict_events_page.json")))
    [result] = runner.run(api_settings, ["hapi-conflict-events"])
    assert result.status == "ok", result.error
    assert result.rows_read == 3 and result.rows_loaded == 3
    hits = server.hits(EVENTS_PATH)
    assert [h.query["offset"] for h in hits] == ["0", "2"]  # two pages of two
    assert all(h.query["app_identifier"] == SECRET and h.query["location_code"] == "SYR" for h in hits)
    rows = query(api_settings, "SELECT admin1_pcode, admin2_pcode, metric, value, stock_or_flow, period_start,"
                 " period_end, claimed_by_org, detail FROM figures ORDER BY value DESC")
    assert [(r[1], r[3]) for r in rows] == [("SY0200", 17), ("SY0200", 6), ("SY1000", 0)]
    top = rows[0]
    assert top[0] == "SY02" and top[2] == "killed" and top[4] == "flow"
    assert str(top[5]) == "2025-01-01" and str(top[6]) == "2025-01-31"
    assert top[7] == "ACLED"
    assert json.loads(top[8]) == {"event_type": "political_violence", "events": 21, "provider": "ACLED",
                                  "hdx_resource_id": "fb139931-641f-4428-be77-429972878e19"}
    demo = json.loads(rows[2][8])
    assert demo["events"] == 1 and demo["fatalities_reported"] is False


def test_rerun_changes_nothing_and_asks_from_the_cursor(server, api_settings):
    server.route(EVENTS_PATH, paged(fixture_rows("conflict_events_page.json")))
    runner.run(api_settings, ["hapi-conflict-events"])
    before = query(api_settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1")
    [again] = runner.run(api_settings, ["hapi-conflict-events"])
    assert again.status == "ok" and again.rows_loaded == 0
    assert query(api_settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1") == before
    assert server.hits(EVENTS_PATH)[-1].query["start_date"] == "2025-01-01"
    assert query(api_settings, "SELECT value FROM source_state WHERE key = 'reference_period_start'") == [
        ("2025-01-01",)
    ]


def test_idps_by_admin_level(server, api_settings):
    server.route("/api/v2/affected-people/idps", paged(fixture_rows("idps.json")))
    [result] = runner.run(api_settings, ["hapi-idps"])
    assert result.status == "ok", result.error
    rows = query(api_settings, "SELECT country_iso3, admin1_pcode, admin2_pcode, metric, value, stock_or_flow,"
                 " json_extract_string(detail, '$.round') FROM figures ORDER BY value")
    assert rows == [("SYR", "SY07", "SY0703", "displaced", 1411204, "stock", "12"),
                    ("SYR", "SY07", None, "displaced", 2870452, "stock", "12")]


def test_refugees_by_origin_and_asylum(server, api_settings):
    path = "/api/v2/affected-people/refugees-persons-of-concern"
    origin, asylum = fixture_rows("refugees_origin.json"), fixture_rows("refugees_asylum.json")
    by_origin, by_asylum = paged(origin), paged(asylum)
    server.route(path, lambda r: by_origin(r) if "origin_location_code" in r.query else by_asylum(r))
    [result] = runner.run(api_settings, ["hapi-refugees"])
    assert result.status == "ok", result.error
    assert {tuple(sorted(h.query)) for h in server.hits(path)} >= {
        ("app_identifier", "limit", "offset", "origin_location_code", "output_format"),
        ("app_identifier", "asylum_location_code", "limit", "offset", "output_format"),
    }
    rows = query(api_settings, "SELECT country_iso3, asylum_iso3, metric, value, period_end FROM figures ORDER BY 4")
    # the sex/age breakdown and the asylum-seekers are not loaded as refugee figures
    assert [r[:4] for r in rows] == [("IRQ", "SYR", "refugees", 13422), ("SYR", "TUR", "refugees", 3056466)]
    assert str(rows[0][4]) == "2023-12-31"


def test_returnees_from_saved_json(api_settings):
    [result] = runner.run(api_settings, ["hapi-returnees"], Options(from_file=FIXTURES / "returnees.json"))
    assert result.status == "ok", result.error
    rows = query(api_settings, "SELECT country_iso3, asylum_iso3, metric, value, stock_or_flow,"
                 " json_extract_string(detail, '$.population_group') FROM figures ORDER BY value")
    assert rows == [("SYR", "LBN", "returned", 25511, "flow", "RET"), ("SYR", "SYR", "returned", 234000, "flow", "RDP")]


def test_csv_export_with_bad_rows(settings):
    [result] = runner.run(settings, ["hapi-conflict-events"], Options(from_file=FIXTURES / "conflict_events.csv"))
    assert result.status == "ok", result.error
    assert result.rows_read == 6 and result.rows_loaded == 4 and result.rows_rejected == 2
    rejects = dict(query(settings, "SELECT location, reason FROM rejects"))
    assert "fatalities 'many' is not a number" in rejects["conflict_events.csv:6"]
    assert "bad date" in rejects["conflict_events.csv:7"]
    # a record without p-codes keeps its country and a key made of the provider's names
    assert query(settings, "SELECT admin2_pcode, record_id FROM figures WHERE country_iso3 = 'AFG'") == [
        (None, "AFG|Ghazni|Jaghatu|political_violence|2025-01-01")
    ]
    assert query(settings, "SELECT sum(value) FROM figures WHERE country_iso3 = 'SYR'") == [(23,)]


def test_schema_drift_keeps_last_good_rows(settings):
    good = Options(from_file=FIXTURES / "conflict_events.csv")
    runner.run(settings, ["hapi-conflict-events"], good)
    before = query(settings, "SELECT figure_id, value FROM figures ORDER BY 1")
    drifted = Options(from_file=FIXTURES / "conflict_events_drifted.csv")
    [result] = runner.run(settings, ["hapi-conflict-events"], drifted)
    assert result.status == "failed"
    assert "conflict_events_drifted.csv" in result.error and "fatalities" in result.error
    assert query(settings, "SELECT figure_id, value FROM figures ORDER BY 1") == before
    assert query(settings, "SELECT status, error FROM etl_runs WHERE run_id = 2") == [("failed", result.error)]


def test_json_drift_names_the_field(server, api_settings):
    rows = [{k: v for k, v in r.items() if k != "events"} for r in fixture_rows("conflict_events_page.json")]
    server.route(EVENTS_PATH, paged(rows))
    [result] = runner.run(api_settings, ["hapi-conflict-events"])
    assert result.status == "failed" and "lacks field(s) events" in result.error


def test_unauthorised_names_the_setting_not_the_secret(server, api_settings):
    server.route(EVENTS_PATH, Reply(401, json={"detail": "invalid app_identifier"}))
    [result] = runner.run(api_settings, ["hapi-conflict-events"])
    assert result.status == "failed"
    assert "DISPLACEMENT_HAPI_APP_IDENTIFIER" in result.error and "401" in result.error
    stored = query(api_settings, "SELECT error FROM etl_runs")[0][0]
    assert SECRET not in stored and SECRET not in result.error


def test_missing_app_identifier(settings):
    [result] = runner.run(settings, ["hapi-idps"])
    assert result.status == "failed" and "set DISPLACEMENT_HAPI_APP_IDENTIFIER" in result.error


def test_retry_after_429(server, api_settings):
    rows = fixture_rows("conflict_events_page.json")[:1]
    server.route(EVENTS_PATH, [Reply(429, headers={"Retry-After": "1"}), Reply(json={"data": rows})])
    started = time.monotonic()
    [result] = runner.run(api_settings, ["hapi-conflict-events"])
    assert result.status == "ok", result.error
    assert len(server.hits(EVENTS_PATH)) == 2 and time.monotonic() - started >= 0.9
    assert query(api_settings, "SELECT count(*) FROM figures") == [(1,)]


def test_save_then_replay(server, api_settings, tmp_path):
    server.route(EVENTS_PATH, paged(fixture_rows("conflict_events_page.json")))
    runner.run(api_settings, ["hapi-conflict-events"], Options(save=True))
    saved = sorted((api_settings.raw_dir / "hapi-conflict-events").glob("*.json"))
    assert [p.name for p in saved] == [
        "coordination-context-conflict-events-location_code-SYR-000000.json",
        "coordination-context-conflict-events-location_code-SYR-000002.json",
    ]
    assert SECRET not in saved[0].read_text()
    replay = dataclasses.replace(api_settings, db=tmp_path / "replay.duckdb")
    for path in saved:
        [result] = runner.run(replay, ["hapi-conflict-events"], Options(from_file=path))
        assert result.status == "ok", result.error
    key = "SELECT figure_id, value, detail FROM figures ORDER BY 1"
    assert query(replay, key) == query(api_settings, key)


def test_csv_output_format(server, api_settings, monkeypatch):
    monkeypatch.setattr(hapi, "OUTPUT_FORMAT", "csv")
    text = (FIXTURES / "conflict_events.csv").read_text().splitlines()
    server.route(EVENTS_PATH, Reply(body="\n".join(text[:3]) + "\n", content_type="text/csv"))
    monkeypatch.setattr(hapi, "PAGE_SIZE", 10)
    [result] = runner.run(api_settings, ["hapi-conflict-events"])
    assert result.status == "ok", result.error
    assert server.hits(EVENTS_PATH)[0].query["output_format"] == "csv"
    assert query(api_settings, "SELECT sum(value) FROM figures") == [(23,)]


def test_a_record_short_of_a_field_is_rejected(settings, tmp_path):
    rows = fixture_rows("conflict_events_page.json")
    del rows[1]["event_type"]  # the first and last records are checked for drift; this one is rejected alone
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"data": rows}))
    [result] = runner.run(settings, ["hapi-conflict-events"], Options(from_file=path))
    assert result.status == "ok" and result.rows_loaded == 2 and result.rows_rejected == 1
    assert query(settings, "SELECT location, reason FROM rejects") == [("page.json#2", "missing field 'event_type'")]
