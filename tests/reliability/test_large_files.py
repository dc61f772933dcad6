"""A large file streams: rows are read as they are iterated and staged figures leave memory in chunks; the
result is the same as loading it whole."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, timedelta

from helpers import query

from etl import runner
from etl.sources import base
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
