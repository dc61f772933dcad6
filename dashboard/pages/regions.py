"""/regions: a choropleth by admin1 (admin2 inside a chosen admin1) from the warehouse's own boundaries, with no
basemap tiles, and a ranked bar chart. Clicking a region narrows every page to it (admin1/admin2 in the URL)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update, set_props

from dashboard import figures as figs
from dashboard import pages, queries, wider
from dashboard.filters import KIND_LABELS, METRIC_LABELS, Filters, with_search
from dashboard.pages import LATEST_RULE, describe_filters, graph, guarded, page_header, reader

dash.register_page(__name__, path="/regions", name="Regions", title="Regions · Displacement figures", order=2)

BOUNDARIES_HINT = "displacement etl run boundaries --from-file FILE.geojson"
DISCLAIMER = ("The boundaries and names shown and the designations used on this map do not imply official "
              "endorsement or acceptance by the United Nations.")


@guarded
def layout(**query):
    if pages.search_changed_only():
        return dash.no_update  # same page, new filters: regions_for_filters updates it in place
    f = Filters.from_query(query)
    parts = region_parts(reader(), f)
    return html.Div([
        html.Div(parts["reg-head"], id="reg-head"),
        html.P(LATEST_RULE, className="small text-muted latest-rule", id="reg-latest-rule"),
        html.Div(parts["wider"], id="reg-wider-box"),
        html.Div(kind_switch(parts["kind"]), id="reg-switch"),
        dcc.Store(id="reg-level", data=parts["level"]),
        dcc.Store(id="reg-has-map", data=parts["map"] is not None),
        html.Div(body(parts), id="reg-body"),
        html.P(DISCLAIMER, className="small text-muted mt-2 disclaimer", id="reg-disclaimer"),
    ], id="reg-page")


def region_parts(r, f: Filters) -> dict:
    """What the page shows for `f`: heading, level, the bars' figure and the map's (None without boundaries), and
    the note on figures for wider areas that cover a chosen region."""
    level = queries.region_level(f)
    values = queries.region_values(r, f)
    metric = METRIC_LABELS.get(f.metric or "displaced", f.metric)
    kind = queries.region_kind(f) if (f.metric or "displaced") == "displaced" else None
    if kind:
        metric = f"{metric} ({KIND_LABELS[kind].split(' ')[0]})"
    where = describe_filters(f.with_(metric=None))
    as_of = queries.data_as_of(r).get("last_success")
    units = f.unit or "people"
    cap = figs.caption(values["org"] if not values.empty else [], values["ref_date"].min() if not values.empty
                       else None, values["ref_date"].max() if not values.empty else None, as_of,
                       f"latest figure per region, in {units}; districts included")
    unit = "admin 2" if level == 2 else "admin 1"
    title = f"{metric.capitalize()} by {unit} area" + ("" if f.with_(metric=None).is_empty() else f" · {where}")
    shapes = queries.region_shapes(r, f, values["pcode"].tolist()) if not values.empty else None
    return {
        "reg-head": page_header("Regions", f"{metric.capitalize()} per {unit} area. Click a region to narrow every "
                                           "page to it."),
        "level": level,
        "kind": kind,
        "bars": figs.region_bars(values, f"Ranked by latest {metric} figure ({units})", cap, units=units),
        "map": figs.region_map(values, shapes, title, cap, units) if shapes else None,
        "wider": wider.note(r, f.with_(metric=f.metric or "displaced"), "reg-wider"),
    }


def body(parts: dict):
    bars = graph("reg-bars", parts["bars"], "regions-ranked")
    if parts["map"] is not None:
        return dbc.Row([dbc.Col(graph("reg-map", parts["map"], "regions-map"), xs=12, lg=7),
                        dbc.Col(bars, xs=12, lg=5)], className="g-3")
    hint = html.P(["No boundaries are loaded, so there is no map. Load them with ", html.Code(BOUNDARIES_HINT),
                   "."], className="small text-muted", id="reg-hint")
    return html.Div([hint, bars])


# A filter change leaves the page standing (layout() answers no_update): the map and the bars get their new figures
# in place (set_props: Plotly redraws the same nodes). Only when the map comes or goes is the body sent anew.
@callback(
    Output("reg-body", "children"),
    Output("reg-has-map", "data"),
    Output("reg-head", "children"),
    Output("reg-level", "data"),
    Output("reg-switch", "children"),
    Output("reg-wider-box", "children"),
    Input("url", "search"),
    State("url", "pathname"),
    State("reg-has-map", "data"),
    prevent_initial_call=True,
)
def regions_for_filters(search, pathname, had_map):
    f = pages.filters_on("/regions", search, pathname)
    if f is None:
        return (no_update,) * 6
    parts = region_parts(reader(), f)
    has_map = parts["map"] is not None
    if has_map != bool(had_map):
        return body(parts), has_map, parts["reg-head"], parts["level"], kind_switch(parts["kind"]), parts["wider"]
    set_props("reg-bars", {"figure": parts["bars"]})
    if has_map:
        set_props("reg-map", {"figure": parts["map"]})
    return no_update, no_update, parts["reg-head"], parts["level"], kind_switch(parts["kind"]), parts["wider"]


def kind_switch(kind: str | None):
    """New figures (flows) or totals (stocks): displaced figures of the two kinds are never ranked together."""
    options = [{"label": KIND_LABELS[k].capitalize(), "value": k} for k in ("flow", "stock")]
    return html.Div([
        html.Span("Show: ", className="small text-muted me-2"),
        dbc.RadioItems(id="reg-kind", options=options, value=kind or "flow", inline=True,
                       className="d-inline-block small", inputClassName="me-1"),
    ], className="mb-2 kind-switch", hidden=kind is None)


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("reg-kind", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def kind_chosen(kind, search):
    if kind not in ("flow", "stock") or queries.region_kind(Filters.from_query(search)) == kind:
        return no_update
    return with_search(search, kind=kind)


# One callback per chart: the map is absent when no boundaries are loaded, and a callback must not mix a present
# and an absent input.
@callback(
    Output("url", "search", allow_duplicate=True),
    Input("reg-map", "clickData"),
    State("url", "search"),
    State("reg-level", "data"),
    prevent_initial_call=True,
)
def map_clicked(click, search, level):
    return region_clicked(click, search, level)


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("reg-bars", "clickData"),
    State("url", "search"),
    State("reg-level", "data"),
    prevent_initial_call=True,
)
def bar_clicked(click, search, level):
    return region_clicked(click, search, level)


def region_clicked(click, search, level):
    pcode = clicked_pcode(click)
    return narrow_to(search, pcode, level) if pcode else no_update


def clicked_pcode(click) -> str | None:
    try:
        point = click["points"][0]
    except (TypeError, KeyError, IndexError):
        return None
    return point.get("location") or point.get("customdata")


def narrow_to(search: str | None, pcode: str, level: int) -> str:
    """The URL query narrowed to a clicked region (admin1, or admin2 inside its admin1)."""
    if level == 2:
        return with_search(search, admin2=pcode, figure=None)
    return with_search(search, admin1=pcode, admin2=None, figure=None)
