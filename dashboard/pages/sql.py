"""/sql: a read-only SQL console over the v_* views, run in the locked-down sandbox (dashboard.sql_sandbox).

Results and errors are rendered as text (grid cells, <pre>), never as HTML.
"""

from __future__ import annotations

import json

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from dashboard import sql_sandbox
from dashboard.api import to_csv

EXAMPLES = (
    ("Figures per metric", "SELECT metric, count(*) AS figures, sum(value) AS total\nFROM v_figures\n"
     "GROUP BY metric\nORDER BY figures DESC"),
    ("Displaced in Idlib by month", "SELECT date_trunc('month', period_end)::DATE AS month, max(value) AS largest,\n"
     "       count(*) AS figures\nFROM v_figures\nWHERE metric = 'displaced' AND admin1_pcode = 'SY07'\n"
     "  AND period_end IS NOT NULL\nGROUP BY month\nORDER BY month"),
    ("Claims with the most documents", "SELECT claimed_by_org, metric, value, qualifier, n_documents,\n"
     "       period_start, period_end\nFROM v_claims\nORDER BY n_documents DESC, value DESC\nLIMIT 20"),
    ("Figures with their evidence", "SELECT metric, value, quantity_text, publisher, url, evidence\n"
     "FROM v_figures\nWHERE evidence IS NOT NULL\nORDER BY published DESC\nLIMIT 50"),
    ("Source health", "SELECT source, kind, last_success, last_failure, last_error, figures\n"
     "FROM v_sources\nORDER BY source"),
)

SCHEMA_SQL = """
SELECT table_name, column_name, data_type
FROM information_schema.columns
WHERE table_schema = 'main' AND table_name LIKE 'v\\_%' ESCAPE '\\'
ORDER BY table_name, ordinal_position
"""


def layout(q: str | None = None, **_query):
    settings = _settings()
    if settings is not None and not settings.sql_enabled:
        return html.Div([
            html.H2("SQL console"),
            dbc.Alert("The SQL console is turned off on this server (DISPLACEMENT_SQL_ENABLED=false).",
                      color="secondary", id="sql-disabled"),
        ])
    return html.Div([html.H2("SQL console"), _console(q if isinstance(q, str) else EXAMPLES[0][1], settings)])


# layout= given explicitly: the page works whether Dash imports it from the pages folder or code imports it.
dash.register_page(__name__, path="/sql", name="SQL", title="SQL console", order=50, layout=layout)


def _console(query: str, settings):
    limits = (
        f"Read-only: one SELECT at a time, at most {settings.sql_row_cap:,} rows, stopped after "
        f"{settings.sql_timeout:g} s. Files, the network, extensions and settings are out of reach."
        if settings is not None else ""
    )
    return dbc.Row([
        dbc.Col([
            html.H5("Examples"),
            html.Div([
                dbc.Button(title, id={"type": "sql-example", "index": i}, color="link", size="sm",
                           className="d-block text-start p-0 mb-1")
                for i, (title, _) in enumerate(EXAMPLES)
            ]),
            html.H5("Views", className="mt-3"),
            html.Div(_schema(), id="sql-schema"),
        ], md=3),
        dbc.Col([
            html.P(limits, className="text-muted small", id="sql-limits"),
            dcc.Textarea(id="sql-query", value=query[: sql_sandbox.MAX_SQL_CHARS], spellCheck=False,
                         style={"width": "100%", "height": "11em", "fontFamily": "monospace"}),
            html.Div([
                dbc.Button("Run", id="sql-run", color="primary", className="me-2"),
                dbc.Button("Download CSV", id="sql-download-button", color="secondary", outline=True),
                html.Span(id="sql-status", className="ms-3 text-muted"),
            ], className="my-2"),
            dbc.Alert(id="sql-truncated", color="warning", is_open=False, className="py-1"),
            html.Pre(id="sql-error", className="text-danger", style={"whiteSpace": "pre-wrap"}),
            dag.AgGrid(
                id="sql-grid", rowData=[], columnDefs=[],
                # cellDataType off: no type guessing from the first row (a guessed date column blanks text).
                defaultColDef={"resizable": True, "sortable": True, "filter": True, "minWidth": 80,
                               "cellDataType": False},
                dashGridOptions={"enableCellTextSelection": True, "ensureDomOrder": True,
                                 "pagination": True, "paginationPageSize": 100},
                style={"height": "480px"},
            ),
            dcc.Store(id="sql-last-query"),
            dcc.Download(id="sql-download"),
        ], md=9),
    ])


def _schema():
    """The columns of every v_* view, read through the app's ordinary read-only reader."""
    reader = _config("DISPLACEMENT_READER")
    if reader is None:
        return html.P("The schema is not available.", className="text-muted")
    try:
        _, rows = reader.query(SCHEMA_SQL)
    except Exception as exc:  # noqa: BLE001 - e.g. no warehouse yet; shown as text
        return html.P(f"The schema is not available: {exc}", className="text-muted")
    views: dict[str, list] = {}
    for table, column, kind in rows:
        views.setdefault(table, []).append(html.Li([html.Code(column), " ", html.Small(kind, className="text-muted")]))
    return [
        html.Details([html.Summary(html.Code(name)), html.Ul(columns, className="small ps-3")])
        for name, columns in views.items()
    ]


@callback(
    Output("sql-query", "value"),
    Input({"type": "sql-example", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def fill_example(clicks):
    if not ctx.triggered_id or not any(clicks):
        return no_update
    return EXAMPLES[ctx.triggered_id["index"]][1]


@callback(
    Output("sql-grid", "rowData"),
    Output("sql-grid", "columnDefs"),
    Output("sql-error", "children"),
    Output("sql-status", "children"),
    Output("sql-truncated", "children"),
    Output("sql-truncated", "is_open"),
    Output("sql-last-query", "data"),
    Input("sql-run", "n_clicks"),
    State("sql-query", "value"),
    prevent_initial_call=True,
    running=[(Output("sql-run", "disabled"), True, False)],
)
def run_query(clicks, query):
    return run_console(_settings(), query, clicks or 0)


def run_console(settings, query: str | None, run_id: int = 0):
    """(rowData, columnDefs, error, status, truncated text, truncated shown, last query) for one run.

    Fields are named per run (r3c0, r3c1…): a new result never inherits the sort, filter or width of the last.
    """
    if settings is None:
        return [], [], "The server has no settings for the SQL console.", "", "", False, None
    try:
        result = sql_sandbox.run(settings, query or "")
    except sql_sandbox.SqlError as exc:
        return [], [], str(exc), "", "", False, None
    fields = [f"r{run_id}c{i}" for i in range(len(result.columns))]
    columns = [
        {"field": field, "headerName": name, "headerTooltip": kind}
        for field, name, kind in zip(fields, result.columns, result.types, strict=True)
    ]
    rows = [{field: _cell(v) for field, v in zip(fields, row, strict=True)} for row in result.rows]
    status = f"{len(rows):,} row{'s' if len(rows) != 1 else ''} in {result.seconds:.2f} s"
    truncated = (
        f"Only the first {len(rows):,} rows are shown: the result has more. Add LIMIT, WHERE or GROUP BY."
        if result.truncated else ""
    )
    return rows, columns, "", status, truncated, result.truncated, query


@callback(
    Output("sql-download", "data"),
    Output("sql-status", "children", allow_duplicate=True),
    Input("sql-download-button", "n_clicks"),
    State("sql-last-query", "data"),
    State("sql-query", "value"),
    prevent_initial_call=True,
)
def download(_clicks, last_query, query):
    settings = _settings()
    if settings is None:
        return no_update, "No download: the server has no settings for the SQL console."
    try:
        result = sql_sandbox.run(settings, last_query or query or "")
    except sql_sandbox.SqlError as exc:
        return no_update, f"No download: {exc}"
    return dcc.send_string(to_csv(result.columns, result.rows), "query.csv", type="text/csv"), no_update


def _cell(value):
    # Lists and structs as JSON text: the grid shows every value as text.
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def _config(key: str):
    try:
        return current_app.config.get(key)
    except RuntimeError:  # outside a request: no app to ask
        return None


def _settings():
    return _config("DISPLACEMENT_SETTINGS")
