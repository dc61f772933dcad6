"""The `acled` source: OAuth password grant and refresh, paged reads by date, deletions, files (API page, export,
HDX monthly aggregates)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply
from openpyxl import Workbook

from etl import runner
from etl import sources as registry
from etl.sources import Source, acled
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "acled"
PASSWORD = "correct-horse-battery-staple"
EVENTS = json.loads((FIXTURES / "read_page.json").read_text())["data"]


class FakeAcled:
    """The token, read and deleted endpoints of the ACLED API, in their shape."""

    def __init__(self, server, events=EVENTS, deleted=()):
        self.events, self.deleted = list(events), list(deleted)
        self.valid = {"access-1"}
        self.expire_first_read = False
        self.token_forms = []
        server.route("/oauth/token", self.token)
        server.route("/api/acled/read", self.read)
        server.route("/api/deleted/read", self.deleted_read)

    def token(self, request):
        form = request.form()
        self.token_forms.append(form)
        if form.get("grant_type") == "password" and form.get("password") == PASSWORD:
            return Reply(json={"token_type": "Bearer", "expires_in": 86400, "access_token": "access-1",
                               "refresh_token": "refresh-1"})
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") == "refresh-1":
            self.valid.add("access-2")
            return Reply(json={"token_type": "Bearer", "expires_in": 86400, "access_token": "access-2",
                               "refresh_token": "refresh-2"})
        return Reply(400, json={"error": "invalid_grant", "error_description": "The user credentials were incorrect."})

    def _authorised(self, request):
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.expire_first_read:
            self.expire_first_read = False
            self.valid.discard(token)
        return token in self.valid

    def _page(self, rows, request):
        page, limit = int(request.query["page"]), int(request.query["limit"])
        data = rows[(page - 1) * limit:page * limit]
        return Reply(json={"status": 200, "success": True, "count": len(data), "messages": [], "data": data})

    def read(self, request):
        if not self._authorised(request):
            return Reply(401, json={"message": "Access token expired"})
        start = request.query["event_date"].split("|")[0]
        return self._page([e for e in self.events if e["event_date"] >= start], request)

    def deleted_read(self, request):
        if not self._authorised(request):
            return Reply(401, json={"message": "Access token expired"})
        since = int(request.query["deleted_timestamp"])
        return self._page([d for d in self.deleted if int(d["deleted_timestamp"]) >= since], request)


@pytest.fixture
def server(monkeypatch):
    with LocalServer() as s:
        monkeypatch.setattr(acled, "TOKEN_URL", s.url("/oauth/token"))
        monkeypatch.setattr(acled, "READ_URL", s.url("/api/acled/read"))
        monkeypatch.setattr(acled, "DELETED_URL", s.url("/api/deleted/read"))
        monkeypatch.setattr(acled, "PAGE_SIZE", 2)
        yield s


@pytest.fixture
def api_settings(settings):
    return dataclasses.replace(settings, acled_username="analyst@example.org", acled_password=PASSWORD,
                               acled_countries="Syria")


def test_events_paged_with_a_bearer_token(server, api_settings):
    fake = FakeAcled(server)
    [result] = runner.run(api_settings, ["acled"])
    assert result.status == "ok", result.error
    assert result.rows_read == 3 and result.rows_loaded == 3
    assert fake.token_forms == [{"grant_type": "password", "username": "analyst@example.org", "password": PASSWORD,
                                 "scope": "authenticated", "client_id": "acled"}]
    reads = server.hits("/api/acled/read")
    assert [r.query["page"] for r in reads] == ["1", "2"]
    assert all(r.headers["authorization"] == "Bearer access-1" for r in reads)
    assert reads[0].query["country"] == "Syria" and reads[0].query["event_date_where"] == "BETWEEN"
    assert reads[0].query["event_date"].startswith(f"{acled.START_DATE}|")
    rows = query(api_settings, "SELECT record_id, metric, value, country_iso3, period_start, period_end,"
                 " claimed_by_org, location_text, detail FROM figures ORDER BY record_id")
    assert [(r[0], r[2]) for r in rows] == [("SYR131001", 4), ("SYR131002", 2), ("SYR131003", 0)]
    first = rows[0]
    assert first[1] == "killed" and first[3] == "SYR" and first[6] == "ACLED"
    assert str(first[4]) == str(first[5]) == "2025-01-03"
    assert first[7] == "Sarmada, Harim, Idleb, Syria"
    assert json.loads(first[8]) == {"event_type": "Battles", "sub_event_type": "Armed clash", "events": 1,
                                    "disorder_type": "Political violence", "admin1": "Idleb", "admin2": "Harim",
                                    "location": "Sarmada"}
    state = dict(query(api_settings, "SELECT key, value FROM source_state WHERE source = 'acled'"))
    assert state["last_event_date"] == "2025-01-06" and int(state["last_deleted_timestamp"]) > 0


def test_rerun_is_incremental_and_removes_deleted_events(server, api_settings):
    fake = FakeAcled(server)
    runner.run(api_settings, ["acled"])
    cursor = query(api_settings, "SELECT value FROM source_state WHERE key = 'last_deleted_timestamp'")[0][0]
    fake.deleted = [{"event_id_cnty": "SYR131002", "deleted_timestamp": str(int(cursor) + 3600)}]
    [again] = runner.run(api_settings, ["acled"])
    assert again.status == "ok", again.error
    # from 30 days before the last loaded event on: ACLED adds events late
    assert server.hits("/api/acled/read")[-1].query["event_date"].startswith("2024-12-07|")
    assert server.hits("/api/deleted/read")[-1].query["deleted_timestamp"] == cursor
    assert again.rows_loaded == 0
    assert query(api_settings, "SELECT record_id FROM figures ORDER BY 1") == [("SYR131001",), ("SYR131003",)]
    assert query(api_settings, "SELECT value FROM source_state WHERE key = 'last_deleted_timestamp'") == [
        (str(int(cursor) + 3600),)
    ]


def test_expired_token_is_refreshed(server, api_settings):
    fake = FakeAcled(server)
    fake.expire_first_read = True
    [result] = runner.run(api_settings, ["acled"])
    assert result.status == "ok", result.error
    assert [f["grant_type"] for f in fake.token_forms] == ["password", "refresh_token"]
    assert fake.token_forms[1]["refresh_token"] == "refresh-1"
    assert server.hits("/api/acled/read")[-1].headers["authorization"] == "Bearer access-2"
    assert query(api_settings, "SELECT count(*) FROM figures") == [(3,)]


def test_bad_credentials_name_the_settings_not_the_password(server, api_settings):
    FakeAcled(server)
    wrong = dataclasses.replace(api_settings, acled_password="not-the-password")
    [result] = runner.run(wrong, ["acled"])
    assert result.status == "failed"
    assert "DISPLACEMENT_ACLED_USERNAME" in result.error and "DISPLACEMENT_ACLED_PASSWORD" in result.error
    stored = query(wrong, "SELECT error FROM etl_runs")[0][0]
    assert "not-the-password" not in stored and "analyst@example.org" not in stored


def test_missing_credentials(settings):
    [result] = runner.run(settings, ["acled"])
    assert result.status == "failed" and "set DISPLACEMENT_ACLED_USERNAME" in result.error


def test_save_then_replay_the_saved_pages(server, api_settings, tmp_path):
    FakeAcled(server)
    runner.run(api_settings, ["acled"], Options(save=True))
    folder = api_settings.raw_dir / "acled"
    assert sorted(p.name for p in folder.iterdir()) == ["deleted-0001.json", "read-syria-0001.json",
                                                        "read-syria-0002.json"]
    assert PASSWORD not in "".join(p.read_text() for p in folder.iterdir())
    replay = dataclasses.replace(api_settings, db=tmp_path / "replay.duckdb")
    for name in ("read-syria-0001.json", "read-syria-0002.json"):
        assert runner.run(replay, ["acled"], Options(from_file=folder / name))[0].status == "ok"
    key = "SELECT figure_id, value, period_start, detail FROM figures ORDER BY 1"
    assert query(replay, key) == query(api_settings, key)


def test_saved_api_page_offline(settings):
    [result] = runner.run(settings, ["acled"], Options(from_file=FIXTURES / "read_page.json"))
    assert result.status == "ok" and result.rows_loaded == 3


def test_export_csv_rejects_a_bad_row(settings):
    [result] = runner.run(settings, ["acled"], Options(from_file=FIXTURES / "export.csv"))
    assert result.status == "ok", result.error
    assert result.rows_read == 4 and result.rows_loaded == 3 and result.rows_rejected == 1
    assert query(settings, "SELECT location, reason FROM rejects") == [
        ("export.csv:5", "fatalities: 'unknown' is not a number")
    ]


def test_schema_drift_keeps_last_good_rows(settings):
    runner.run(settings, ["acled"], Options(from_file=FIXTURES / "export.csv"))
    before = query(settings, "SELECT figure_id, value FROM figures ORDER BY 1")
    [result] = runner.run(settings, ["acled"], Options(from_file=FIXTURES / "export_drifted.csv"))
    assert result.status == "failed"
    assert "export_drifted.csv" in result.error and "fatalities" in result.error
    assert query(settings, "SELECT figure_id, value FROM figures ORDER BY 1") == before
    assert query(settings, "SELECT status, error FROM etl_runs WHERE run_id = 2") == [("failed", result.error)]


def test_hdx_monthly_aggregates(settings):
    path = FIXTURES / "hdx_political_violence_events_and_fatalities_syria.csv"
    [result] = runner.run(settings, ["acled"], Options(from_file=path))
    assert result.status == "ok", result.error
    assert result.rows_read == 4 and result.rows_rejected == 1
    assert "bad month 'Janvier'" in query(settings, "SELECT reason FROM rejects")[0][0]
    rows = query(settings, "SELECT admin1_pcode, admin2_pcode, value, period_start, period_end, dataset, detail"
                 " FROM figures ORDER BY period_start, admin2_pcode")
    assert [(r[1], r[2], str(r[3]), str(r[4])) for r in rows] == [
        ("SY0200", 17, "2025-01-01", "2025-01-31"),
        ("SY1000", 5, "2025-01-01", "2025-01-31"),
        ("SY0700", 0, "2025-02-01", "2025-02-28"),
    ]
    assert rows[0][5] == "acled:hdx-monthly"
    assert json.loads(rows[0][6]) == {"event_type": "political_violence", "events": 21, "admin1": "Aleppo",
                                      "admin2": "Jebel Saman"}
    assert json.loads(rows[2][6])["fatalities_reported"] is False


class _Places(Source):
    name = "test-acled-places"

    def load(self, ctx):
        ctx.place("SYR", 0, "Syria", "SYR", alt_names=["Syrian Arab Republic"])
        ctx.place("SY07", 1, "Idleb", "SYR", "SYR", alt_names=["Idlib"])
        ctx.place("SY0703", 2, "Harim", "SYR", "SY07")


def test_hdx_workbook_every_sheet_and_names_to_pcodes(settings, tmp_path, monkeypatch):
    monkeypatch.setitem(registry._EXTRA, _Places.name, _Places)
    book = Workbook()
    book.active.title = "TOU"
    book.active.append(["By using ACLED data you agree to abide by the Terms of Use."])
    country = book.create_sheet("Non_HRP")
    country.append(["Country", "Month", "Year", "Events", "Fatalities"])
    country.append(["Syria", "January", "2025", 30, 22])
    admin = book.create_sheet("HRP_1")
    admin.append(["Country", "Admin1", "Admin2", "ISO3", "Admin2 Pcode", "Admin1 Pcode", "Month", "Year", "Events",
                  "Fatalities"])
    admin.append(["Syria", "Idleb", "Harim", "SYR", "NA", "NA", "January", "2025", 8, 9])
    path = tmp_path / "acled-political-violence-events-and-fatalities.xlsx"
    book.save(path)
    results = runner.run(settings, [_Places.name, "acled"], Options(from_file=path))
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    rows = query(settings, "SELECT country_iso3, admin1_pcode, admin2_pcode, value, location_text FROM figures"
                 " WHERE source = 'acled' ORDER BY value")
    # "NA" p-codes are no p-codes: names are looked up in the places table, as is the country sheet's ISO3
    assert rows == [("SYR", "SY07", "SY0703", 9, "Harim, Idleb, Syria"), ("SYR", None, None, 22, "Syria")]


def test_event_names_get_pcodes_from_places(settings, monkeypatch):
    monkeypatch.setitem(registry._EXTRA, _Places.name, _Places)
    results = runner.run(settings, [_Places.name, "acled"], Options(from_file=FIXTURES / "read_page.json"))
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    assert query(settings, "SELECT record_id, admin1_pcode, admin2_pcode FROM figures WHERE source = 'acled'"
                 " ORDER BY 1") == [("SYR131001", "SY07", "SY0703"), ("SYR131002", None, None),
                                    ("SYR131003", None, None)]
