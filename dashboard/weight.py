"""What a first visit downloads: only the scripts the page draws with, all requested at once, cached for good.

- plotly.js: the index names the trimmed bundle the page needs (assets/plotly/, built by build.sh): scatter and
  bar everywhere, plus the MapLibre choropleth on /regions. Named in the HTML, it downloads alongside Dash's own
  scripts instead of after them, and Dash's Graph uses window.Plotly rather than fetching the full plotly.js.
- dash-ag-grid (0.36 MB gzipped) is not in the index: assets/lazy-grid.js stands in for it and fetches the real
  script from the URL in <meta name="dash-ag-grid-src"> when a page first draws a grid (/figures, /sql).
- Dash's lazy parts that the first screen always needs (graph, dropdown, date picker) are named in the index, so
  they download with the rest instead of after the first callback answers.
- Fingerprinted assets (?m=<mtime>) are cached for a year, as Dash already does for its component suites, and
  sent brotli-compressed at the best quality once a copy is ready (dashboard/brotli_cache.py).
"""

from __future__ import annotations

import html
import os
import threading
from pathlib import Path

import dash
import dash_ag_grid
import flask
from dash import dcc
from dash.fingerprint import build_fingerprint

from dashboard import brotli_cache

GRID_SCRIPT = "dash_ag_grid.min.js"
FIRST_SCREEN_CHUNKS = ("dcc/async-graph.js", "dcc/async-dropdown.js", "dcc/async-datepicker.js")
GRID_META = "dash-ag-grid-src"
MAP_PAGES = ("/regions",)
YEAR = 365 * 24 * 3600


def lazy_grid() -> dict:
    """Take dash-ag-grid's main script out of every page's index (Dash still serves it); the meta tag telling
    assets/lazy-grid.js where to fetch it from."""
    for resource in dash_ag_grid._js_dist:
        if resource.get("relative_package_path") == GRID_SCRIPT:
            resource["dynamic"] = True
    file = Path(dash_ag_grid.__file__).parent / GRID_SCRIPT
    name = build_fingerprint(GRID_SCRIPT, dash_ag_grid.__version__, int(os.stat(file).st_mtime))
    return {"name": GRID_META, "content": f"_dash-component-suites/dash_ag_grid/{name}"}  # after the path prefix


def eager_chunks() -> None:
    """Load the first screen's lazy dcc parts with the page (webpack takes chunks pushed before its runtime)."""
    for resource in dcc._js_dist:
        if resource.get("relative_package_path") in FIRST_SCREEN_CHUNKS:
            resource.pop("async", None)


def install(app: dash.Dash, assets: Path) -> None:
    """The plotly.js bundle named in each page's index; a year's caching of fingerprinted assets."""
    eager_chunks()
    default = app.interpolate_index

    def interpolate_index(**parts):
        parts["scripts"] = plotly_tag(app, assets, flask.request.path) + parts.get("scripts", "")
        return default(**parts)

    app.interpolate_index = interpolate_index
    prefix = app.config.requests_pathname_prefix.rstrip("/") + "/"

    @app.server.after_request
    def cache_fingerprinted(response):
        request = flask.request
        if request.path.startswith(prefix + "assets/") and "m" in request.args and response.status_code == 200:
            response.cache_control.no_cache = None  # Flask's default for static files
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response

    brotli_cache.install(app.server, prefix)


def warm_up(app: dash.Dash) -> None:
    """Once the app is set up: visit `/` in the background so the first screen's brotli copies get made."""
    threading.Thread(target=brotli_cache.warm, args=(app.server,), daemon=True, name="brotli-warm").start()


def plotly_bundle(path: str) -> str:
    page = "/" + path.strip("/")
    return "plotly-map.min.js" if page in MAP_PAGES else "plotly-basic.min.js"


def plotly_tag(app: dash.Dash, assets: Path, request_path: str) -> str:
    bundle = plotly_bundle(app.strip_relative_path(request_path or "/") or "/")
    stamp = os.stat(assets / "plotly" / bundle).st_mtime
    src = app.get_asset_url(f"plotly/{bundle}") + f"?m={stamp}"
    return f'<script src="{html.escape(src)}"></script>\n'
