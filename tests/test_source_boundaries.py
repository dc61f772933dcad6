"""COD-AB boundaries into `places`: GeoJSON files and URLs, an ArcGIS layer paged as GeoJSON, rejects and drift."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import query
from localserver import LocalServer, Reply

from etl import runner
from etl.sources import boundaries
from etl.sources.base import Options

FIXTURES = Path(__file__).parent / "fixtures" / "boundaries"
ADM1, ADM2 = FIXTURES / "syr_adm1.geojson", FIXTURES / "syr_adm2.geojson"
LAYER = "/arcgis/rest/services/COD_External/SYR_pcode/FeatureServer/2"


def test_two_levels_from_files_with_geometry_names_and_parents(settings):
    settings = dataclasses.replace(settings, boundaries_url=f"{ADM1},{ADM2}")
    assert boundaries.BoundariesSource().configured(settings)
    [result] = runner.run(settings, ["boundaries"])
    assert result.status == "ok", result.error
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 5, 2)
    rows = {r[0]: r[1:] for r in query(settings, "SELECT pcode, admin_level, name, country_iso3, parent_pcode,"
                                                 " alt_names, geometry FROM places")}
    assert sorted(rows) == ["SY02", "SY0200", "SY07", "SY0700", "SY0702"]
    level, name, iso3, parent, alt_names, geometry = rows["SY0702"]
    assert (level, name, iso3, parent) == (2, "Al Ma'ra", "SYR", "SY07")
    assert alt_names == ["معرة النعمان"]
    assert json.loads(geometry)["type"] == "Polygon"
    assert rows["SY07"][:4] == (1, "Idleb", "SYR", "SYR") and sorted(rows["SY07"][4]) == ["Idlib", "إدلب"]
    reasons = sorted(r[0] for r in query(settings, "SELECT reason FROM rejects"))
    assert reasons == ["no ADMn_PCODE property", "no name for SY9999 (ADM2_EN or ADM2_NAME)"]


def test_geometry_joins_places_loaded_from_pcodes_and_reruns_change_nothing(settings):
    settings = dataclasses.replace(settings, boundaries_url=str(ADM2))
    runner.run(settings, ["pcodes"], Options(from_file=Path(__file__).parent / "fixtures" / "pcodes" /
                                             "global_pcodes.csv"))
    runner.run(settings, ["boundaries"])
    places = "SELECT pcode, admin_level, name, parent_pcode, geometry IS NOT NULL FROM places ORDER BY pcode"
    before = query(settings, places)
    assert ("SY0702", 2, "Al Ma'ra", "SY07", True) in before and ("AF01", 1, "Kabul", "AFG", False) in before
    [again] = runner.run(settings, ["boundaries"])
    assert again.status == "ok" and again.rows_read == 0  # unchanged file: nothing to read
    assert query(settings, places) == before


def test_folder_from_file(settings):
    [result] = runner.run(settings, ["boundaries"], Options(from_file=FIXTURES))
    assert result.status == "ok", result.error
    assert query(settings, "SELECT count(*), count(geometry) FROM places") == [(5, 5)]


@pytest.fixture
def arcgis(monkeypatch):
    features = json.loads(ADM2.read_text())["features"][:3]
    monkeypatch.setattr(boundaries, "PAGE_SIZE", 2)

    def answer(request):
        assert request.query["f"] == "geojson" and request.query["outFields"] == "*"
        offset, count = int(request.query["resultOffset"]), int(request.query["resultRecordCount"])
        page = features[offset:offset + count]
        more = offset + count < len(features)
        return Reply(json={"type": "FeatureCollection", "features": page,
                           **({"properties": {"exceededTransferLimit": True}} if more else {})})

    with LocalServer() as server:
        server.route(LAYER + "/query", answer)
        yield server


def test_arcgis_layer_is_paged(arcgis, settings):
    settings = dataclasses.replace(settings, boundaries_url=arcgis.url(LAYER))
    [result] = runner.run(settings, ["boundaries"], Options(save=True))
    assert result.status == "ok", result.error
    assert [r.query["resultOffset"] for r in arcgis.requests] == ["0", "2"]
    assert query(settings, "SELECT count(geometry) FROM places WHERE admin_level = 2")[0][0] == 3
    assert len(list((settings.raw_dir / "boundaries").glob("layer0-*.json"))) == 2


def test_arcgis_error_fails_and_keeps_last_good_places(settings):
    runner.run(settings, ["boundaries"], Options(from_file=ADM1))
    with LocalServer() as server:
        server.route(LAYER + "/query", Reply(json={"error": {"code": 400, "message": "Invalid query parameters"}}))
        settings = dataclasses.replace(settings, boundaries_url=server.url(LAYER + "/query?where=1%3D1"))
        [result] = runner.run(settings, ["boundaries"])
    assert result.status == "failed" and "Invalid query parameters" in result.error
    assert query(settings, "SELECT count(*) FROM places")[0][0] == 2


def test_not_geojson_fails_naming_the_file(settings, tmp_path):
    path = tmp_path / "boundaries.geojson"
    path.write_text(json.dumps({"type": "Topology", "objects": {}}))
    [result] = runner.run(settings, ["boundaries"], Options(from_file=path))
    assert result.status == "failed" and "boundaries.geojson is not a GeoJSON FeatureCollection" in result.error


def test_country_from_iso2_prefix_or_iso3_property():
    assert boundaries.country_iso3({"ADM0_PCODE": "SY"}, "SY07") == "SYR"
    assert boundaries.country_iso3({}, "AF0101") == "AFG"
    assert boundaries.country_iso3({"ADM0_PCODE": "SSD"}, "SS01") == "SSD"
    assert boundaries.country_iso3({"ISO3": "ukr", "ADM0_PCODE": "UA"}, "UA01") == "UKR"
