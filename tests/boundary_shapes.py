"""A small COD-AB-shaped GeoJSON with wiggly shared borders, for the simplification tests (unit and browser)."""

from __future__ import annotations

import math


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


def collection(pcodes=("SY01", "SY02", "SY03", "SY04")):
    """Four neighbouring governorates of a 2x2 grid, the last with an island (MultiPolygon)."""
    features = []
    for n, (pcode, (x, y)) in enumerate(zip(pcodes, [(0, 0), (1, 0), (0, 1), (1, 1)], strict=True), start=1):
        geometry = {"type": "Polygon", "coordinates": [square(x, y)]}
        if n == 4:
            island = [[3 + 0.3 * math.cos(t / 10), 3 + 0.3 * math.sin(t / 10)] for t in range(63)]
            geometry = {"type": "MultiPolygon", "coordinates": [geometry["coordinates"], [island + [island[0]]]]}
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"ADM1_PCODE": pcode, "ADM1_EN": f"Area {n}", "ADM0_PCODE": "SY"}})
    return {"type": "FeatureCollection", "features": features}


def rings(geometry):
    return geometry["coordinates"] if geometry["type"] == "Polygon" else [r for p in geometry["coordinates"] for r in p]
