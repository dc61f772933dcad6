"""/sources: how fresh each source is (v_sources, v_etl_runs): last success or failure, rows, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import dash
import dash_bootstrap_components as dbc
import flask
import pandas as pd
from dash import html

from dashboard import figures as figs
from dashboard import queries
from dashboard.pages import guarded, page_header, reader

dash.register_page(__name__, path="/sources", name="Sources", title="Sources · Displacement figures", order=4)


@guarded
def layout(**_query):
    r = reader()
    sources, runs = queries.sources(r)
    as_of = queries.data_as_of(r)
    latest = queries.filter_options(r).get("max_date")
    plan = schedules()
    now = datetime.now(UTC).replace(tzinfo=None)
    return html.Div([
        page_header("Sources", "Freshness of every source the ETL runs."),
        html.P(["Latest figure: ", html.B(figs.fmt_date(latest) if latest else "none"), " · last refresh: ",
                html.B(_when(as_of.get("last_success"))), " (last successful run) · last run of any kind: ",
                _when(as_of.get("last_run"))], id="src-refresh"),
        html.P("A source is stale when its last success is older than its schedule's last due time plus a grace "
               "period; sources without a schedule (DISPLACEMENT_SCHEDULE) run only when asked.",
               className="small text-muted"),
        dbc.Table([
            html.Thead(html.Tr([html.Th(h) for h in ("Source", "Kind", "Status", "Schedule (UTC)", "Last success",
                                                     "Last failure", "Rows (last run)", "Figures", "Runs",
                                                     "Last error")])),
            html.Tbody([source_row(s, plan.get(s["source"]), now) for s in queries._records(sources)]),
        ], id="src-table", size="sm", striped=True, hover=True, responsive=True, className="small"),
        html.H2("Latest runs", className="h5 mt-4"),
        dbc.Table([
            html.Thead(html.Tr([html.Th(h) for h in ("Run", "Source", "Started", "Status", "Read", "Loaded",
                                                     "Rejected", "Seconds", "Error")])),
            html.Tbody([run_row(x) for x in queries._records(runs)]),
        ], id="src-runs", size="sm", striped=True, responsive=True, className="small"),
    ])


def status(source: dict) -> tuple[str, str]:
    """('ok' | 'failing' | 'never run', bootstrap colour) from the last success and failure."""
    ok, failed = source.get("last_success"), source.get("last_failure")
    if ok is None and failed is None:
        return "never run", "secondary"
    if failed is not None and (ok is None or pd.Timestamp(failed) > pd.Timestamp(ok)):
        return "failing", "danger"
    return "ok", "success"


def schedules() -> dict[str, str]:
    """source -> cron from the settings; {} when the schedule cannot be read (the page still renders)."""
    from etl.schedule import schedules as plan  # the ETL's own reading of DISPLACEMENT_SCHEDULE

    try:
        settings = flask.current_app.config["DISPLACEMENT_SETTINGS"]
        return plan(settings)
    except Exception:  # a bad schedule is reported by `etl schedule`; here it only means "no schedule"
        return {}


def is_stale(cron: str | None, last_success, now: datetime) -> bool:
    from etl.schedule import is_stale as stale

    if not cron:
        return False
    last = None if last_success is None else pd.Timestamp(last_success).to_pydatetime()
    return stale(cron, last, now)


def source_row(s: dict, cron: str | None = None, now: datetime | None = None) -> html.Tr:
    label, colour = status(s)
    stale = is_stale(cron, s.get("last_success"), now or datetime.now(UTC).replace(tzinfo=None))
    return html.Tr([
        html.Td([html.B(s["source"]), html.Div(s.get("description") or "", className="text-muted")]),
        html.Td(s.get("kind") or ""),
        html.Td([dbc.Badge(label, color=colour),
                 " ", dbc.Badge("stale", color="warning", className="text-dark stale") if stale else None]),
        html.Td(html.Code(cron) if cron else "on demand", className="schedule"),
        html.Td(_when(s.get("last_success"))),
        html.Td(_when(s.get("last_failure"))),
        html.Td(figs.fmt_int(s.get("last_rows_loaded"))),
        html.Td(figs.fmt_int(s.get("figures"))),
        html.Td(figs.fmt_int(s.get("runs"))),
        html.Td(s.get("last_error") or "", className="text-danger error-text"),
    ])


def run_row(x: dict) -> html.Tr:
    colour = {"ok": "success", "failed": "danger"}.get(x.get("status"), "secondary")
    return html.Tr([
        html.Td(str(x["run_id"])), html.Td(x["source"]), html.Td(_when(x.get("started_at"))),
        html.Td(dbc.Badge(x.get("status") or "", color=colour)), html.Td(figs.fmt_int(x.get("rows_read"))),
        html.Td(figs.fmt_int(x.get("rows_loaded"))), html.Td(figs.fmt_int(x.get("rows_rejected"))),
        html.Td("" if x.get("seconds") is None else f"{x['seconds']:.1f}"),
        html.Td(x.get("error") or "", className="text-danger error-text"),
    ])


def _when(value) -> str:
    if value is None:
        return "never"
    try:
        return pd.Timestamp(value).strftime("%d %b %Y %H:%M")
    except (TypeError, ValueError):
        return str(value)
