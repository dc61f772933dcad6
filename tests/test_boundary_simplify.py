"""The `boundaries` source stores simplified shapes: fewer points, every area and p-code kept, shared borders shared."""

from __future__ import annotations

import dataclasses
import json

from boundary_shapes import collection, rings
from helpers import query

from etl import runner
from etl.geometry import simplify, vertices


def test_boundaries_are_stored_simplified_with_every_area_and_pcode(settings, tmp_path):
    source = tmp_path / "adm1.geojson"
    source.write_text(json.dumps(collection()))
    settings = dataclasses.replace(settings, boundaries_url=str(source), boundary_tolerance=0.005)
    [result] = runner.run(settings, ["boundaries"])
    assert result.status == "ok", result.error
    stored = {p: json.loads(g) for p, g in query(settings, "SELECT pcode, geometry FROM places ORDER BY pcode")}
    assert sorted(stored) == ["SY01", "SY02", "SY03", "SY04"]
    original = {f["properties"]["ADM1_PCODE"]: f["geometry"] for f in collection()["features"]}
    assert sum(map(vertices, stored.values())) < sum(map(vertices, original.values())) / 4
    for pcode, geometry in stored.items():
        assert geometry["type"] == original[pcode]["type"]
        for ring in rings(geometry):
            assert len(ring) >= 4 and ring[0] == ring[-1]
    assert len(rings(stored["SY04"])) == 2  # the island is kept
    # SY01 and SY02 share the border x = 1: both keep the same points on it
    on_border = [{tuple(p) for p in rings(stored[c])[0] if abs(p[0] - 1) < 0.003 and p[1] <= 1}
                 for c in ("SY01", "SY02")]
    assert on_border[0] == on_border[1] and len(on_border[0]) >= 2


def test_tolerance_zero_and_broken_shapes_are_left_as_they_are():
    shapes = [f["geometry"] for f in collection()["features"]] + [None, {"type": "Polygon", "coordinates": [["x"]]}]
    assert simplify(shapes, 0) == shapes
    out = simplify(shapes, 0.005)
    assert out[-2:] == shapes[-2:] and vertices(out[0]) < vertices(shapes[0])
