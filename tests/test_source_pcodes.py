"""The HDX global p-code list into `places`: from a file, a URL (conditional GET) and an XLSX; drift and rejects."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from helpers import query
from localserver import LocalServer, Reply
from openpyxl import Workbook

from etl import runner
from etl.sources.base import Options
from etl.sources.pcodes import PcodesSource

FIXTURES = Path(__file__).parent / "fixtures" / "pcodes"
CSV = FIXTURES / "global_pcodes.csv"


def test_places_for_every_country_with_parents(settings):
    settings = dataclasses.replace(settings, pcodes_url=str(CSV))
    assert PcodesSource().configured(settings)
    [result] = runner.run(settings, ["pcodes"])
    assert result.status == "ok", result.error
    counts = query(settings, "SELECT country_iso3, admin_level, count(*) FROM places GROUP BY ALL ORDER BY ALL")
    assert counts == [("AFG", 1, 1), ("AFG", 2, 1), ("ECU", 1, 1), ("SYR", 1, 2), ("SYR", 2, 3)]
    assert query(settings, "SELECT name, parent_pcode, source FROM places WHERE pcode = 'SY0702'") == [
        ("Al Ma'ra", "SY07", "pcodes")]
    assert query(settings, "SELECT parent_pcode FROM places WHERE pcode = 'SY07'") == [("SYR",)]
    rejects = dict(query(settings, "SELECT location, reason FROM rejects"))
    assert rejects == {
        "global_pcodes.csv:6": "duplicate p-code ECISLA (already at admin level 1)",
        "global_pcodes.csv:12": "admin level 'x' is not 1 to 5",
        "global_pcodes.csv:13": "location 'SY' is not an ISO3 code",
    }


def test_unchanged_file_is_not_read_again(settings):
    settings = dataclasses.replace(settings, pcodes_url=str(CSV))
    places = "SELECT pcode, admin_level, name, country_iso3, parent_pcode, geometry FROM places ORDER BY pcode"
    runner.run(settings, ["pcodes"])
    before = query(settings, places)
    [again] = runner.run(settings, ["pcodes"])
    assert again.status == "ok" and again.rows_read == 0
    assert query(settings, places) == before
    [full] = runner.run(settings, ["pcodes"], Options(full=True))
    assert full.rows_read == 11 and query(settings, places) == before
    assert query(settings, "SELECT count(*) FROM rejects")[0][0] == 3


def test_url_with_etag_and_save(settings):
    with LocalServer() as server:
        def answer(request):
            if request.headers.get("if-none-match") == '"v1"':
                return Reply(304)
            return Reply(body=CSV.read_bytes(), headers={"ETag": '"v1"'}, content_type="text/csv")

        server.route("/global-pcodes.csv", answer)
        settings = dataclasses.replace(settings, pcodes_url=server.url("/global-pcodes.csv"))
        [first] = runner.run(settings, ["pcodes"], Options(save=True))
        [second] = runner.run(settings, ["pcodes"])
    assert first.status == "ok" and second.status == "ok", (first.error, second.error)
    assert second.rows_read == 0
    assert [r.headers.get("if-none-match") for r in server.requests] == [None, '"v1"']
    assert query(settings, "SELECT count(*) FROM places")[0][0] == 8
    assert (settings.raw_dir / "pcodes" / "global-pcodes.csv").read_bytes() == CSV.read_bytes()


def test_xlsx_from_file(settings, tmp_path):
    book = Workbook()
    sheet = book.active
    for line in CSV.read_text().splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "global_pcodes.xlsx"
    book.save(path)
    [result] = runner.run(settings, ["pcodes"], Options(from_file=path))
    assert result.status == "ok", result.error
    assert query(settings, "SELECT count(*) FROM places")[0][0] == 8


def test_renamed_column_fails_naming_it_and_keeps_last_good_rows(settings, tmp_path):
    runner.run(settings, ["pcodes"], Options(from_file=CSV))
    drifted = tmp_path / "pcodes.csv"
    lines = CSV.read_text().splitlines()
    drifted.write_text("\n".join([lines[0].replace("Name", "Label")] + lines[2:]) + "\n")  # and no HXL row
    [result] = runner.run(settings, ["pcodes"], Options(from_file=drifted))
    assert result.status == "failed" and "pcodes.csv lacks column(s) Name" in result.error
    assert query(settings, "SELECT count(*) FROM places")[0][0] == 8


def test_renamed_column_found_by_its_hxl_tag(settings, tmp_path):
    renamed = tmp_path / "pcodes.csv"
    renamed.write_text(CSV.read_text().replace("Name,Parent", "Admin Name,Parent"))
    [result] = runner.run(settings, ["pcodes"], Options(from_file=renamed))
    assert result.status == "ok", result.error
    assert query(settings, "SELECT name FROM places WHERE pcode = 'SY0200'") == [("Jebel Saman",)]


def test_not_configured_without_a_url(settings):
    assert PcodesSource().configured(settings) is False
    [result] = runner.run(settings, ["pcodes"])
    assert result.status == "failed" and "DISPLACEMENT_PCODES_URL" in result.error
