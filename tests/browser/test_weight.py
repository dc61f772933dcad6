"""A light first visit, seen from Chromium's own resource log: no grid library on a page without a grid (it arrives
when a grid is drawn), and a map whose traces carry only their own, simplified, areas."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dashboard_data  # noqa: E402
from boundary_shapes import collection  # noqa: E402

from etl import runner  # noqa: E402
from etl.geometry import vertices  # noqa: E402

REQUESTED = "return performance.getEntriesByType('resource').map(e => e.name)"
MAP_TRACES = """
const gd = document.querySelector('#reg-map .js-plotly-plot') || document.getElementById('reg-map');
return gd && gd.data && gd.querySelector('.main-svg') ? gd.data.map(t => ({
  locations: Array.from(t.locations), ids: t.geojson.features.map(f => f.id),
  points: t.geojson.features.map(f => JSON.stringify(f.geometry.coordinates).split('],[').length)})) : null;
"""


def grid_requests(browser) -> list[str]:
    return [u for u in browser.execute_script(REQUESTED) if "dash_ag_grid" in u]


def test_the_grid_library_loads_only_where_a_grid_is_drawn(browser, live_app):
    browser.get(live_app + "/")
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#ov-trends .js-plotly-plot .main-svg"))
    assert grid_requests(browser) == []
    assert any("/assets/plotly/plotly-basic.min.js" in u for u in browser.execute_script(REQUESTED))
    browser.find_element(By.ID, "nav-figures").click()  # a page change inside the app, no reload
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#fig-grid .ag-row"))
    main = [u for u in grid_requests(browser) if "/dash_ag_grid/dash_ag_grid." in u]
    assert len(main) == 1  # then its own lazy part (async-community.js)
    assert browser.console_errors() == []


def test_map_traces_carry_only_their_own_simplified_areas(browser, serve, settings, tmp_path):
    dashboard_data.build(settings, with_boundaries=False)
    shapes = collection(("SY07", "SY02", "SY01", "SY03"))  # figures for SY07 and SY02; none for SY01, SY03
    file = tmp_path / "adm1.geojson"
    file.write_text(json.dumps(shapes))
    settings = dataclasses.replace(settings, boundaries_url=str(file), boundary_tolerance=0.005)
    [result] = runner.run(settings, ["boundaries"])
    assert result.status == "ok", result.error
    base = serve(settings)
    browser.get(base + "/regions")
    traces = WebDriverWait(browser, 30).until(lambda b: b.execute_script(MAP_TRACES))
    assert len(traces) == 2
    for trace in traces:  # each trace: exactly the areas it colours
        assert sorted(trace["ids"]) == sorted(trace["locations"])
    assert sorted(traces[0]["ids"]) == ["SY02", "SY07"] and sorted(traces[1]["ids"]) == ["SY01", "SY03"]
    drawn = sum(n for t in traces for n in t["points"])
    assert drawn < sum(vertices(f["geometry"]) for f in shapes["features"]) / 4  # simplified at load
    assert browser.console_errors() == []
