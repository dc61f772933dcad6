"""Boundary shapes made light enough for a choropleth: Douglas-Peucker on shared borders, done the same on both sides.

Each ring is cut into arcs at the points where its neighbours change (a point on three areas' borders, or where a
shared border starts or ends). An arc is simplified once, walked in one fixed direction, and that result is used by
every ring that has it, so two neighbours keep the same border and no gap or overlap opens between them. Points are
rounded to 5 decimals (about 1 m). A ring that would shrink below a triangle keeps its original points, so every
area keeps its shape.
"""

from __future__ import annotations

import math

DECIMALS = 5


def _distance(p, a, b) -> float:
    """Distance from p to the segment a-b (degrees, planar: fine at a map's scale)."""
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


def douglas_peucker(points: list, tolerance: float) -> list:
    """Keep the first and last point, and every point farther than `tolerance` from the line kept around it."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        far, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > far:
                far, index = d, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _rings(geometry: dict) -> list[list]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def _point(p) -> tuple:
    return (round(float(p[0]), DECIMALS), round(float(p[1]), DECIMALS))


class _Simplifier:
    def __init__(self, geometries: list, tolerance: float):
        self.tolerance = tolerance
        self.owners: dict[tuple, set] = {}  # point -> the rings it lies on
        ring_id = 0
        for geometry in geometries:
            for ring in _rings(geometry or {}):
                for p in ring:
                    self.owners.setdefault(_point(p), set()).add(ring_id)
                ring_id += 1
        self.arcs: dict[tuple, list] = {}

    def arc(self, points: list) -> list:
        """One arc simplified, the same whichever way a ring walks it."""
        forward = points[0] <= points[-1] if points[0] != points[-1] else points[1] <= points[-2]
        key = tuple(points) if forward else tuple(reversed(points))
        if key not in self.arcs:
            self.arcs[key] = douglas_peucker(list(key), self.tolerance)
        done = self.arcs[key]
        return done if forward else done[::-1]

    def ring(self, ring: list) -> list:
        points = [_point(p) for p in ring]
        if len(points) > 1 and points[0] == points[-1]:
            points = points[:-1]
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        n = len(points)
        if n < 4:
            return ring
        owners = [frozenset(self.owners[p]) for p in points]
        cuts = [i for i in range(n) if owners[i] != owners[i - 1] or owners[i] != owners[(i + 1) % n]]
        if not cuts:  # a ring that shares no border (an island): cut at its first and its farthest point
            far = max(range(n), key=lambda i: math.hypot(points[i][0] - points[0][0], points[i][1] - points[0][1]))
            cuts = [0, far] if far else [0]
        out = []
        for k, start in enumerate(cuts):
            end = cuts[(k + 1) % len(cuts)]
            piece = points[start:end + 1] if end > start else points[start:] + points[:end + 1]
            out += self.arc(piece)[:-1] if len(piece) > 2 else piece[:-1]
        out.append(out[0])
        return out if len(out) >= 4 else [list(p) for p in points] + [list(points[0])]

    def geometry(self, geometry: dict | None) -> dict | None:
        if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            return geometry
        if geometry["type"] == "Polygon":
            coords = [self._list(self.ring(r)) for r in geometry["coordinates"]]
        else:
            coords = [[self._list(self.ring(r)) for r in polygon] for polygon in geometry["coordinates"]]
        return {"type": geometry["type"], "coordinates": coords}

    @staticmethod
    def _list(ring) -> list:
        return [[p[0], p[1]] for p in ring]


def _valid(geometry) -> bool:
    try:
        return all(len(ring) > 0 and all(len(p) >= 2 for p in ring) and _point(ring[0])
                   for ring in _rings(geometry)) and all(_point(p) for r in _rings(geometry) for p in r)
    except (AttributeError, TypeError, ValueError):
        return False


def simplify(geometries: list, tolerance: float) -> list:
    """The geometries (GeoJSON dicts) simplified together so shared borders stay shared. Anything that is not a
    well-formed Polygon or MultiPolygon comes back as it was; tolerance 0 changes nothing."""
    if tolerance <= 0:
        return list(geometries)
    ok = [isinstance(g, dict) and _valid(g) for g in geometries]
    simplifier = _Simplifier([g for g, good in zip(geometries, ok, strict=True) if good], tolerance)
    return [simplifier.geometry(g) if good else g for g, good in zip(geometries, ok, strict=True)]


def vertices(geometry: dict | None) -> int:
    return sum(len(ring) for ring in _rings(geometry or {}))
