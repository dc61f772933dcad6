"""Pages of the app, one module each (registered with dash.register_page); shared helpers live here.

Files starting with "_" are not pages, and this package's __init__ is not imported by Dash's page loader.
"""

from __future__ import annotations

import functools
import logging

import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from dashboard import figures as figs
from dashboard.filters import Filters
from etl.warehouse import WarehouseError

log = logging.getLogger(__name__)


# One line on every page that shows a latest figure: the same rule everywhere (_overview_rows.sql, region_values.sql).
LATEST_RULE = ("Latest: the newest figure for the place as a whole; a region's districts count in its figures and "
               "stand in only when the region itself has none. Figures in different units (people, households) "
               "are never added or ranked together.")


def reader():
    """The app's one Reader (per process), from the Flask app serving this request."""
    try:
        return flask.current_app.config["DISPLACEMENT_READER"]
    except (RuntimeError, KeyError):
        import dash

        return dash.get_app().reader


def search_changed_only() -> bool:
    """Whether Dash's page router is calling layout() only because the query string changed (a filter change on
    the page shown): a page whose callbacks follow the filters answers no_update, so nothing is drawn anew."""
    import dash

    try:
        return set(dash.ctx.triggered_prop_ids) == {"_pages_location.search"}
    except Exception:  # noqa: BLE001 - not inside a callback (a test, the validation layout)
        return False


def filters_on(path: str, search: str | None, pathname: str | None):
    """The filters in `search` when the page shown is `path`, else None: what a page's filter-change callback
    (Input url.search, State url.pathname) works from; None means the URL has left the page, so send nothing."""
    if (pathname or "/") != path:
        return None
    return Filters.from_query(search)


def graph(id_: str, figure, filename: str, **kwargs) -> dcc.Graph:
    """A chart with the modebar (and its download-as-PNG button) always on."""
    return dcc.Graph(id=id_, figure=figure, config=figs.graph_config(filename), className="chart", **kwargs)


def guarded(render):
    """Page layouts show a readable message instead of a traceback when the warehouse is missing or broken."""

    @functools.wraps(render)
    def wrapper(*args, **kwargs):
        try:
            return render(*args, **kwargs)
        except WarehouseError as err:
            return problem(str(err))
        except Exception as err:  # a page must still render; the log has the details
            log.exception("page %s failed", render.__module__)
            return problem(f"This page could not be drawn: {type(err).__name__}. The server log has details.")

    return wrapper


def problem(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="warning", className="mt-3")


def page_header(title: str, subtitle: str | None = None) -> html.Div:
    return html.Div([html.H1(title, className="h3 mb-1"),
                     html.P(subtitle, className="text-muted mb-3") if subtitle else None], className="page-header")


def place_name(pcode: str) -> str:
    """'Idleb (SY07)': a p-code with its gazetteer name, for headings; the bare code when it is unknown."""
    from dashboard import queries

    try:
        found = queries.place(reader(), pcode)
    except Exception:  # noqa: BLE001 - no warehouse (or no app): the code alone still says where
        found = None
    return f"{found['name']} ({pcode})" if found and found.get("name") else pcode


def describe_filters(f, place_names: dict | None = None) -> str:
    """'Idlib · displaced · 1 Dec 2019 – 29 Feb 2020' for captions and headings."""
    place_names = place_names or {}
    parts = []
    place = f.narrowest_place()
    if place:
        parts.append(place_names.get(place) or place_name(place))
    if f.metric:
        parts.append(f.metric.replace("_", " "))
    if f.unit:
        parts.append(f"in {f.unit}")
    if f.source_type:
        parts.append(f"{f.source_type}s only")
    if f.org:
        parts.append(f.org)
    if f.start or f.end:
        parts.append(figs.fmt_period(f.start, f.end))
    return " · ".join(parts) if parts else "all places and dates"
