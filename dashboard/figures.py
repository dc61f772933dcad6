"""DataFrame -> plotly Figure, and the number formats every page uses. Pure: no queries, no Dash.

Colours are Okabe-Ito (colour-blind safe); every figure carries its title and a caption (sources and dates)
inside the figure, so a PNG downloaded from the modebar still says where its numbers come from.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

# Okabe & Ito (2008), black last; yellow late since it is faint on white.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]
SEQUENTIAL = "Cividis_r"  # colour-blind safe sequential scale (dark = more)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# The contract's vague amounts: (value_low, value_high) -> words.
VAGUE = {
    (24, 99): "dozens", (40, 99): "scores", (200, 999): "hundreds", (2_000, 9_999): "thousands",
    (20_000, 99_999): "tens of thousands", (200_000, 999_999): "hundreds of thousands",
    (2_000_000, None): "millions",
}
QUALIFIER_WORDS = {
    "approximately": "about", "at_least": "at least", "more_than": "more than", "less_than": "fewer than",
    "up_to": "up to",
}


# ---- numbers ------------------------------------------------------------------------------------------------------

def _int(value) -> int | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return int(value)


def fmt_int(value) -> str:
    value = _int(value)
    return "–" if value is None else f"{value:,}"


def format_value(value, low=None, high=None, qualifier="exact", quantity_text=None) -> str:
    """'80,000', 'more than 100,000', 'tens of thousands (20,000–99,999)', '250,000–300,000'."""
    value, low, high = _int(value), _int(low), _int(high)
    if value is None:
        return "–"
    if qualifier == "vague":
        words = VAGUE.get((low, high)) or (quantity_text or "").strip().lower() or "an unstated number"
        if low is not None and high is not None:
            return f"{words} ({low:,}–{high:,})"
        if low is not None:
            return f"{words} ({low:,} or more)"
        return words
    if qualifier == "range" and low is not None and high is not None and low != high:
        return f"{low:,}–{high:,}"
    word = QUALIFIER_WORDS.get(qualifier)
    return f"{word} {value:,}" if word else f"{value:,}"


def with_unit(text: str, unit) -> str:
    """'about 5,000 households', '80,000 people': the unit always travels with the number."""
    unit = unit if isinstance(unit, str) and unit else "people"
    return text if text == "–" else f"{text} {unit}"


def fmt_date(value) -> str:
    if value is None:
        return "–"
    try:
        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.strftime("%d %b %Y")
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d %b %Y")
        except ValueError:
            pass
    return str(value)


def fmt_period(start, end) -> str:
    start_s, end_s = fmt_date(start), fmt_date(end)
    if start_s == "–":
        return end_s
    if end_s == "–" or start_s == end_s:
        return start_s
    return f"{start_s} – {end_s}"


def colour_map(names) -> dict[str, str]:
    """A stable colour per name, in the order given (most important first)."""
    out = {}
    for name in names:
        if name not in out:
            out[name] = OKABE_ITO[len(out) % len(OKABE_ITO)]
    return out


def caption(sources, start=None, end=None, as_of=None, note: str | None = None) -> str:
    """'Source: OCHA, UN · Dec 2019 – Feb 2020 · last refresh 02 Jan 2026 · note': the period is the figures' own
    dates, `as_of` the warehouse's last successful refresh (never called "data as of": the data is older)."""
    names = [s for s in dict.fromkeys(sources) if s]
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    parts = [f"Source: {shown}" if shown else "Source: the warehouse"]
    if start is not None or end is not None:
        parts.append(fmt_period(start, end))
    if as_of is not None:
        parts.append(f"last refresh {fmt_date(as_of)}")
    if note:
        parts.append(note)
    return " · ".join(parts)


def graph_config(filename: str) -> dict:
    """dcc.Graph config: the modebar (with download-as-PNG) always shown, no plotly logo."""
    return {
        "displayModeBar": True,
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2, "width": 1200, "height": 600},
    }


def _wrap(text: str, width: int = 110) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def _short(text, limit: int = 30) -> str:
    """A legend label that fits its column; the hover keeps the full name."""
    return _esc(_trim(text, limit))


def _trim(text, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _esc(text: str) -> str:
    """Plotly renders a small HTML subset in titles and annotations: keep source names as text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _layout(fig: go.Figure, title: str, cap: str, height: int = 360, width_chars: int = 100,
            x_title: bool = False) -> go.Figure:
    """Title on top, legend under it, caption (sources and dates) at the bottom, inside the figure.
    width_chars: roughly how many caption characters fit on a line of this chart; x_title: the x axis has a title,
    which the caption goes under."""
    names = [t.name for t in fig.data if t.showlegend is not False and t.name]
    props = _layout_props(names, title, cap, height, width_chars, 18 if x_title else 0)
    annotations = props.pop("annotations")
    fig.update_layout(template="plotly_white", **props)
    for note in annotations:
        fig.add_annotation(**note)
    return fig


def _layout_props(names: list, title: str, cap: str, height: int = 360, width_chars: int = 100,
                  below_axis: int = 0) -> dict:
    """_layout's settings as a plain layout dict (annotations: the caption, if any), for figures built as dicts."""
    columns = max(1, min(len(names), width_chars // 34))  # legend in equal columns: rows are predictable
    legend_rows = math.ceil(len(names) / columns) if names else 0
    cap_lines = _wrap(cap, width_chars)
    top = 46 + 19 * legend_rows
    bottom = 36 + below_axis + 14 * len(cap_lines)
    annotations = [{"text": "<br>".join(_esc(x) for x in cap_lines), "xref": "paper", "yref": "paper", "x": 0,
                    "y": 0, "yshift": -(bottom - 4), "showarrow": False, "xanchor": "left", "yanchor": "bottom",
                    "align": "left", "font": {"size": 10, "color": "#555"}}] if cap_lines else []
    return {
        "title": {"text": _esc(title), "x": 0.01, "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top",
                  "pad": {"t": 10}, "font": {"size": 15}},
        "font": {"family": FONT, "size": 12},
        "height": height + 20 * legend_rows + 14 * len(cap_lines) + below_axis,
        "margin": {"l": 60, "r": 20, "t": top, "b": bottom},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 11},
                   "traceorder": "normal", "entrywidth": 1 / columns, "entrywidthmode": "fraction"},
        "modebar": {"orientation": "v"},  # beside the plot, never over the title
        "showlegend": bool(names),
        "separators": ".,",
        "annotations": annotations,
    }


_TEMPLATE: list = []
# The plotly_white template as sent with each plain figure, cut to the trace types and axes the app draws: the
# rest (3D scenes, polar axes, 20 other trace types) was two thirds of it, sent with every chart of every change.
_TEMPLATE_TRACES = ("scatter", "bar", "choropleth", "choroplethmap")
_TEMPLATE_UNUSED = ("polar", "ternary", "scene", "geo", "mapbox")


def plain_figure(data: list[dict], layout: dict) -> dict:
    """A figure as the plain dict dcc.Graph takes, with the plotly_white template: built in about a millisecond,
    where plotly's validating Figure takes tens (the overview redraws its charts within a filter change's budget).
    Only for dicts built here, from our own keys."""
    if not _TEMPLATE:
        import plotly.io as pio

        template = pio.templates["plotly_white"].to_plotly_json()
        template["data"] = {k: v for k, v in template["data"].items() if k in _TEMPLATE_TRACES}
        template["layout"] = {k: v for k, v in template["layout"].items() if k not in _TEMPLATE_UNUSED}
        _TEMPLATE.append(template)
    return {"data": data, "layout": layout | {"template": _TEMPLATE[0]}}


def _figure(spec: dict) -> go.Figure:
    return go.Figure(spec, _validate=False)


def _month_axis(fig: go.Figure, dates, monthly: bool = False) -> None:
    """Month ticks (day ticks for short spans of daily data); a lone date gets some room either side."""
    props = _month_axis_props(dates, monthly)
    if props:
        fig.update_xaxes(**props)


def _month_axis_props(dates, monthly: bool = False) -> dict:
    if isinstance(dates, list):  # a few dates (a trend's first and last): no Series to build
        dates = [pd.Timestamp(d) for d in dates if d is not None]
    else:
        dates = pd.to_datetime(dates if isinstance(dates, pd.Series) else pd.Series(list(dates))).dropna().tolist()
    if not dates:
        return {}
    lo, hi = min(dates), max(dates)
    props = {}
    if (hi - lo).days < 45:
        pad = pd.Timedelta(days=40 if monthly else 20)
        props["range"] = [(lo - pad).isoformat(), (hi + pad).isoformat()]
    if (hi - lo).days < 90 and not monthly:
        props |= {"tickformat": "%d %b %Y", "title": None}
    else:
        props |= {"tickformat": "%b %Y", "dtick": "M1" if (hi - lo).days < 400 else None, "title": None}
    return props


def empty_figure(title: str, message: str, height: int = 240) -> go.Figure:
    return _figure(empty_spec(title, message, height))


def empty_spec(title: str, message: str, height: int = 240) -> dict:
    layout = _layout_props([], title, "", height)
    layout["annotations"] = [{"text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                              "showarrow": False, "font": {"size": 13, "color": "#555"}}]
    return plain_figure([], layout | {"xaxis": {"visible": False}, "yaxis": {"visible": False}})


# ---- overview -----------------------------------------------------------------------------------------------------

def trend_figure(df: pd.DataFrame, title: str, cap: str, colours: dict | None = None,
                 unit: str = "people") -> go.Figure:
    """Lines per organisation over months. df: org, month, value (one row per org and month)."""
    return _figure(trend_spec(lines_of(df), title, cap, colours, unit))


def lines_of(df: pd.DataFrame) -> list[tuple[str, list[str], list]]:
    """(org, months as 'YYYY-MM-DD', values) per organisation of a frame of points (org, month, value), in the order
    the organisations come, months in order."""
    lines: dict = {}
    months = pd.to_datetime(df["month"]).dt.strftime("%Y-%m-%d").tolist()
    for org, month, value in sorted(zip(df["org"], months, df["value"].tolist(), strict=True), key=lambda p: p[1]):
        lines.setdefault(org, ([], []))
        lines[org][0].append(month)
        lines[org][1].append(value)
    order = dict.fromkeys(df["org"])
    return [(org, *lines[org]) for org in order]


# A line with more points than this is drawn without a marker per point: on a long trend they hide one another, and
# styling each one is most of what Plotly spends redrawing a chart (a filter change redraws them all).
MARKED_POINTS = 36


def trend_spec(lines: list, title: str, cap: str, colours: dict | None = None, unit: str = "people") -> dict:
    """trend_figure as a plain dict (plain_figure). lines: (org, months 'YYYY-MM-DD' in order, values) per line."""
    if not lines:
        return empty_spec(title, "No figures for these filters")
    colours = colours or colour_map(org for org, _, _ in lines)
    # Plotly formats the hover's number (d3 ",d": 12,345, as fmt_int), so no per-point text travels.
    hover = "%{x|%b %Y}: %{y:,d} " + _esc(unit if isinstance(unit, str) and unit else "people")
    data = [{
        # Arrays: Dash's JSON encoder copies them whole instead of visiting each point.
        "type": "scatter", "x": np.array(months), "y": np.array(values, dtype="int64"),
        "name": _short(org), "mode": "lines+markers" if len(months) <= MARKED_POINTS else "lines",
        "line": {"color": colours.get(org), "width": 2}, "marker": {"size": 6},
        "hovertemplate": hover + "<extra>" + _esc(org) + "</extra>",
    } for org, months, values in lines]
    layout = _layout_props([t["name"] for t in data], title, cap, width_chars=75)
    ends = [m for _, months, _ in lines if months for m in (months[0], months[-1])]
    layout["xaxis"] = _month_axis_props([min(ends), max(ends)] if ends else [], monthly=True)
    layout["yaxis"] = {"rangemode": "tozero", "tickformat": ",d", "title": {"text": unit, "font": {"size": 11}}}
    return plain_figure(data, layout)


# ---- source comparison --------------------------------------------------------------------------------------------

def claim_x(df: pd.DataFrame) -> pd.Series:
    """Where a claim sits on the time axis: its period's end (or start, or when it was last reported)."""
    return pd.to_datetime(df["ref_date"])


def compare_figure(claims: pd.DataFrame, title: str, cap: str, unit: str = "people") -> go.Figure:
    """Every claim over time, one colour per organisation; hedges drawn as intervals.

    exact / about: a dot. range and vague ("tens of thousands"): a bar from value_low to value_high.
    more than / at least / "millions": an open-ended bar going up from the value, ending in an arrow head.
    fewer than / up to: a bar from zero up to the value.
    """
    if claims.empty:
        return empty_figure(title, "No claims for this place, metric and period")
    df = claims.copy()
    df["x"] = claim_x(df)
    if "stock_or_flow" not in df:
        df["stock_or_flow"] = None
    colours = colour_map(df.groupby("org")["claim_id"].count().sort_values(ascending=False).index)
    if df["stock_or_flow"].eq("stock").any() and df["stock_or_flow"].ne("stock").any():
        # Both kinds on one chart: one legend entry per organisation and kind, totals drawn as diamonds.
        df["org_key"] = df["org"]
        df["org"] = [f"{_trim(o, 22)} · {'total' if k == 'stock' else 'new'}"
                     for o, k in zip(df["org"], df["stock_or_flow"], strict=True)]
        colours = {o: colours[k] for o, k in zip(df["org"], df["org_key"], strict=True)}
    orgs = list(df.groupby("org")["claim_id"].count().sort_values(ascending=False).index)
    top = float(df["value"].max()) or 1.0
    fig = go.Figure()
    for i, org in enumerate(orgs):
        part = df[df["org"] == org]
        # Nudge organisations apart so that claims of the same day stay visible side by side.
        x = part["x"] + pd.to_timedelta((i - (len(orgs) - 1) / 2) * 1.5, unit="D")
        labels = [with_unit(format_value(r.value, r.value_low, r.value_high, r.qualifier), unit)
                  for r in part.itertuples()]
        symbol = "diamond" if part["stock_or_flow"].eq("stock").all() and org.endswith("· total") else "circle"
        bars_x, bars_y, heads_x, heads_y = [], [], [], []
        for xi, r in zip(x, part.itertuples(), strict=True):
            low, high = _int(r.value_low), _int(r.value_high)
            if r.qualifier in ("more_than", "at_least") or (r.qualifier == "vague" and high is None):
                end = r.value + max(r.value * 0.35, top * 0.08)  # "and more": an arrow, not a bound
                bars_x += [xi, xi, None]
                bars_y += [r.value, end, None]
                heads_x.append(xi)
                heads_y.append(end)
            elif r.qualifier in ("less_than", "up_to"):
                bars_x += [xi, xi, None]
                bars_y += [0, r.value, None]
            elif low is not None and high is not None and low != high:
                bars_x += [xi, xi, None]
                bars_y += [low, high, None]
        colour = colours[org]
        if bars_x:
            fig.add_trace(go.Scatter(x=bars_x, y=bars_y, mode="lines", line={"color": colour, "width": 7},
                                     opacity=0.45, legendgroup=org, showlegend=False, hoverinfo="skip"))
        if heads_x:
            fig.add_trace(go.Scatter(x=heads_x, y=heads_y, mode="markers", legendgroup=org, showlegend=False,
                                     marker={"symbol": "triangle-up", "size": 13, "color": colour},
                                     hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=x, y=part["value"], mode="markers", name=_short(org), legendgroup=org,
            marker={"size": 10, "color": colour, "line": {"color": "white", "width": 1}, "symbol": symbol},
            customdata=list(zip(labels, [fmt_date(d) for d in part["ref_date"]], strict=True)),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra>" + _esc(org) + "</extra>",
        ))
    fig.update_yaxes(rangemode="tozero", tickformat=",d", title={"text": unit, "font": {"size": 11}})
    _month_axis(fig, df["x"])
    return _layout(fig, title, cap, height=420, width_chars=85)  # fits the 580 px a phone draws it at


def divergence(claims: pd.DataFrame) -> pd.DataFrame:
    """Per month with claims from 2+ organisations: each organisation's latest claim that month, and how far
    apart they are: ratio = max / min and spread = (max - min) / max. Lower bounds count at their value; word
    amounts ("tens of thousands") are left out, being ranges rather than claims of a number."""
    cols = ["month", "n_orgs", "low", "high", "low_org", "high_org", "ratio", "spread"]
    if claims.empty:
        return pd.DataFrame(columns=cols)
    df = claims[claims["qualifier"] != "vague"].copy()
    df["month"] = pd.to_datetime(df["ref_date"]).dt.to_period("M").dt.to_timestamp()
    df = df.sort_values(["ref_date", "last_reported"]).groupby(["month", "org"], as_index=False).last()
    rows = []
    for month, part in df.groupby("month"):
        if part["org"].nunique() < 2:
            continue
        low, high = part.loc[part["value"].idxmin()], part.loc[part["value"].idxmax()]
        lo_v, hi_v = float(low["value"]), float(high["value"])
        rows.append({
            "month": month, "n_orgs": int(part["org"].nunique()), "low": int(lo_v), "high": int(hi_v),
            "low_org": low["org"], "high_org": high["org"],
            "ratio": (hi_v / lo_v) if lo_v > 0 else math.inf, "spread": (hi_v - lo_v) / hi_v if hi_v else 0.0,
        })
    return pd.DataFrame(rows, columns=cols)


# ---- regions ------------------------------------------------------------------------------------------------------

def _bounds(geojson: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in geojson["features"]:
        walk(feature["geometry"].get("coordinates", []))
    return min(xs), min(ys), max(xs), max(ys)


def region_map(values: pd.DataFrame, geojson: dict, title: str, cap: str, units: str = "people") -> go.Figure:
    """Choropleth on MapLibre with no basemap tiles (map_style white-bg): nothing is fetched from the network."""
    x0, y0, x1, y1 = _bounds(geojson)
    span = max(x1 - x0, (y1 - y0) * 1.4, 0.01)
    zoom = max(0.0, min(10.0, math.log2(360 / span) - 1.2))
    center = {"lon": (x0 + x1) / 2, "lat": (y0 + y1) / 2}
    df = values.assign(label=[with_unit(text, units) for text in region_labels(values)])
    shown = set(values["pcode"])
    # Each trace carries only its own areas' shapes: the regions with figures here, the grey rest below.
    own = {"type": "FeatureCollection", "features": [f for f in geojson["features"] if f["id"] in shown]}
    fig = px.choropleth_map(
        df, geojson=own, locations="pcode", color="value", hover_name="name",
        hover_data={"label": True, "org": True, "pcode": False, "value": False},
        labels={"label": "latest figure", "org": "reported by", "value": ""},
        color_continuous_scale=SEQUENTIAL, range_color=(0, max(1, int(values["value"].max()))),
        map_style="white-bg", center=center, zoom=zoom, opacity=0.85,
    )
    missing = [f["id"] for f in geojson["features"] if f["id"] not in set(values["pcode"])]
    if missing:
        names = {f["id"]: f["properties"].get("name", f["id"]) for f in geojson["features"]}
        rest = {"type": "FeatureCollection", "features": [f for f in geojson["features"] if f["id"] not in shown]}
        fig.add_trace(go.Choroplethmap(
            geojson=rest, locations=missing, z=[0] * len(missing), showscale=False,
            colorscale=[[0, "#e8e8e8"], [1, "#e8e8e8"]], marker={"line": {"color": "#999", "width": 0.5}},
            text=[names[m] for m in missing], hovertemplate="%{text}: no figures<extra></extra>",
        ))
    fig.update_traces(marker_line_color="#666", marker_line_width=0.6, selector={"type": "choroplethmap"})
    fig.update_layout(coloraxis_colorbar={"title": units, "tickformat": ",d", "thickness": 12})
    return _layout(fig, title, cap, height=460, width_chars=80)


def region_labels(values: pd.DataFrame) -> list[str]:
    """Each region's latest figure as reported: 'more than 100,000', not 100,000 (the bar's length is the value)."""
    if "qualifier" not in values:
        return [fmt_int(v) for v in values["value"]]
    return [format_value(r.value, r.value_low, r.value_high, r.qualifier, r.quantity_text)
            for r in values.itertuples()]


def region_bars(values: pd.DataFrame, title: str, cap: str, limit: int = 25, units: str = "people") -> go.Figure:
    """Ranked horizontal bars, largest on top; customdata carries the p-code for click-to-filter."""
    if values.empty:
        return empty_figure(title, "No figures by region for these filters")
    df = values.head(limit).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=df["value"], y=[_esc(n) for n in df["name"]], orientation="h", marker={"color": OKABE_ITO[0]},
        text=region_labels(df), textposition="auto", customdata=df["pcode"],
        hovertemplate="%{y}: %{text} " + units + "<extra></extra>",
    ))
    fig.update_xaxes(tickformat=",d", title={"text": units, "font": {"size": 11}})
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, title, cap, height=max(260, 60 + 26 * len(df) + 80), width_chars=60, x_title=True)


