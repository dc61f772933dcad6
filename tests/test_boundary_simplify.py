"""The `boundaries` source stores simplified shapes: fewer points, every area and p-code kept, shared borders shared."""

from __future__ import annotations

import dataclasses
import json
import math

from helpers import query

from etl import runner
from etl.geometry import simplify, vertices


def edge(a, b, steps=40):
    """A wiggly border from a to b (wiggles of 0.001 degrees), the same points whichever side walks it."""
    flip = a > b
    a, b = (b, a) if flip else (a, b)
    wiggle = [0.001 * math.sin(math.pi * 7 * k / steps) for k in range(steps + 1)]  # none at the corners
    (x0, y0), (x1, y1) = a, b
    points = [[x0 + (x1 - x0) * k / steps + w * (y1 - y0), y0 + (y1 - y0) * k / steps + w * (x1 - x0)]
              for k, w in enumerate(wiggle)]
    return points[::-1] if flip else points


def square(x, y):
    corners = [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]
    ring = []
    for a, b in zip(corners, corners[1:]):
        ring += edge(a, b)[:-1]
    return ring + [ring[0]]


def collection():
    """Four neighbouring districts of a 2x2 grid, one with an island (MultiPolygon)."""
    features = []
    for n, (x, y) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)], start=1):
        geometry = {"type": "Polygon", "coordinates": [square(x, y)]}
        if n == 4:
            island = [[3 + 0.3 * math.cos(t / 10), 3 + 0.3 * math.sin(t / 10)] for t in range(63)]
            geometry = {"type": "MultiPolygon", "coordinates": [geometry["coordinates"], [island + [island[0]]]]}
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"ADM1_PCODE": f"SY0{n}", "ADM1_EN": f"Area {n}", "ADM0_PCODE": "SY"}})
    return {"type": "FeatureCollection", "features": features}


def rings(geometry):
    return geometry["coordinates"] if geometry["type"] == "Polygon" else [r for p in geometry["coordinates"] for r in p]


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
