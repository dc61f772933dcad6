"""/ : headline numbers for the current filters, and a trend per metric with one line per organisation."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import figures as figs
from dashboard import queries
from dashboard.filters import METRIC_LABELS, Filters
from dashboard.pages import describe_filters, graph, guarded, page_header, reader

dash.register_page(__name__, path="/", name="Overview", title="Overview · Displacement figures", order=0)

# (metric, kind) -> card and chart title. kind splits displaced into stock and new (flow).
SERIES = {
    ("displaced", "stock"): "People displaced (total)",
    ("displaced", "flow"): "Newly displaced",
    ("killed", ""): "People killed",
    ("injured", ""): "People injured",
}


def series_title(metric: str, kind: str) -> str:
    return SERIES.get((metric, kind)) or f"People {METRIC_LABELS.get(metric, metric)}"


def series_keys(f: Filters) -> list[tuple[str, str]]:
    if f.metric == "displaced":
        return [("displaced", "stock"), ("displaced", "flow")]
    if f.metric:
        return [(f.metric, "")]
    return list(SERIES)


@guarded
def layout(**query):
    f = Filters.from_query(query)
    r = reader()
    heads, trend = queries.overview(r, f)
    as_of = queries.data_as_of(r).get("last_success")
    return html.Div([
        page_header("Overview", f"Latest figures for {describe_filters(f)}"),
        dbc.Row([dbc.Col(headline_card(key, heads), xs=12, sm=6, lg=3, className="mb-3")
                 for key in series_keys(f)], className="g-3", id="ov-cards"),
        dbc.Row(trend_charts(f, trend, as_of), className="g-3", id="ov-trends"),
    ])


def headline_card(key: tuple[str, str], heads) -> dbc.Card:
    metric, kind = key
    row = None
    if not heads.empty:
        match = heads[(heads["metric"] == metric) & (heads["kind"] == kind)]
        row = match.iloc[0] if not match.empty else None
    title = html.Div(series_title(metric, kind), className="card-label")
    if row is None:
        return dbc.Card(dbc.CardBody([title, html.Div("–", className="headline"),
                                      html.Div("No figures for these filters", className="small text-muted")]),
                        className="h-100 headline-card", id=f"ov-card-{metric}-{kind or 'all'}")
    value = figs.format_value(row["value"], row["value_low"], row["value_high"], row["qualifier"],
                              row["quantity_text"])
    return dbc.Card(dbc.CardBody([
        title,
        html.Div(value, className="headline"),
        html.Div([html.Span(row["org"] or "unattributed", className="fw-semibold"), " · ",
                  figs.fmt_date(row["ref_date"])], className="small"),
        html.Div([f"latest of {int(row['n_figures']):,} figure{'s' if row['n_figures'] != 1 else ''} from "
                  f"{int(row['n_orgs']):,} organisation{'s' if row['n_orgs'] != 1 else ''} · ",
                  dcc.Link("evidence", href=f"/figures?figure={row['figure_id']}")],
                 className="small text-muted"),
    ]), className="h-100 headline-card", id=f"ov-card-{metric}-{kind or 'all'}")


def trend_charts(f: Filters, trend, as_of) -> list:
    if trend.empty:
        return [dbc.Col(graph("ov-trend-empty", figs.empty_figure("Trends", "No dated figures for these filters"),
                              "trend"), xs=12)]
    order = trend.groupby("org")["n"].sum().sort_values(ascending=False).index
    # One colour per organisation across the page while the palette has enough; else distinct within each chart.
    page_colours = figs.colour_map(order) if len(order) <= len(figs.OKABE_ITO) else None
    cols = []
    for metric, kind in series_keys(f):
        part = trend[(trend["metric"] == metric) & (trend["kind"] == kind)]
        title = series_title(metric, kind)
        if part.empty:
            fig = figs.empty_figure(title, "No dated figures for these filters")
        else:
            n_orgs = int(part["n_orgs"].iloc[0])
            shown = part["org"].nunique()
            note = "largest figure per organisation and month"
            if n_orgs > shown:
                note += f"; {shown} of {n_orgs} organisations shown"
            cap = figs.caption(part["org"], part["month"].min(), part["month"].max(), as_of, note)
            full = title if f.is_empty() else f"{title} · {describe_filters(f)}"
            fig = figs.trend_figure(part, full, cap, page_colours)
        slug = f"{metric}-{kind or 'all'}"
        cols.append(dbc.Col(graph(f"ov-trend-{slug}", fig, f"trend-{slug}"), xs=12, lg=6))
    return cols
