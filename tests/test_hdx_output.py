"""HDX conventions on output, over real HTTP: paging, HAPI's parameter names, licences, no-redistribution sources
kept out of a public server, and an HXL row that the project's own `hxl` source reads back."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import requests

from tests.helpers import query
from tests.test_api import build_api_warehouse, start  # noqa: F401 - the `start` fixture
from tests.test_cli import displacement


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [f["figure_id"] for f in response.json()["figures"]]


def test_figures_page_with_limit_and_offset(settings, start):  # noqa: F811
    build_api_warehouse(settings)
    base = start(dataclasses.replace(settings, public_only="false"))
    everything = _ids(requests.get(f"{base}/api/figures", timeout=10))
    pages, offset = [], 0
    while offset is not None:
        body = requests.get(f"{base}/api/figures?limit=2&offset={offset}", timeout=10).json()
        assert body["offset"] == offset
        pages += [f["figure_id"] for f in body["figures"]]
        offset = body["next_offset"]
    assert pages == everything and len(everything) == 5
    bad = requests.get(f"{base}/api/figures?offset=-1", timeout=10)
    assert bad.status_code == 400 and "offset" in bad.json()["error"]


def test_hapi_parameter_names_are_aliases(settings, start):  # noqa: F811
    build_api_warehouse(settings)
    base = start(dataclasses.replace(settings, public_only="false"))
    for alias, name, value in (("location_code", "country", "TUR"), ("admin1_code", "admin1", "SY07"),
                               ("admin2_code", "admin2", "SY0702")):
        by_alias = _ids(requests.get(f"{base}/api/figures?{alias}={value}", timeout=10))
        assert by_alias and by_alias == _ids(requests.get(f"{base}/api/figures?{name}={value}", timeout=10))
    both = requests.get(f"{base}/api/figures?country=SYR&location_code=SYR", timeout=10)
    assert both.status_code == 400 and "alias" in both.json()["error"]


def test_a_public_server_leaves_out_sources_that_forbid_redistribution(settings, start):  # noqa: F811
    build_api_warehouse(settings)  # f3 and f4 come from hapi-idps (IOM DTM terms)
    public = start(settings)  # no basic auth: public by default
    assert sorted(_ids(requests.get(f"{public}/api/figures", timeout=10))) == ["f1", "f2", "f5"]
    private = start(dataclasses.replace(settings, basic_auth="u:p"))
    body = requests.get(f"{private}/api/figures", auth=("u", "p"), timeout=10).json()
    assert sorted(f["figure_id"] for f in body["figures"]) == ["f1", "f2", "f3", "f4", "f5"]
    forced = start(dataclasses.replace(settings, basic_auth="u:p", public_only="true"))
    assert sorted(_ids(requests.get(f"{forced}/api/figures", auth=("u", "p"), timeout=10))) == ["f1", "f2", "f5"]


def test_every_figure_carries_licence_and_attribution(settings, start):  # noqa: F811
    build_api_warehouse(settings)
    base = start(dataclasses.replace(settings, public_only="false"))
    f1 = next(f for f in requests.get(f"{base}/api/figures", timeout=10).json()["figures"] if f["figure_id"] == "f1")
    assert "Example News" in f1["attribution"] and "https://news.example/idlib" in f1["attribution"]
    assert "licence" in f1


def test_csv_with_hxl_row_is_read_back_by_the_hxl_source(settings, start, tmp_path):  # noqa: F811
    build_api_warehouse(settings)
    base = start(dataclasses.replace(settings, public_only="false"))
    plain = requests.get(f"{base}/api/figures?format=csv", timeout=10).text
    assert not plain.splitlines()[1].startswith("#")
    text = requests.get(f"{base}/api/figures?format=csv&hxl=1", timeout=10).text
    rows = list(csv.reader(io.StringIO(text)))
    header, tags = rows[0], rows[1]
    assert tags[header.index("metric")] == "#indicator+code" and tags[header.index("value")] == "#indicator+value+num"
    assert tags[header.index("admin1_pcode")] == "#adm1+code" and len(rows) == 2 + 5
    exported = tmp_path / "figures-hxl.csv"
    exported.write_text(text)
    env = {"DISPLACEMENT_DB": str(tmp_path / "again.duckdb")}
    proc = displacement("etl", "run", "hxl", "--from-file", str(exported), env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    back = query(dataclasses.replace(settings, db=tmp_path / "again.duckdb"),
                 "SELECT metric, value, country_iso3, admin1_pcode, period_end::VARCHAR, claimed_by_org, record_id"
                 " FROM figures ORDER BY record_id")
    original = query(settings, "SELECT metric, value, country_iso3, admin1_pcode, period_end::VARCHAR, claimed_by_org,"
                               " figure_id FROM figures ORDER BY figure_id")
    assert back == original


def test_countries_carry_ochas_names_and_keep_the_others_as_alternates(tmp_path):
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb")}
    assert displacement("etl", "run", "gazetteer", env=env).returncode == 0
    proc = displacement("sql", "SELECT pcode, name, alt_names FROM v_places WHERE pcode IN ('COD', 'MMR', 'SYR')"
                        " ORDER BY pcode", "--format", "json", env=env)
    rows = {r["pcode"]: r for r in json.loads(proc.stdout)}
    assert rows["COD"]["name"] == "Democratic Republic of the Congo" and "Congo - Kinshasa" in rows["COD"]["alt_names"]
    assert rows["MMR"]["name"] == "Myanmar" and "Myanmar (Burma)" in rows["MMR"]["alt_names"]
    assert rows["SYR"]["name"] == "Syrian Arab Republic" and "Syria" in rows["SYR"]["alt_names"]
