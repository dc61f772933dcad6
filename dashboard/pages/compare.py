"""/compare: what each organisation claimed for one place, metric and period, side by side.

Claims (v_claims) merge repeats, so an agency figure carried by ten articles counts once. Hedged figures are
intervals, and a divergence table says how far apart the organisations were in each month they overlap.
"""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update, set_props

from dashboard import figures as figs
from dashboard import queries, wider
from dashboard.filters import KIND_LABELS, KINDS, METRIC_LABELS, Filters, with_search
from dashboard.pages import describe_filters, filters_on, graph, guarded, page_header, reader, search_changed_only

dash.register_page(__name__, path="/compare", name="Compare sources", title="Compare sources · Displacement figures",
                   order=1)


@guarded
def layout(**query):
    if search_changed_only():
        return dash.no_update  # same page, new filters: compare_for_filters updates it in place
    f = Filters.from_query(query)
    parts = compare_parts(reader(), f)
    return html.Div([dcc.Store(id="cmp-state", data=parts is not None),
                     html.Div(body(f, parts, wider_note(reader(), f)), id="cmp-body")], id="cmp-page")


def wider_note(r, f: Filters):
    """Figures for wider areas that cover the chosen region, under the filters as this page applies them (the
    metric defaults to displaced; every organisation is compared)."""
    return wider.note(r, f.with_(metric=f.metric or "displaced", org=None), "cmp-wider")


def compare_parts(r, f: Filters) -> dict | None:
    """What the page shows for `f`, piece by piece; None when no claim matches."""
    metric = f.metric or "displaced"
    place, claims = queries.compare(r, f)
    if place is None:
        return None
    as_of = queries.data_as_of(r).get("last_success")
    name = f"{place['name']} ({place['pcode']})"
    metric_label = METRIC_LABELS.get(metric, metric)
    period = figs.fmt_period(claims["ref_date"].min(), claims["ref_date"].max()) if not claims.empty else ""
    note = None if place.get("chosen") else "the place with most organisations' claims; pick another in the filters"
    cap = figs.caption(claims["org"] if not claims.empty else [], claims["ref_date"].min() if not claims.empty
                       else None, claims["ref_date"].max() if not claims.empty else None, as_of,
                       "claims merged across documents; bars: hedged figures, arrows: open-ended")
    unit = place.get("unit", "people")
    series = place.get("series", "flow")
    title = f"{metric_label.capitalize()} in {place['name']}, by organisation ({unit})"
    # Divergence compares claims of one kind: with both kinds shown, the new figures (flows) only.
    div = figs.divergence(claims if series != "both" else claims[claims["stock_or_flow"].ne("stock")])
    return {
        "cmp-top": [
            page_header("Compare sources", f"{metric_label.capitalize()} · {name} · {period} · in {unit}"),
            dbc.Alert(["Showing ", html.B(name), f": {note}."], color="light", className="py-2 small",
                      id="cmp-default-note") if note else None,
            kind_switch(place),
            series_note(place),
        ],
        "figure": figs.compare_figure(claims, title, cap, unit),
        "filename": f"compare-{place['pcode']}-{metric}",
        "cmp-divergence": divergence_summary(div),
        "cmp-table-box": claims_table(claims),
        "cmp-filters": f"Filters: {describe_filters(f)}. The organisation filter does not apply here: every "
                       "organisation is compared.",
    }


def body(f: Filters, parts: dict | None, note=None) -> list:
    if parts is None:
        return [page_header("Compare sources"), html.Div(note, id="cmp-wider-box"),
                dbc.Alert("No claims match these filters. Widen the period or pick another place.", color="info",
                          id="cmp-none")]
    return [
        html.Div(parts["cmp-top"], id="cmp-top"),
        html.Div(note, id="cmp-wider-box"),
        graph("cmp-chart", parts["figure"], parts["filename"]),
        html.Div(parts["cmp-divergence"], id="cmp-divergence", className="mt-3"),
        html.H2("Claims", className="h5 mt-4"),
        html.Div(parts["cmp-table-box"], id="cmp-table-box"),
        html.P(parts["cmp-filters"], className="small text-muted mt-2", id="cmp-filters"),
    ]


# A filter change leaves the page standing (layout() answers no_update): the chart gets its new figure in place
# (set_props: Plotly redraws the same node) and the small HTML around it is sent anew. Only a change to or from
# "no claims match" sends the whole body.
@callback(
    Output("cmp-body", "children"),
    Output("cmp-state", "data"),
    Input("url", "search"),
    State("url", "pathname"),
    State("cmp-state", "data"),
    prevent_initial_call=True,
)
def compare_for_filters(search, pathname, had_chart):
    f = filters_on("/compare", search, pathname)
    if f is None:
        return no_update, no_update
    parts = compare_parts(reader(), f)
    note = wider_note(reader(), f)
    if parts is None or not had_chart:
        return body(f, parts, note), parts is not None
    set_props("cmp-chart", {"figure": parts["figure"]})
    for box in ("cmp-top", "cmp-divergence", "cmp-table-box", "cmp-filters"):
        set_props(box, {"children": parts[box]})
    set_props("cmp-wider-box", {"children": note})
    return no_update, True


def kind_switch(place: dict) -> html.Div:
    """The visible stock/flow switch: new figures (flows), totals (stocks), or both side by side."""
    counts = {"flow": place.get("n_flow", 0), "stock": place.get("n_stock", 0)}
    counts["both"] = counts["flow"] + counts["stock"]
    options = [{"label": f"{KIND_LABELS[k].capitalize()} ({counts[k]})", "value": k} for k in KINDS]
    return html.Div([
        html.Span("Show: ", className="small text-muted me-2"),
        dbc.RadioItems(id="cmp-kind", options=options, value=place.get("series", "flow"), inline=True,
                       className="d-inline-block small", inputClassName="me-1"),
    ], className="mb-2 kind-switch")


def series_note(place: dict):
    series, unit = place.get("series"), place.get("unit", "people")
    parts = []
    if series == "both":
        parts.append("New figures (flows: how many fled) and totals (stocks: how many are displaced) are shown side "
                     "by side, marked apart; they answer different questions and are never added.")
    elif place.get("n_other_series"):
        other = place["n_other_series"]
        kind = "totals (stocks)" if series == "stock" else "new figures (flows)"
        parts.append(f"Comparing {kind}; {other} claim{'s' if other != 1 else ''} of the other kind left out, so "
                     "that totals and new figures are not mixed: use the switch to see them.")
    if place.get("n_other_units"):
        n = place["n_other_units"]
        parts.append(f"Only claims in {unit}; {n} claim{'s' if n != 1 else ''} in another unit left out.")
    return html.P(" ".join(parts), className="small text-muted", id="cmp-series-note") if parts else None


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("cmp-kind", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def kind_chosen(kind, search):
    if kind not in KINDS or Filters.from_query(search).kind == kind:
        return no_update
    return with_search(search, kind=kind)


def divergence_summary(div) -> list:
    if div.empty:
        return [html.H2("Divergence", className="h5"),
                html.P("No month has claims from two or more organisations: nothing to compare yet.",
                       className="text-muted")]
    worst = div.loc[div["ratio"].idxmax()]
    rows = [html.Tr([
        html.Td(r.month.strftime("%b %Y")), html.Td(f"{r.n_orgs}"),
        html.Td(f"{figs.fmt_int(r.low)} ({r.low_org})"), html.Td(f"{figs.fmt_int(r.high)} ({r.high_org})"),
        html.Td(_ratio(r.ratio)), html.Td(f"{r.spread:.0%}"),
    ]) for r in div.itertuples()]
    return [
        html.H2("Divergence", className="h5"),
        html.P([f"Largest gap: {worst['month'].strftime('%B %Y')}, {worst['high_org']} said ",
                html.B(figs.fmt_int(worst["high"])), f" and {worst['low_org']} ", html.B(figs.fmt_int(worst["low"])),
                f" — {_ratio(worst['ratio'])} apart (relative spread {worst['spread']:.0%}). ",
                html.Span("Per month, each organisation's latest claim; lower bounds (\"more than\") count at their "
                          "value, so a gap can be larger than shown; word amounts (\"tens of thousands\") are left "
                          "out.", className="text-muted")]),
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in ("Month", "Orgs", "Lowest", "Highest", "Max/min",
                                                            "Spread")])), html.Tbody(rows)],
                  size="sm", striped=True, responsive=True, className="small"),
    ]


def _ratio(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.2f}×"


def claims_table(claims) -> dbc.Table:
    header = ("Organisation", "Claim", "Stock or flow", "Period", "Type", "Documents", "First reported")
    rows = [html.Tr([
        html.Td(r.org), html.Td(figs.with_unit(figs.format_value(r.value, r.value_low, r.value_high, r.qualifier),
                                               r.unit)),
        html.Td("total (stock)" if r.stock_or_flow == "stock" else "new (flow)"),
        html.Td(figs.fmt_period(r.period_start, r.period_end)), html.Td(r.source_type),
        html.Td(f"{r.n_documents}"), html.Td(figs.fmt_date(r.first_reported)),
    ]) for r in claims.itertuples()]
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in header])), html.Tbody(rows)], id="cmp-table",
                     size="sm", striped=True, hover=True, responsive=True, className="small")
