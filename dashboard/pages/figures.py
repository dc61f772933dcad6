"""/figures: every figure in a sortable, filterable grid, paged from the server (AG Grid's infinite row model),
with CSV and Excel downloads of what the grid shows (capped; dashboard/export_route.py streams them). Rows link
to their document."""

from __future__ import annotations

from datetime import date, datetime

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import export_route, queries
from dashboard import figures as figs
from dashboard.filters import Filters
from dashboard.pages import describe_filters, guarded, page_header, reader
from etl.warehouse import WarehouseError

dash.register_page(__name__, path="/figures", name="Figures", title="Figures · Displacement figures", order=3)

PAGE_SIZE = 100
_TEXT = {"filter": "agTextColumnFilter",
         "filterParams": {"filterOptions": ["contains", "equals", "startsWith"], "maxNumConditions": 1,
                          "buttons": ["reset"]}}
COLUMNS = [
    {"field": "metric", "headerName": "Metric", "minWidth": 110, **_TEXT},
    {"field": "value", "headerName": "Value or interval", "minWidth": 170, "type": "rightAligned",
     "valueFormatter": {"function": "params.data ? params.data.value_text : ''"},
     "filter": "agNumberColumnFilter",
     "filterParams": {"filterOptions": ["equals", "greaterThanOrEqual", "lessThanOrEqual", "inRange"],
                      "maxNumConditions": 1, "buttons": ["reset"]}},
    {"field": "unit", "headerName": "Unit", "minWidth": 100, "filter": False, "sortable": False},
    {"field": "stock_or_flow", "headerName": "Stock or flow", "minWidth": 110, "filter": False, "sortable": False},
    {"field": "qualifier", "headerName": "Qualifier", "minWidth": 110, **_TEXT},
    {"field": "claimed_by_org", "headerName": "Who claims it", "minWidth": 170, **_TEXT},
    {"field": "place", "headerName": "Place", "minWidth": 130, **_TEXT},
    {"field": "period_end", "headerName": "Period", "minWidth": 190, "filter": False,
     "valueFormatter": {"function": "params.data ? params.data.period_text : ''"}},
    {"field": "publisher", "headerName": "Publisher", "minWidth": 130, **_TEXT},
    {"field": "title", "headerName": "Document", "minWidth": 240, "cellRenderer": "DocLink", **_TEXT},
    {"field": "published", "headerName": "Published", "minWidth": 120, "filter": False},
    {"field": "review_status", "headerName": "Review", "minWidth": 110, "filter": False, "sortable": False},
]


@guarded
def layout(**query):
    f = Filters.from_query(query)
    queries.data_as_of(reader())  # no warehouse: say so now rather than in an empty grid
    figure = (query.get("figure") or "")[:64] or None
    store = {"filters": f.to_query(), "figure": figure}
    banner = None
    if figure:
        banner = html.Div([dbc.Alert(["Showing one figure (", html.Code(figure), "). ",
                                      dcc.Link("Show all figures", href="/figures" + f.to_query())],
                                     color="info", className="py-2 small", id="fig-one"),
                           record_card(queries.figure_record(reader(), figure))])
    return html.Div([
        page_header("Figures", f"Every figure for {describe_filters(f)}; sort and filter in the column headers."),
        scope_line(f),
        banner,
        dcc.Store(id="fig-state", data=store),
        dbc.Row([
            dbc.Col(html.Div(id="fig-count", className="small text-muted"), className="align-self-center"),
            dbc.Col([
                # Plain links to a streaming Flask route (dashboard/export_route.py): the browser shows the
                # download's progress; the links follow the grid's sort and column filters.
                html.A("CSV", id="fig-csv", href=export_route.href("csv", f, figure), download="",
                       className="btn btn-outline-secondary btn-sm me-2",
                       title=f"Download up to {queries.EXPORT_CAP['csv']:,} rows as CSV (with an HXL row)"),
                html.A("Excel", id="fig-xlsx", href=export_route.href("xlsx", f, figure), download="",
                       className="btn btn-outline-secondary btn-sm",
                       title=f"Download up to {queries.EXPORT_CAP['xlsx']:,} rows as Excel (with an HXL row)"),
            ], width="auto"),
        ], className="mb-2"),
        dag.AgGrid(
            id="fig-grid",
            columnDefs=COLUMNS,
            defaultColDef={"sortable": True, "resizable": True, "floatingFilter": False, "flex": 1},
            rowModelType="infinite",
            dashGridOptions={"pagination": True, "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
                             "paginationPageSizeSelector": False, "maxBlocksInCache": 5, "rowBuffer": 0,
                             "infiniteInitialRowCount": 1, "animateRows": False},
            style={"height": "70vh", "minHeight": "420px"},
            className="ag-theme-quartz",
        ),
    ])


def scope_line(f: Filters):
    """With scope=wider (the link of a region's note on wider areas, dashboard/wider.py): what the grid lists, and
    the way back to all figures."""
    if f.scope != "wider":
        return None
    country = (queries.place(reader(), f.country) or {}).get("name") if f.country else None
    where = f"of {country}" if country else "of each country"
    everything = "/figures" + f.with_(scope=None).to_query()
    return dbc.Alert([f"Figures for wider areas {where}, not tagged to one region; Place gives each area as written. ",
                      dcc.Link("Show all figures", href=everything)],
                     color="info", className="py-2 small", id="fig-scope")


@callback(
    Output("fig-grid", "getRowsResponse"),
    Output("fig-count", "children"),
    Input("fig-grid", "getRowsRequest"),
    State("fig-state", "data"),
)
def rows(request, state):
    if not request:
        return no_update, no_update
    f, figure = grid_filters(state)
    try:
        df, total = queries.figure_rows(reader(), f, request.get("startRow", 0), request.get("endRow", PAGE_SIZE),
                                        request.get("sortModel"), request.get("filterModel"), figure)
    except WarehouseError as err:
        return {"rowData": [], "rowCount": 0}, str(err)
    return {"rowData": grid_records(df), "rowCount": total}, f"{total:,} figures"


@callback(
    Output("fig-csv", "href"),
    Output("fig-xlsx", "href"),
    Input("fig-grid", "getRowsRequest"),
    State("fig-state", "data"),
    prevent_initial_call=True,
)
def export_links(request, state):
    """The download links follow the grid's sort and column filters."""
    request = request or {}
    f, figure = grid_filters(state)
    return tuple(export_route.href(fmt, f, figure, request.get("sortModel"), request.get("filterModel"))
                 for fmt in ("csv", "xlsx"))


def grid_filters(state: dict | None) -> tuple[Filters, str | None]:
    """(filters, one figure's id or None) of the grid, from the fig-state store layout() filled."""
    state = state or {}
    return Filters.from_query(state.get("filters")), state.get("figure")


def record_card(rec: dict | None):
    """A figure's citation, quoted words and source record, readable offline (curated and dataset figures have
    no document to open). Every value is shown as text."""
    if rec is None:
        return None
    value = figs.with_unit(figs.format_value(rec["value"], rec["value_low"], rec["value_high"], rec["qualifier"],
                                             rec["quantity_text"]), rec["unit"])
    who = rec["claimed_by_org"] or rec["claimed_by"] or "unattributed"
    citation = [rec["publisher"], figs.fmt_date(rec["published"]), rec["title"]]
    link = rec["url"] if isinstance(rec["url"], str) and rec["url"].startswith(("http://", "https://")) else None
    fields = [("source", rec["source"]), ("dataset", rec["dataset"]), ("record", rec["record_id"]),
              ("document", rec["doc_id"]), ("claimed by (as written)", rec["claimed_by"]),
              ("place (as written)", rec["location_text"]),
              ("codes", " / ".join(c for c in (rec["country_iso3"], rec["admin1_pcode"], rec["admin2_pcode"]) if c)),
              ("period", figs.fmt_period(rec["period_start"], rec["period_end"])),
              ("stock or flow", rec["stock_or_flow"]), ("load", rec["load_id"]), ("figure id", rec["figure_id"])]
    return dbc.Card(dbc.CardBody([
        html.H2([value, f" {rec['metric'].replace('_', ' ')} · {rec['place'] or rec['location_text'] or ''}"],
                className="h5"),
        html.P([html.B(who), " · cited from ", " · ".join(c for c in citation if c and c != "–") or "no citation"],
               className="mb-1"),
        html.P(["Address: ", html.A(link, href=link, target="_blank", rel="noopener noreferrer nofollow")
                if link else "none recorded"], className="small mb-2"),
        html.Blockquote([html.Span(f"“{rec['quantity_text']}”", className="fw-semibold") if rec["quantity_text"]
                         else None, html.Div(rec["evidence"] or "No sentence or note recorded.")],
                        className="record-quote"),
        html.Dl([item for k, v in fields if v not in (None, "", "–")
                 for item in (html.Dt(k), html.Dd(str(v)))], className="record-fields small mb-0"),
    ]), id="fig-record", className="mb-3")


def grid_records(df: pd.DataFrame) -> list[dict]:
    """Rows for the grid: JSON-safe values plus the formatted value and period."""
    out = []
    for row in queries._records(df):
        row["value_text"] = figs.with_unit(figs.format_value(row["value"], row["value_low"], row["value_high"],
                                                             row["qualifier"], row["quantity_text"]), row["unit"])
        row["period_text"] = figs.fmt_period(row["period_start"], row["period_end"])
        out.append({k: _json(v) for k, v in row.items()})
    return out


def _json(value):
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()[:10]
    if hasattr(value, "item"):
        return value.item()
    return value
