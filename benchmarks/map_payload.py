"""Boundary shapes and the /regions map payload, before and after simplification at load and per-trace features.

    python benchmarks/map_payload.py FILE.geojson [--tolerance 0.005] [--shown 0.5]

FILE is a COD-AB GeoJSON (one admin level). Prints, for the shapes as given and as the `boundaries` source stores
them (etl/geometry.py at --tolerance degrees): features, vertices, and the geometry's JSON bytes; then the bytes of
the map figure's JSON (dashboard/figures.region_map, as sent to the browser) with the first --shown share of areas
carrying figures: each trace with the whole FeatureCollection (as before), each trace with only its own areas, and
that with the simplified shapes. Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from dashboard.figures import region_map
from etl.geometry import simplify, vertices
from etl.sources.boundaries import admin_level


def collection(features: list, shapes: list) -> dict:
    out = []
    for feature, shape in zip(features, shapes, strict=True):
        props = {str(k).upper(): v for k, v in feature["properties"].items()}
        level = admin_level(props)
        out.append({"type": "Feature", "id": str(props[f"ADM{level}_PCODE"]), "geometry": shape,
                    "properties": {"name": str(props.get(f"ADM{level}_EN") or props[f"ADM{level}_PCODE"])}})
    return {"type": "FeatureCollection", "features": out}


def payload(geojson: dict, shown: float, whole: bool = False) -> int:
    features = geojson["features"]
    n = max(1, int(len(features) * shown))
    values = pd.DataFrame({"pcode": [f["id"] for f in features[:n]], "name": [f["properties"]["name"]
                           for f in features[:n]], "value": [1000 * (i + 1) for i in range(n)], "org": "OCHA"})
    fig = region_map(values, geojson, "Displaced", "caption")
    if whole:  # the old figure: every trace carried the whole FeatureCollection
        fig.update_traces(geojson=geojson)
    return len(fig.to_json().encode())


def size(shapes: list) -> int:
    return sum(len(json.dumps(s, separators=(",", ":"))) for s in shapes)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.005)
    parser.add_argument("--shown", type=float, default=0.5, help="share of areas with figures")
    args = parser.parse_args(argv)
    features = json.loads(args.file.read_text())["features"]
    raw = [f["geometry"] for f in features]
    start = time.perf_counter()
    simple = simplify(raw, args.tolerance)
    seconds = time.perf_counter() - start
    print(f"{args.file.name}: {len(features)} areas")
    print(f"shapes as given:  {sum(map(vertices, raw)):>8,} vertices {size(raw):>10,} bytes")
    print(f"stored (tol {args.tolerance}): {sum(map(vertices, simple)):>8,} vertices {size(simple):>10,} bytes "
          f"({seconds:.2f} s), {sum(s is not None for s in simple)} areas kept")
    full, light = collection(features, raw), collection(features, simple)
    print(f"map figure JSON, {args.shown:.0%} of areas with figures:")
    print(f"  every trace with the whole collection: {payload(full, args.shown, whole=True):>10,} bytes")
    print(f"  each trace with its own areas:         {payload(full, args.shown):>10,} bytes")
    print(f"  ... and the shapes simplified at load: {payload(light, args.shown):>10,} bytes")


if __name__ == "__main__":
    sys.exit(main())
