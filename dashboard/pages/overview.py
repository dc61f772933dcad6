"""/ : headline numbers for the current filters, and a trend per metric with one line per organisation."""

from __future__ import annotations

import hashlib
import json

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, callback, dcc, html, no_update, set_props

from dashboard import figures as figs
from dashboard import pages, queries, wider
from dashboard.filters import METRIC_LABELS, Filters
from dashboard.pages import LATEST_RULE, describe_filters, graph, guarded, page_header, reader

dash.register_page(__name__, path="/", name="Overview", title="Overview · Displacement figures", order=0)

# (metric, kind) -> card and chart title. kind splits displaced into stock and new (flow).
SERIES = {
    ("displaced", "stock"): "People displaced (total)",
    ("displaced", "flow"): "Newly displaced",
    ("killed", ""): "People killed",
    ("injured", ""): "People injured",
}


def series_title(metric: str, kind: str, unit: str = "people") -> str:
    title = SERIES.get((metric, kind)) or f"People {METRIC_LABELS.get(metric, metric)}"
    if unit and unit != "people":
        title = title.replace("People ", "").replace("People", "").strip().capitalize() + f" (in {unit})"
    return title


def series_keys(f: Filters, rows=None) -> list[tuple[str, str, str]]:
    """(metric, kind, unit) of each card (rows: the headlines) or chart (rows: the trend): the main series in people
    (or the unit filtered on), then any series the figures report in another unit, kept apart."""
    if f.metric == "displaced":
        base = [("displaced", "stock"), ("displaced", "flow")]
    elif f.metric:
        base = [(f.metric, "")]
    else:
        base = list(SERIES)
    unit = f.unit or "people"
    keys = [(m, k, unit) for m, k in base]
    if rows is not None and not rows.empty:
        for key in zip(rows["metric"], rows["kind"], rows["unit"], strict=True):
            if key[:2] in base and key not in keys:
                keys.append(key)
    return keys


@guarded
def layout(**query):
    if pages.search_changed_only():
        return dash.no_update  # same page, new filters: cards_for_filters and charts_for_filters redraw what changed
    f = Filters.from_query(query)
    r = reader()
    heads, trend = queries.overview(r, f)
    as_of = queries.data_as_of(r).get("last_success")
    charts = trend_charts(f, trend, as_of, series_keys(f, trend))
    return html.Div([
        html.Div(header(f), id="ov-header"),
        html.P(LATEST_RULE, className="small text-muted latest-rule", id="ov-latest-rule"),
        html.Div(wider.note(r, f, "ov-wider"), id="ov-wider-box"),
        dbc.Row(cards(series_keys(f, heads), heads), className="g-3", id="ov-cards"),
        dbc.Row(charts, className="g-3", id="ov-trends"),
        dcc.Store(id="ov-shown", data=shown(charts)),
    ], id="ov-page")


def header(f: Filters):
    return page_header("Overview", f"Latest figures for {describe_filters(f)}")


def cards(keys, heads) -> list:
    rows = {(row["metric"], row["kind"], row["unit"]): row for row in heads.to_dict("records")}
    return [dbc.Col(headline_card(key, rows.get(key)), xs=12, sm=6, lg=3, className="mb-3") for key in keys]


def shown(charts: list) -> list[list]:
    """[slug, digest of its figure, shown?] per chart on the page: what a filter change compares against."""
    return [[col.id.removeprefix("ov-col-"), _digest(col.children.figure), True] for col in charts]


def _digest(fig: dict) -> str:
    """Of a plain figure (figs.plain_figure), template left out: it is the same for all."""
    layout = {k: v for k, v in fig["layout"].items() if k != "template"}
    return hashlib.sha1(json.dumps([fig["data"], layout], default=_plain).encode()).hexdigest()


def _plain(value):
    """For json.dumps: a trend's arrays as lists (str() would elide the middle of a long one)."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


# A filter change on this page leaves it standing: the router's layout() answers no_update (search_changed_only)
# and these callbacks send only what changed, each with its own query, side by side. Cards are small HTML and are
# sent whole. Charts are kept: one whose figure changed gets the new figure (set_props: Plotly redraws it in place),
# one no longer wanted is hidden, one hidden earlier comes back, and only a chart never shown on this page is added
# to #ov-trends (a Patch). Dash mounts every child anew when a children prop changes, so that last case redraws the
# other charts too.
@callback(
    Output("ov-header", "children"),
    Output("ov-cards", "children"),
    Input("url", "search"),
    State("url", "pathname"),
    prevent_initial_call=True,
)
def cards_for_filters(search, pathname):
    f = pages.filters_on("/", search, pathname)
    if f is None:
        return no_update, no_update
    heads = queries.headlines(reader(), f)  # the cards' own query, run alongside the charts' (overview_trend.sql)
    return header(f), cards(series_keys(f, heads), heads)


@callback(Output("ov-wider-box", "children"), Input("url", "search"), State("url", "pathname"),
          prevent_initial_call=True)
def wider_for_filters(search, pathname):
    f = pages.filters_on("/", search, pathname)
    return no_update if f is None else wider.note(reader(), f, "ov-wider")


@callback(
    Output("ov-trends", "children"),
    Output("ov-shown", "data"),
    Input("url", "search"),
    State("url", "pathname"),
    State("ov-shown", "data"),
    prevent_initial_call=True,
)
def charts_for_filters(search, pathname, before):
    f = pages.filters_on("/", search, pathname)
    if f is None:
        return no_update, no_update
    r = reader()
    trend = queries.trend(r, f)  # the series charted are the trend's own: no wait for the cards' query
    charts = trend_charts(f, trend, queries.data_as_of(r).get("last_success"), series_keys(f, trend))
    patch, after, updates = chart_changes(before or [], charts)
    for cid, props in updates:
        set_props(cid, props)
    return patch, after


HIDDEN = {"display": "none"}


def chart_changes(before: list, charts: list) -> tuple:
    """(Patch of #ov-trends' children or no_update, the new shown list, [(component id, props)] to set) for going
    from the charts shown `before` to `charts`."""
    wanted = {col.id.removeprefix("ov-col-"): col for col in charts}
    after, updates, added = [], [], []
    for slug, digest, visible in before:
        col = wanted.pop(slug, None)
        if col is None:
            if visible:
                updates.append((f"ov-col-{slug}", {"style": HIDDEN}))
            after.append([slug, digest, False])
            continue
        new_digest = _digest(col.children.figure)
        if not visible:
            updates.append((f"ov-col-{slug}", {"style": None}))
        if new_digest != digest:
            updates.append((f"ov-trend-{slug}", {"figure": col.children.figure}))
        after.append([slug, new_digest, True])
    for slug, col in wanted.items():
        added.append(col)
        after.append([slug, _digest(col.children.figure), True])
    if not added:
        return no_update, after, updates
    patch = Patch()
    patch.extend(added)
    return patch, after, updates


def _card_id(metric: str, kind: str, unit: str) -> str:
    return f"ov-card-{metric}-{kind or 'all'}" + ("" if unit == "people" else f"-{unit}")


def headline_card(key: tuple[str, str, str], row: dict | None) -> dbc.Card:
    """The card of series `key`; row: its headline (a record of queries.headlines), None when it has no figures."""
    metric, kind, unit = key
    title = html.Div(series_title(metric, kind, unit), className="card-label")
    if row is None:
        return dbc.Card(dbc.CardBody([title, html.Div("–", className="headline"),
                                      html.Div("No figures for these filters", className="small text-muted")]),
                        className="h-100 headline-card", id=_card_id(metric, kind, unit))
    value = figs.format_value(row["value"], row["value_low"], row["value_high"], row["qualifier"],
                              row["quantity_text"])
    return dbc.Card(dbc.CardBody([
        title,
        html.Div([value, " ", html.Span(unit, className="unit")], className="headline"),
        html.Div([html.Span(row["org"] or "unattributed", className="fw-semibold"), " · ",
                  figs.fmt_date(row["ref_date"])], className="small"),
        html.Div([f"latest of {int(row['n_figures']):,} figure{'s' if row['n_figures'] != 1 else ''} from "
                  f"{int(row['n_orgs']):,} organisation{'s' if row['n_orgs'] != 1 else ''} · ",
                  dcc.Link("evidence", href=f"/figures?figure={row['figure_id']}")],
                 className="small text-muted"),
    ]), className="h-100 headline-card", id=_card_id(metric, kind, unit))


def trend_charts(f: Filters, trend, as_of, keys) -> list:
    """A chart per series key; trend: queries.trend, one row per line."""
    if trend.empty:
        return [dbc.Col(graph("ov-trend-empty", figs.empty_spec("Trends", "No dated figures for these filters"),
                              "trend"), xs=12, id="ov-col-empty")]
    lines = trend.to_dict("records")
    figures_per_org: dict = {}
    for line in lines:
        figures_per_org[line["org"]] = figures_per_org.get(line["org"], 0) + line["n"]
    order = sorted(figures_per_org, key=lambda org: -figures_per_org[org])
    # One colour per organisation across the page while the palette has enough; else distinct within each chart.
    page_colours = figs.colour_map(order) if len(order) <= len(figs.OKABE_ITO) else None
    parts: dict = {}
    for line in lines:
        parts.setdefault((line["metric"], line["kind"], line["unit"]), []).append(line)
    cols = []
    for metric, kind, unit in keys:
        part = parts.get((metric, kind, unit))
        title = series_title(metric, kind, unit)
        if part is None:
            fig = figs.empty_spec(title, "No dated figures for these filters")
        else:
            note = "largest figure per organisation and month"
            if part[0]["n_orgs"] > len(part):
                note += f"; {len(part)} of {part[0]['n_orgs']} organisations shown"
            first = min(line["months"][0] for line in part)
            last = max(line["months"][-1] for line in part)
            cap = figs.caption([line["org"] for line in part], first, last, as_of, note)
            full = title if f.is_empty() else f"{title} · {describe_filters(f)}"
            fig = figs.trend_spec([(line["org"], line["months"], line["values"]) for line in part], full, cap,
                                  page_colours, unit)
        slug = f"{metric}-{kind or 'all'}" + ("" if unit == "people" else f"-{unit}")
        cols.append(dbc.Col(graph(f"ov-trend-{slug}", fig, f"trend-{slug}"), xs=12, lg=6, id=f"ov-col-{slug}"))
    return cols
