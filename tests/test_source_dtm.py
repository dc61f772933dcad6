"""The `dtm` source: IOM DTM API v3 admin0/1/2 against a local server, and saved responses."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply

from etl import runner
from etl.sources import dtm
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "dtm"
KEY = "0123456789abcdef0123456789abcdef"


def answer(name):
    """An endpoint that wants the subscription key and honours FromReportingDate."""
    payload = json.loads((FIXTURES / f"{name}.json").read_text())

    def reply(request):
        if request.headers.get("ocp-apim-subscription-key") != KEY:
            return Reply(401, json={"statusCode": 401, "message": "Access denied due to invalid subscription key."})
        since = request.query.get("FromReportingDate", "")
        rows = [r for r in payload["result"] if r["reportingDate"][:10] >= since]
        return Reply(json={**payload, "result": rows})

    return reply


@pytest.fixture
def server(monkeypatch):
    with LocalServer() as s:
        monkeypatch.setattr(dtm, "BASE_URL", s.url("/v3/displacement/"))
        for level in (0, 1, 2):
            s.route(f"/v3/displacement/admin{level}", answer(f"admin{level}"))
        yield s


@pytest.fixture
def api_settings(settings):
    return dataclasses.replace(settings, dtm_subscription_key=KEY, hapi_countries="SDN")


def test_idps_by_admin_level_and_round(server, api_settings):
    [result] = runner.run(api_settings, ["dtm"])
    assert result.status == "ok", result.error
    assert result.rows_read == 6 and result.rows_loaded == 5 and result.rows_rejected == 1
    assert {r.query["Admin0Pcode"] for r in server.requests} == {"SDN"}
    rows = query(api_settings, "SELECT dataset, country_iso3, admin1_pcode, admin2_pcode, metric, value, stock_or_flow,"
                 " period_start, period_end, claimed_by_org FROM figures ORDER BY dataset, value")
    assert [(r[0], r[2], r[3], r[5]) for r in rows] == [
        ("dtm:admin0", None, None, 8856313), ("dtm:admin0", None, None, 10099000),
        ("dtm:admin1", "SD03", None, 622310), ("dtm:admin1", "SD03", None, 1780412),
        ("dtm:admin2", "SD03", "SD03001", 411002),
    ]
    assert {(r[1], r[4], r[6], r[9]) for r in rows} == {
        ("SDN", "displaced", "stock", "International Organization for Migration")}
    assert str(rows[1][7]) == str(rows[1][8]) == "2024-09-30"
    detail = json.loads(query(api_settings, "SELECT detail FROM figures WHERE value = 1780412")[0][0])
    assert detail == {"admin_level": 1, "round": "16", "operation": "Sudan Mobility Tracking", "assessment_type": "BA",
                      "displacement_reason": "Conflict", "origin_admin1": "SD01"}
    assert "numPresentIdpInd: 'n/a' is not a number" in query(api_settings, "SELECT reason FROM rejects")[0][0]


def test_rerun_asks_from_the_last_reporting_date(server, api_settings):
    runner.run(api_settings, ["dtm"])
    before = query(api_settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1")
    [again] = runner.run(api_settings, ["dtm"])
    assert again.status == "ok" and again.rows_loaded == 0
    assert {r.query.get("FromReportingDate") for r in server.requests[-3:]} == {"2024-09-30"}
    assert query(api_settings, "SELECT figure_id, content_hash, load_id FROM figures ORDER BY 1") == before


def test_bad_key_names_the_setting_not_the_key(server, api_settings):
    wrong = dataclasses.replace(api_settings, dtm_subscription_key="ffffffffffffffff")
    [result] = runner.run(wrong, ["dtm"])
    assert result.status == "failed"
    assert "DISPLACEMENT_DTM_SUBSCRIPTION_KEY" in result.error and "401" in result.error
    assert "ffffffffffffffff" not in query(wrong, "SELECT error FROM etl_runs")[0][0]


def test_missing_key(settings):
    [result] = runner.run(settings, ["dtm"])
    assert result.status == "failed" and "set DISPLACEMENT_DTM_SUBSCRIPTION_KEY" in result.error


def test_api_error_envelope(server, api_settings):
    server.route("/v3/displacement/admin0", Reply(json={"isSuccess": False, "result": None,
                                                        "errorMessages": ["Admin0Pcode not found"]}))
    [result] = runner.run(api_settings, ["dtm"])
    assert result.status == "failed" and "Admin0Pcode not found" in result.error


def test_retries_a_503(server, api_settings):
    server.route("/v3/displacement/admin0", [Reply(503, headers={"Retry-After": "0"}), answer("admin0")])
    [result] = runner.run(api_settings, ["dtm"])
    assert result.status == "ok", result.error
    assert len(server.hits("/v3/displacement/admin0")) == 2


def test_saved_response_offline_and_schema_drift(settings):
    [good] = runner.run(settings, ["dtm"], Options(from_file=FIXTURES / "admin1.json"))
    assert good.status == "ok" and good.rows_loaded == 2
    before = query(settings, "SELECT figure_id, value FROM figures ORDER BY 1")
    [drifted] = runner.run(settings, ["dtm"], Options(from_file=FIXTURES / "admin1_drifted.json"))
    assert drifted.status == "failed"
    assert "admin1_drifted.json" in drifted.error and "numPresentIdpInd" in drifted.error
    assert query(settings, "SELECT figure_id, value FROM figures ORDER BY 1") == before


def test_save_then_replay(server, api_settings, tmp_path):
    runner.run(api_settings, ["dtm"], Options(save=True))
    folder = api_settings.raw_dir / "dtm"
    assert sorted(p.name for p in folder.iterdir()) == ["admin0-SDN.json", "admin1-SDN.json", "admin2-SDN.json"]
    replay = dataclasses.replace(api_settings, db=tmp_path / "replay.duckdb")
    for path in sorted(folder.iterdir()):
        assert runner.run(replay, ["dtm"], Options(from_file=path))[0].status == "ok"
    key = "SELECT figure_id, value, detail FROM figures ORDER BY 1"
    assert query(replay, key) == query(api_settings, key)
