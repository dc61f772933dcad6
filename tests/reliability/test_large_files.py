"""A large file streams: rows are read as they are iterated and staged figures leave memory in chunks; the
result is the same as loading it whole."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, timedelta

from helpers import query
from set_wise import both_ways

from etl import runner
from etl.sources import base, bulk
from etl.sources.base import Options


def write_hxl(path, n: int) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Country", "Admin1", "Date", "IDPs", "Killed"])
        writer.writerow(["#country+code", "#adm1+code", "#date", "#affected+idps", "#affected+killed"])
        for i in range(n):
            writer.writerow(["SYR", f"SY{i % 14 + 1:02d}", (date(2019, 1, 1) + timedelta(days=i)).isoformat(), 100 + i,
                             "inf" if i % 10 == 9 else i % 7])


def load(settings, path):
    [result] = runner.run(settings, ["hxl"], Options(from_file=path))
    assert result.status == "ok", result.error
    return result, query(settings, "SELECT record_id, metric, value FROM v_figures ORDER BY ALL")


def test_staging_in_chunks_gives_what_loading_whole_gives(settings, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    write_hxl(path, 400)
    whole, whole_rows = load(settings, path)
    chunked_settings = dataclasses.replace(settings, db=tmp_path / "chunked.duckdb")
    monkeypatch.setattr(base, "SPILL_AT", 7)
    chunked, chunked_rows = load(chunked_settings, path)
    assert chunked_rows == whole_rows and len(whole_rows) == 400 + 360
    assert (chunked.rows_loaded, chunked.rows_rejected) == (whole.rows_loaded, whole.rows_rejected) == (760, 40)
    again, _ = load(chunked_settings, path)
    assert again.rows_loaded == 0  # idempotent across chunks too


def write_awkward_hxl(path) -> None:
    """Every kind of row the HXL mapping treats apart: bad and blank counts, bad and implausible dates, years,
    events without fatalities, duplicates, names, groups and dataset ids."""
    counts = ["12", "1,234", "", "inf", "1.5", "abc", "-3", "1e19", "nan", "7.0", "2000000000", "0"]
    days = ["2020-01-05", "2020-02-30", "", "2099-01-01", "1850-06-01", "not a date", "2021-03-04T10:00"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Source", "Country", "Admin1", "Name", "Date", "Year", "Group", "Events", "Killed", "IDPs",
                         "Dataset"])
        writer.writerow(["#meta+source", "#country+code", "#adm1+code", "#adm1+name", "#date", "#date+year",
                         "#population+group", "#event+num", "#affected+killed", "#affected+idps", "#meta+dataset_id"])
        for i in range(300):
            writer.writerow([
                "OCHA" if i % 3 else "", "syr" if i % 4 else "SYR", f"SY{i % 9:02d}",
                "Idlib, \"north\"" if i % 5 else "", days[i % len(days)], ["2019", "20", "x2019", ""][i % 4],
                "IDPs" if i % 2 else "", ["", "3", "x", "nan"][i % 4], counts[i % len(counts)],
                counts[(i * 7) % len(counts)], "ds-1" if i % 6 else "",
            ])
        writer.writerow(["OCHA", "SYR", "SY01", "", "2020-01-05", "", "IDPs", "", "5", "6", "ds-1"])  # a duplicate row


def test_set_wise_loading_gives_what_loading_per_record_gives(settings, tmp_path, monkeypatch):
    path = tmp_path / "awkward.csv"
    write_awkward_hxl(path)
    counts = both_ways(settings, tmp_path, monkeypatch, "hxl", path)[0]
    assert counts[1] > 50 and counts[2] > 100


def test_a_truncated_file_fails_set_wise_too_and_keeps_the_last_good_rows(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_BYTES", 0)
    path = tmp_path / "big.csv"
    write_hxl(path, 50)
    _, good = load(settings, path)
    whole = path.read_text()
    path.write_text(whole + "SYR,SY01,2020-")  # the last row cut short
    [cut] = runner.run(settings, ["hxl"], Options(from_file=path))
    assert cut.status == "failed" and "truncated" in cut.error
    assert query(settings, "SELECT record_id, metric, value FROM v_figures ORDER BY ALL") == good
