"""dashboard.figures: number formats and DataFrame -> Figure builders (pure)."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd

from dashboard import figures as figs


def test_number_formats():
    assert figs.format_value(80000) == "80,000"
    assert figs.format_value(100000, 100000, None, "more_than") == "more than 100,000"
    assert figs.format_value(20000, 20000, 99999, "vague") == "tens of thousands (20,000–99,999)"
    assert figs.format_value(2_000_000, 2_000_000, None, "vague") == "millions (2,000,000 or more)"
    assert figs.format_value(250000, 250000, 300000, "range") == "250,000–300,000"
    assert figs.format_value(5000, None, 5000, "up_to") == "up to 5,000"
    assert figs.format_value(1500, 1500, None, "at_least") == "at least 1,500"
    assert figs.format_value(3000, 3000, 3000, "approximately") == "about 3,000"
    assert figs.format_value(None) == "–"
    assert figs.format_value(pd.NA) == "–"


def test_caption_names_sources_period_and_freshness():
    cap = figs.caption(["OCHA", "UN", "OCHA"], date(2019, 12, 1), date(2020, 2, 29), date(2026, 1, 2), "note")
    assert cap == "Source: OCHA, UN · 01 Dec 2019 – 29 Feb 2020 · last refresh 02 Jan 2026 · note"


def test_colours_are_okabe_ito_and_stable():
    colours = figs.colour_map(["a", "b", "a"])
    assert colours == {"a": figs.OKABE_ITO[0], "b": figs.OKABE_ITO[1]}


def test_graph_config_keeps_the_png_download():
    cfg = figs.graph_config("x")
    assert cfg["displayModeBar"] is True and cfg["toImageButtonOptions"]["format"] == "png"


def _claims():
    return pd.DataFrame([
        dict(claim_id="a", org="United Nations", value=80000, value_low=80000, value_high=80000, qualifier="exact",
             ref_date=date(2019, 12, 25), period_start=date(2019, 12, 1), period_end=date(2019, 12, 25),
             last_reported=date(2019, 12, 25)),
        dict(claim_id="b", org="SOHR", value=100000, value_low=100000, value_high=None, qualifier="more_than",
             ref_date=date(2019, 12, 25), period_start=None, period_end=date(2019, 12, 25),
             last_reported=date(2019, 12, 25)),
        dict(claim_id="c", org="Aid", value=20000, value_low=20000, value_high=99999, qualifier="vague",
             ref_date=date(2020, 1, 10), period_start=None, period_end=date(2020, 1, 10),
             last_reported=date(2020, 1, 10)),
    ])


def test_compare_figure_draws_hedges_as_intervals():
    fig = figs.compare_figure(_claims(), "Displaced in Idlib", "Source: test")
    traces = json.loads(fig.to_json())["data"]
    names = [t.get("name") for t in traces if t.get("showlegend", True) is not False]
    assert names == ["United Nations", "SOHR", "Aid"] or set(names) == {"United Nations", "SOHR", "Aid"}
    arrows = [t for t in traces if t.get("marker", {}).get("symbol") == "triangle-up"]
    assert len(arrows) == 1  # "more than 100,000" is open-ended
    bars = [t for t in traces if t.get("mode") == "lines"]
    ys = [y for t in bars for y in t["y"] if y is not None]
    assert 20000 in ys and 99999 in ys  # "tens of thousands" as the range 20,000..99,999
    assert max(ys) > 100000  # the open-ended bar goes up from 100,000
    assert "Source: test" in json.dumps(fig.to_plotly_json()["layout"]["annotations"])


def test_divergence_per_month():
    div = figs.divergence(_claims())
    assert len(div) == 1  # only December 2019 has two organisations
    row = div.iloc[0]
    assert (row["low"], row["high"], row["low_org"], row["high_org"]) == (80000, 100000, "United Nations", "SOHR")
    assert math.isclose(row["ratio"], 1.25) and math.isclose(row["spread"], 0.2)
    assert figs.divergence(pd.DataFrame()).empty
    vague = _claims().assign(ref_date=date(2019, 12, 25))  # "tens of thousands" in the same month: left out
    assert figs.divergence(vague).iloc[0]["low_org"] == "United Nations"


def test_trend_figure_one_line_per_org():
    df = pd.DataFrame({"org": ["OCHA", "OCHA", "UN"], "month": pd.to_datetime(["2019-12-01", "2020-01-01",
                                                                                "2019-12-01"]),
                       "value": [284000, 358000, 80000]})
    fig = figs.trend_figure(df, "Newly displaced", "Source: OCHA, UN")
    assert [t.name for t in fig.data] == ["OCHA", "UN"]
    assert fig.layout.title.text == "Newly displaced"


def test_empty_inputs_give_a_message_not_an_error():
    fig = figs.trend_figure(pd.DataFrame(columns=["org", "month", "value"]), "T", "c")
    assert "No figures" in fig.layout.annotations[0].text
    assert "No claims" in figs.compare_figure(pd.DataFrame(), "T", "c").layout.annotations[0].text


def test_region_map_uses_no_tiles_and_greys_regions_without_figures():
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "SY07", "properties": {"name": "Idlib"},
         "geometry": {"type": "Polygon", "coordinates": [[[36, 35], [37, 35], [37, 36], [36, 35]]]}},
        {"type": "Feature", "id": "SY02", "properties": {"name": "Aleppo"},
         "geometry": {"type": "Polygon", "coordinates": [[[37, 35], [38, 35], [38, 36], [37, 35]]]}},
    ]}
    values = pd.DataFrame({"pcode": ["SY07"], "name": ["Idlib"], "value": [80000], "org": ["UN"]})
    fig = figs.region_map(values, geojson, "Displaced", "Source: UN")
    assert fig.layout.map.style == "white-bg"
    assert [t.type for t in fig.data] == ["choroplethmap", "choroplethmap"]
    assert list(fig.data[1].locations) == ["SY02"]


def test_region_bars_carry_pcodes_for_click_to_filter():
    values = pd.DataFrame({"pcode": ["SY07", "SY02"], "name": ["Idlib", "Aleppo"], "value": [900000, 50000],
                           "org": ["OCHA", "OCHA"]})
    fig = figs.region_bars(values, "Ranked", "c")
    assert list(fig.data[0].customdata) == ["SY02", "SY07"]  # largest on top
    assert list(fig.data[0].text) == ["50,000", "900,000"]


def test_region_bars_and_map_say_the_hedge():
    values = pd.DataFrame({"pcode": ["SY07", "SY02"], "name": ["Idlib", "Aleppo"], "value": [100000, 20000],
                           "value_low": [100000, 20000], "value_high": [None, 99999],
                           "qualifier": ["more_than", "vague"],
                           "quantity_text": ["more than 100,000", "tens of thousands"],
                           "org": ["SOHR", "OCHA"]})
    bars = figs.region_bars(values, "Ranked", "c")
    assert list(bars.data[0].text) == ["tens of thousands (20,000–99,999)", "more than 100,000"]
    shapes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": p, "properties": {}, "geometry": {"type": "Point", "coordinates": [36, 35]}}
        for p in ("SY07", "SY02")]}
    hover = figs.region_map(values, shapes, "t", "c").data[0].customdata
    assert "more than 100,000 people" in [row[0] for row in hover]


def test_markup_in_names_stays_text():
    df = pd.DataFrame({"org": ["<b>x</b>"], "month": pd.to_datetime(["2020-01-01"]), "value": [1]})
    fig = figs.trend_figure(df, "<i>t</i>", "Source: <img src=x>")
    assert fig.data[0].name == "&lt;b&gt;x&lt;/b&gt;"
    assert "<img" not in fig.layout.annotations[0].text
