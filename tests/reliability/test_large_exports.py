"""Large ACLED, DTM and HDX HAPI exports load set-wise (etl/sources/*_bulk.py): an awkward file loaded per record and
set-wise gives the same figures, keys, rejects and reasons."""

from __future__ import annotations

import csv

import pytest
from helpers import query
from set_wise import both_ways
from test_source_acled import _Places as AcledPlaces

from etl import runner
from etl import sources as registry
from etl.sources import bulk
from etl.sources.base import Options

COUNTS = ["12", "1,234", "", "inf", "1.5", "abc", "-3", "1e19", "nan", "7.0", "2000000000", "0", " 4 ", "NULL"]
DAYS = ["2020-01-05", "2020-02-30", "", "2099-01-01", "1850-06-01", "not a date", "2021-03-04T10:00:00",
        "2024-12-31"]


class Places(AcledPlaces):
    name = "test-bulk-places"

    def load(self, ctx):
        super().load(ctx)
        ctx.place("SY02", 1, "Aleppo", "SYR", "SYR")
        ctx.place("SY0200", 2, "Jebel Saman", "SYR", "SY02")
        ctx.place("SY0300", 2, "Jebel Saman", "SYR", "SY03")  # the same name elsewhere: ambiguous without a parent


def write(path, header: list[str], rows, blank_line: bool = False) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i, row in enumerate(rows):
            writer.writerow(row)
            if i == 40:
                writer.writerow([" "] * len(header))  # a record of blank cells: skipped both ways
                if blank_line:  # DuckDB's reader skips it, so such a file is read per record (line numbers)
                    handle.write("\r\n")


ACLED = ["event_id_cnty", "event_date", "year", "disorder_type", "event_type", "sub_event_type", "iso", "country",
         "admin1", "admin2", "location", "notes", "fatalities", "timestamp"]


@pytest.mark.parametrize("blank_line", [False, True])
def test_acled_export_set_wise_equals_per_record(settings, tmp_path, monkeypatch, blank_line):
    path = tmp_path / "acled-export.csv"
    places = [("Idleb", "Harim"), ("Idlib", "Harim"), ("Aleppo", "Jebel Saman"), ("", "Jebel Saman"), ("Hama", "")]
    rows = []
    for i in range(260):
        admin1, admin2 = places[i % len(places)]
        event = ["SYR", "syr", "12", "É"][i % 4] + str(i % 230)  # ids repeat: the last record of an id wins
        rows.append([event, DAYS[i % len(DAYS)], "2020", ["Political violence", ""][i % 2], "Battles",
                     "Armed clash" if i % 3 else "", "760", "Syria" if i % 5 else "", admin1, admin2,
                     ["Sarmada", "", "Ma'arrat \"al\" Nu'man", "Çobanbey"][i % 4], "a note, with a comma",
                     COUNTS[i % len(COUNTS)], "1736812800"])
    write(path, ACLED, rows, blank_line)
    monkeypatch.setitem(registry._EXTRA, Places.name, Places)
    _, figures, _ = both_ways(settings, tmp_path, monkeypatch, "acled", path, [Places.name], not blank_line)
    assert {f[13] for f in figures} >= {"SY07", "SY02", None}  # admin1 p-codes found by name, both ways


DTM = ["id", "operation", "admin0Name", "admin0Pcode", "admin1Name", "admin1Pcode", "admin2Name", "admin2Pcode",
       "assessmentType", "displacementReason", "idpOriginAdmin1Name", "idpOriginAdmin1Pcode", "numPresentIdpInd",
       "reportingDate", "roundNumber", "numberMales", "numberFemales"]


def test_dtm_export_set_wise_equals_per_record(settings, tmp_path, monkeypatch):
    path = tmp_path / "dtm-admin2.csv"
    rows = []
    for i in range(260):
        rows.append([i, ["Sudan Mobility Tracking", ""][i % 2], "Sudan", ["SDN", "sdn", ""][i % 3], "South Darfur",
                     f"SD{i % 4:02d}", "Nyala" if i % 3 else "", f"SD{i % 4:02d}{i % 7:03d}" if i % 11 else "",
                     "BA", ["Conflict", ""][i % 2], "Khartoum" if i % 4 else "", "SD01" if i % 5 else "",
                     COUNTS[i % len(COUNTS)], DAYS[i % len(DAYS)], i % 3 or "", "12" if i % 2 else "", ""])
    write(path, DTM, rows)
    both_ways(settings, tmp_path, monkeypatch, "dtm", path)


HAPI = {
    "hapi-conflict-events": ["location_code", "provider_admin1_name", "provider_admin2_name", "admin1_code",
                             "admin1_name", "admin2_code", "admin2_name", "event_type", "events", "fatalities",
                             "reference_period_start", "reference_period_end", "resource_hdx_id"],
    "hapi-idps": ["location_code", "location_name", "admin1_code", "admin1_name", "provider_admin1_name",
                  "admin2_code", "admin2_name", "provider_admin2_name", "operation", "assessment_type",
                  "reporting_round", "population", "reference_period_start", "reference_period_end", "provider_name"],
    "hapi-refugees": ["origin_location_code", "origin_location_name", "asylum_location_code", "asylum_location_name",
                      "population_group", "gender", "age_range", "population", "reference_period_start",
                      "reference_period_end", "resource_hdx_id"],
}
HAPI["hapi-returnees"] = HAPI["hapi-refugees"]


def _hapi_cell(column: str, i: int) -> str:
    """A plain value mostly; now and then (each column at its own rows) an awkward one. Rows i and i + 150 share
    a key mostly: the last one's figure is kept."""
    plain, awkward = {
        "location_code": (["SYR", "syr"], [""]), "origin_location_code": (["SYR", "afg"], [""]),
        "asylum_location_code": ([f"t{i % 150:02d}"], [""]), "admin1_code": (["SY02"], [""]),
        "admin2_code": ([f"SY{i % 150:04d}"], [""]), "provider_admin1_name": (["Aleppo"], [""]),
        "provider_admin2_name": (["Jebel Saman", "Afrin"], [""]),
        "event_type": (["civilian_targeting", "political_violence", "demonstration"], [""]),
        "events": (["9", "1,200", "0"], ["", "x"]), "fatalities": (["12", "1,234", "7.0", "0", ""], COUNTS),
        "population": (["12", "1,234", "7.0", "0", " 4 "], COUNTS),
        "reference_period_start": (["2024-01-01", "2024-02-01T00:00:00"], DAYS),
        "reference_period_end": (["2024-12-31", ""], ["2020-01-01", "bad"]),
        "population_group": (["REF", "roc", "RET", "RDP", "ASY", "rdp", "ref"], [""]),
        "gender": (["all", "ALL", ""], ["f"]), "age_range": (["all", ""], ["0-4"]),
        "operation": (["Syria MSNA", ""], ["x"]), "provider_name": (["IOM", ""], []),
        "resource_hdx_id": (["fb139931", ""], []), "reporting_round": (["3", "4"], [""]),
        "assessment_type": (["BA", "SA"], []),
    }.get(column, ([f"{column} name", "Ḩalab"], [""]))
    if awkward and i % 5 == len(column) % 5:
        return awkward[i // 5 % len(awkward)]
    return plain[i % len(plain)]


@pytest.mark.parametrize("source", sorted(HAPI))
def test_hapi_export_set_wise_equals_per_record(settings, tmp_path, monkeypatch, source):
    path = tmp_path / f"{source}.csv"
    write(path, HAPI[source], [[_hapi_cell(c, i) for c in HAPI[source]] for i in range(300)])
    both_ways(settings, tmp_path, monkeypatch, source, path)


def test_a_truncated_export_fails_set_wise_too(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_BYTES", 0)
    path = tmp_path / "dtm.csv"
    write(path, DTM, [[i, "op", "Sudan", "SDN", "", "SD01", "", "SD01001", "BA", "", "", "", 5, "2024-01-01", 1, "", ""]
                      for i in range(30)])
    path.write_text(path.read_text() + "31,op,Sudan,SDN,,SD01,,SD0")  # the last row cut short
    [result] = runner.run(settings, ["dtm"], Options(from_file=path))
    assert result.status == "failed" and "truncated" in result.error
    assert query(settings, "SELECT count(*) FROM figures") == [(0,)]
