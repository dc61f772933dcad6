"""create_app(settings): the Dash app, its shell (navigation, filter bar) and its resources.

Everything is served from this process: Dash's own JS (serve_locally), Bootstrap's CSS from assets/, charts
drawn from the warehouse. Filters live in the URL query string; the filter bar and the URL are kept in sync by
one callback, and every page re-renders from `layout(**query)` when the query string changes.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash import _callback as dash_callback_registry

from dashboard import api, auth, export_route, filters, limits, queries, review_api, sql_sandbox, weight
from dashboard.figures import fmt_date
from dashboard.filters import METRIC_LABELS, SOURCE_TYPES, Filters, with_search
from etl.resources import bundled
from etl.settings import Settings
from etl.warehouse import WarehouseError, reader_for

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ASSETS = bundled("assets")
PAGES = HERE / "pages"

NAV = [("Overview", "/"), ("Compare sources", "/compare"), ("Regions", "/regions"), ("Figures", "/figures"),
       ("Review", "/review"), ("Sources", "/sources"), ("SQL", "/sql")]
# Pages where the filter bar means nothing.
NO_FILTER_BAR = ("/sources", "/sql", "/documents")
FILTER_KEYS = ("country", "admin1", "admin2", "metric", "start", "end", "source_type", "org")


def _parent_pcode(reader, pcode: str) -> str | None:
    rows = reader.query("SELECT parent_pcode FROM v_places WHERE pcode = ? AND admin_level = 2", [pcode])[1]
    return rows[0][0] if rows else None


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or Settings.from_env()
    reader = reader_for(settings)
    # Dash imports the page modules anew for each app; forget callbacks a previous app in this process left behind.
    dash_callback_registry.GLOBAL_CALLBACK_LIST.clear()
    dash_callback_registry.GLOBAL_CALLBACK_MAP.clear()
    app = dash.Dash(
        "dashboard",  # the package: pages import as dashboard.pages.<name>, the same modules tests import
        use_pages=True,
        pages_folder=str(PAGES),
        assets_folder=str(ASSETS),
        # plotly.js bundles (assets/plotly/): each page's index names the one it needs (dashboard/weight.py)
        assets_ignore=r"^plotly-(basic|map)\.min\.js$",
        serve_locally=True,
        compress=True,  # gzip (flask-compress): plotly.js 4.8 MB -> 1.5 MB for weak connections
        external_stylesheets=[],  # Bootstrap 5.3 (dbc's theme) ships in assets/bootstrap.min.css: no CDN
        external_scripts=[],
        suppress_callback_exceptions=True,
        title="Displacement figures",
        include_pages_meta=False,  # no og:/twitter: tags with absolute URLs
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                   weight.lazy_grid()],  # dash-ag-grid loads only on pages with a grid (assets/lazy-grid.js)
    )
    weight.install(app, ASSETS)
    app.settings = settings
    app.reader = reader
    filters.set_parent_lookup(lambda code: _parent_pcode(reader, code))
    app.server.config["DISPLACEMENT_SETTINGS"] = settings
    app.server.config["DISPLACEMENT_READER"] = reader
    app.server.config["DISPLACEMENT_RESTRICTED"] = settings.restricted  # exports leave out no-redistribution sources
    app.layout = lambda: shell(reader, settings.sql_enabled)
    _register_shell_callbacks(app, reader)
    _adopt_page_callbacks(app)

    auth.install(app.server, settings)
    limits.install(app, settings)
    api.register(app.server, settings, reader)
    review_api.register(app.server, settings, reader)
    export_route.register(app.server, settings, reader)

    warm = Warmer(reader)

    def close_resources():
        warm.stop.set()
        warm.join(timeout=60)  # DuckDB refuses to close a connection that is busy
        reader.close()
        sql_sandbox.shutdown()

    app.close_resources = close_resources
    warm.start()
    weight.warm_up(app)
    return app


def _adopt_page_callbacks(app: dash.Dash) -> None:
    """Take the pages' dash.callback registrations now, so two apps in one process never share or lose them."""
    for key in list(dash_callback_registry.GLOBAL_CALLBACK_MAP):
        app.callback_map[key] = dash_callback_registry.GLOBAL_CALLBACK_MAP.pop(key)
    app._callback_list.extend(dash_callback_registry.GLOBAL_CALLBACK_LIST)
    dash_callback_registry.GLOBAL_CALLBACK_LIST.clear()


class Warmer(threading.Thread):
    """Fills the query cache for the filter bar and the unfiltered pages at start and after each publish, so
    that landing on the app never waits for a full scan of a large warehouse."""

    def __init__(self, reader, every: float = 30.0):
        super().__init__(daemon=True, name="dashboard-cache-warmer")
        self.reader, self.every, self.stop = reader, every, threading.Event()

    def run(self) -> None:
        done = None
        while not self.stop.is_set():
            try:
                stamp = queries.file_stamp(self.reader)
                if stamp != done:
                    warm(self.reader)
                    done = stamp
            except Exception as err:  # no warehouse yet, or one being replaced: try again later
                log.info("cache warm-up skipped: %s", err)
            self.stop.wait(self.every)


def warm(reader) -> None:
    queries.filter_options(reader)
    queries.data_as_of(reader)
    queries.overview(reader, Filters())
    queries.region_values(reader, Filters())
    queries.compare(reader, Filters())


# ---- the shell ----------------------------------------------------------------------------------------------------

def shell(reader, sql_enabled: bool = True) -> html.Div:
    try:
        options = queries.filter_options(reader)
        as_of = (options.get("max_date"), queries.data_as_of(reader).get("last_success"))
        notice = None
    except WarehouseError as err:
        options = {"countries": [], "admin1": [], "metrics": [], "orgs": [], "min_date": None, "max_date": None}
        as_of, notice = None, dbc.Alert(str(err), color="warning", className="mt-2")
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        navbar(as_of, sql_enabled),
        dbc.Container([notice, filter_bar(options), dash.page_container], fluid="xl", className="pb-4"),
        html.Footer(dbc.Container([
            "Figures as reported by each source, not verified counts. ",
            "Boundaries and names do not imply official endorsement or acceptance by the United Nations.",
        ], fluid="xl"), className="site-footer"),
    ])


def navbar(as_of, sql_enabled: bool = True) -> dbc.Navbar:
    # /regions is loaded afresh: its map needs the larger plotly.js bundle (dashboard/weight.py).
    links = [dbc.NavItem(dbc.NavLink(label, href=path, id=f"nav-{_slug(path)}", active="exact",
                                     external_link=path == "/regions"),
                         className="d-none" if path == "/sql" and not sql_enabled else None)
             for label, path in NAV]
    return dbc.Navbar(
        dbc.Container([
            html.A([html.Img(src=dash.get_asset_url("logo.svg"), height="28", alt=""),
                    html.Span("Displacement figures", className="ms-2")], href="/", className="navbar-brand"),
            dbc.NavbarToggler(id="nav-toggle"),
            dbc.Collapse(dbc.Nav(links, navbar=True, className="me-auto"), id="nav-collapse", navbar=True),
            html.Span(freshness(*as_of) if as_of else "", className="navbar-text small as-of", id="as-of"),
        ], fluid="xl"),
        color="dark", dark=True, expand="lg", className="mb-3",
    )


def freshness(latest_figure, last_refresh) -> str:
    """'latest figure: 27 Mar 2020 · last refresh: 01 Dec 2026': how old the data is, not only the load."""
    return (f"latest figure: {fmt_date(latest_figure) if latest_figure else 'none'} · "
            f"last refresh: {fmt_date(last_refresh) if last_refresh else 'never'}")


def _slug(path: str) -> str:
    return path.strip("/") or "overview"


def filter_bar(options: dict) -> html.Div:
    countries = [{"label": f"{c['name']} ({c['code']})", "value": c["code"]} for c in options["countries"]]
    admin1 = admin1_choices(options["admin1"])
    metrics = [{"label": METRIC_LABELS.get(m, m), "value": m} for m in options["metrics"]]
    orgs = [{"label": o, "value": o} for o in options["orgs"]]
    types = [{"label": f"{t}s", "value": t} for t in SOURCE_TYPES]

    def col(label, control, **width):
        return dbc.Col([dbc.Label(label, html_for=control.id, className="small text-muted mb-0"), control],
                       xs=12, sm=6, **width)

    row = dbc.Row([
        col("Country", dcc.Dropdown(id="flt-country", options=countries, placeholder="All countries"), md=4, lg=2),
        col("Region (admin 1)", dcc.Dropdown(id="flt-admin1", options=admin1, placeholder="All regions"),
            md=4, lg=2),
        col("Metric", dcc.Dropdown(id="flt-metric", options=metrics, placeholder="Main metrics"), md=4, lg=2),
        # Any date can be picked or typed (a period may start before the first dated figure); the calendar opens
        # on the newest figure's month.
        col("Period", dcc.DatePickerRange(
            id="flt-dates", initial_visible_month=options["max_date"], display_format="D MMM YYYY", clearable=True,
            start_date_placeholder_text="From", end_date_placeholder_text="To"), md=6, lg=3),
        col("Type", dcc.Dropdown(id="flt-source-type", options=types, placeholder="All"), md=3, lg=1),
        col("Organisation", dcc.Dropdown(id="flt-org", options=orgs, placeholder="All organisations"), md=3, lg=2),
        dbc.Col(dcc.Link(id="flt-rejected", href="?rejected=show", className="small"), xs=12),
    ], className="g-2")
    # On a phone the bar folds behind one button, so the first screen shows figures; from 992 px it is always open.
    toggle = html.Button([html.Span("Filters", className="fw-semibold"), html.Span(id="flt-summary",
                                                                                     className="ms-2 text-muted")],
                         id="flt-toggle", className="btn btn-sm btn-outline-secondary w-100 text-start d-lg-none",
                         **{"aria-controls": "flt-collapse", "aria-expanded": "false"})
    return html.Div([toggle, dbc.Collapse(row, id="flt-collapse", is_open=False, className="filter-collapse")],
                    id="filter-bar", className="filter-bar mb-3")


def _register_shell_callbacks(app: dash.Dash, reader) -> None:
    controls = [("flt-country", "value"), ("flt-admin1", "value"), ("flt-metric", "value"),
                ("flt-dates", "start_date"), ("flt-dates", "end_date"), ("flt-source-type", "value"),
                ("flt-org", "value")]

    @app.callback(
        Output("url", "search"),
        [Output(i, p) for i, p in controls],
        Input("url", "search"),
        [Input(i, p) for i, p in controls],
    )
    def sync_filters(search, *values):
        """URL -> filter bar on load and navigation; filter bar -> URL when a control changes."""
        return filters_sync(ctx.triggered_id, search, *values)

    @app.callback(Output("flt-admin1", "options"), Input("flt-country", "value"))
    def admin1_for_country(country):
        try:
            return admin1_choices(queries.admin1_options(reader, country))
        except WarehouseError:
            return []

    @app.callback([Output(f"nav-{_slug(p)}", "href") for _, p in NAV], Input("url", "search"))
    def nav_links(search):
        """Links keep the current filters, so moving between pages keeps the view narrowed (scope=wider is the
        figures listing's own view: left behind)."""
        query = Filters.from_query(search).with_(scope=None).to_query()
        return [p if p == "/sql" else p + query for _, p in NAV]

    @app.callback(Output("flt-rejected", "children"), Output("flt-rejected", "href"), Input("url", "search"))
    def rejected_toggle(search):
        """Figures a reviewer rejected are left out of charts and tables unless the URL says rejected=show."""
        return rejected_link(search)

    @app.callback(Output("filter-bar", "className"), Input("url", "pathname"))
    def filter_bar_visible(pathname):
        hidden = any((pathname or "/").startswith(p) for p in NO_FILTER_BAR)
        return "filter-bar mb-3" + (" d-none" if hidden else "")

    @app.callback(Output("flt-collapse", "is_open"), Input("flt-toggle", "n_clicks"),
                  State("flt-collapse", "is_open"), prevent_initial_call=True)
    def toggle_filters(_, is_open):
        return not is_open

    @app.callback(Output("flt-summary", "children"), Input("url", "search"))
    def filter_summary(search):
        """What the folded bar holds: 'none set' or '3 set'."""
        f = Filters.from_query(search)
        n = sum(1 for k in FILTER_KEYS if getattr(f, k)) - (1 if f.admin1 and f.admin2 else 0)
        return f"{n} set" if n else "none set"

    @app.callback(Output("nav-collapse", "is_open"), Input("nav-toggle", "n_clicks"), State("nav-collapse", "is_open"),
                  prevent_initial_call=True)
    def toggle_nav(_, is_open):
        return not is_open


def admin1_choices(rows) -> list[dict]:
    """Dropdown options for regions: the gazetteer's name shown, every known spelling searchable."""
    return [{"label": a["name"], "value": a["code"],
             "search": " ".join(filter(None, (a["name"], a["code"], a.get("spellings"))))} for a in rows]


def rejected_link(search) -> tuple[str, str]:
    """(label, href) of the toggle that brings rejected figures back or leaves them out again."""
    showing = Filters.from_query(search).rejected == "show"
    label = "☑ Rejected figures included: leave them out" if showing else "☐ Include figures reviewers rejected"
    return label, with_search(search, rejected=None if showing else "show", figure=None) or "?"


def filters_sync(trigger, search, country, admin1, metric, start, end, source_type, org):
    """The sync callback's logic (pure, for tests): returns (search, *control values)."""
    current = Filters.from_query(search)
    if trigger in (None, "url"):
        return (no_update, current.country, current.admin1, current.metric, current.start, current.end,
                current.source_type, current.org)
    new = Filters.from_query({
        "country": country, "admin1": admin1, "metric": metric, "start": start, "end": end,
        "source_type": source_type, "org": org,
        "admin2": current.admin2 if admin1 == current.admin1 else None,
    })
    reset_admin1 = no_update
    if trigger == "flt-country" and new.country != current.country and new.admin1:
        new = new.with_(admin1=None, admin2=None)  # a region belongs to its country
        reset_admin1 = None
    changes = {k: getattr(new, k) for k in FILTER_KEYS} | {"figure": None}
    new_search = with_search(search, **changes)
    if new_search == (search or ""):
        return (no_update,) * 8
    return (new_search, no_update, reset_admin1, no_update, no_update, no_update, no_update, no_update)
