"""/review: the figures most in need of a look, one at a time in its sentence, to accept, reject or correct.

The queue reads the warehouse (ordered by review_priority, under the URL filters); reviews are written to the
review store (SQLite) and reach charts, claims and exports at the next publish. Saves are POSTs (Dash callbacks)
that carry a CSRF token; a save names the version it started from, so a second reviewer gets a conflict notice.
Keyboard: a accept, r reject (not a figure), d duplicate, n next (assets/review_keys.js).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import queries, review
from dashboard.filters import Filters, with_search
from dashboard.pages import _review_parts as parts
from dashboard.pages import guarded, page_header, reader

dash.register_page(__name__, path="/review", name="Review", title="Review · Displacement figures", order=5)

QUEUE_SIZE = 50


def settings():
    return dash.get_app().settings


@guarded
def layout(**query):
    f = Filters.from_query(query)
    search = with_search("", **{k: v for k, v in query.items() if isinstance(v, str)})
    status = query.get("status") if query.get("status") in parts.STATUSES else "unreviewed"
    conf = settings()
    who = review.reviewer(conf)
    rows = queries.review_queue(reader(), f, status, QUEUE_SIZE)
    pending = review.store(conf).by_figure([r["figure_id"] for r in rows])
    ids = [r["figure_id"] for r in rows]
    todo = [i for i in ids if i not in pending]
    selected = (query.get("figure") or "")[:64] or (todo[0] if todo else ids[0] if ids else None)
    after = ids[ids.index(selected) + 1:] if selected in ids else todo
    next_id = next((i for i in after if i not in pending), None)
    next_href = "/review" + with_search(search, figure=next_id, saved=None) if next_id else None
    header = page_header("Review", "Figures most in need of a look first: accept, reject or correct them. "
                                   "Reviews reach charts and exports at the next publish.")
    role = (dbc.Alert(f"Reviewing as {who}.", color="light", className="py-1 small", id="rv-role") if who else
            dbc.Alert("Read only: reviewing needs a reviewer account (DISPLACEMENT_REVIEWERS).", color="light",
                      className="py-1 small", id="rv-role"))
    return html.Div([
        header, role, _saved_notice(conf, query.get("saved")),
        dbc.Row([
            dbc.Col([parts.status_tabs(search, status), parts.queue_list(rows, pending, selected, search)], lg=5),
            dbc.Col(_figure_panel(conf, who, selected, next_href, next_id, search), lg=7),
        ], className="g-3"),
        dcc.Location(id="rv-go", refresh="callback-nav"),
    ], className="review-page")


def _saved_notice(conf, figure_id):
    if not figure_id:
        return None
    saved = review.store(conf).by_figure([figure_id[:64]]).get(figure_id[:64])
    if not saved:
        return None
    what = saved["status"] + (f" ({saved['reason'].replace('_', ' ')})" if saved.get("reason") else "")
    return dbc.Alert([f"Saved: {what} by {saved['reviewed_by']}. It reaches charts and exports at the next "
                      "publish. ", dcc.Link("Open it again", href=f"/review?figure={figure_id[:64]}")],
                     color="success", className="py-2 small", id="rv-saved", dismissable=True)


def _figure_panel(conf, who, figure_id, next_href, next_id, search):
    if not figure_id:
        return html.P("Choose a figure in the queue.", className="text-muted")
    fig = review.figure(reader(), figure_id)
    if fig is None:
        return dbc.Alert(f"No figure {figure_id} in the warehouse.", color="warning")
    stored = review.current(conf, fig)
    values = review.effective(fig, stored)
    if fig["doc_id"] and fig["char_start"] is not None:
        window = queries.review_context(reader(), fig["doc_id"], fig["char_start"], fig["char_end"])
        shown = parts.context(*window, fig) if window else parts.dataset_context(fig)
    else:
        shown = parts.dataset_context(fig)
    place = values["admin2_pcode"] or values["admin1_pcode"] or values["country_iso3"]
    option = None
    if place:
        found = queries.place(reader(), place)
        option = parts.place_option(found | {"alt_names": []}) if found else {"label": place, "value": place}
    state = {"figure_id": fig["figure_id"], "version": stored["version"] if stored else 0,
             "token": review.csrf_token(conf, who) if who else None, "next": next_id, "search": search}
    return dbc.Card(dbc.CardBody([
        parts.figure_header(fig, stored), shown, parts.buttons(bool(who), next_href),
        html.Div(id="rv-notice"),
        html.Details([html.Summary("Correct a field", className="mb-2"), parts.form(values, option, bool(who))],
                     open=True),
        parts.history(review.store(conf).log(20, fig["key"]["review_key"])),
        dcc.Store(id="rv-state", data=state),
    ]), className="rv-figure")


FORM = [("rv-value", "value"), ("rv-low", "value_low"), ("rv-high", "value_high"), ("rv-qualifier", "qualifier"),
        ("rv-metric", "metric"), ("rv-unit", "unit"), ("rv-claimed-by", "claimed_by"), ("rv-org", "claimed_by_org"),
        ("rv-start", "period_start"), ("rv-end", "period_end"), ("rv-sof", "stock_or_flow")]


@callback(
    Output("rv-notice", "children"), Output("rv-go", "search"),
    Input("rv-accept", "n_clicks"), Input("rv-reject", "n_clicks"), Input("rv-duplicate", "n_clicks"),
    Input("rv-save", "n_clicks"),
    State("rv-state", "data"), State("rv-place", "value"), State("rv-note", "value"),
    [State(id_, "value") for id_, _ in FORM],
    prevent_initial_call=True,
)
def act(accept, reject, duplicate, save, state, place, note, *values):
    action = {"rv-accept": "accept", "rv-reject": "reject", "rv-duplicate": "duplicate",
              "rv-save": "correct"}.get(ctx.triggered_id)
    if not action or not state or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update, no_update
    return submit(settings(), state, action, place, note, values)


def submit(conf, state: dict, action: str, place, note, values) -> tuple:
    """(notice, next URL search) for one save (the callback's logic, for tests)."""
    try:
        who = review.check(conf, state.get("token"))
        fields = {name: value for (_, name), value in zip(FORM, values, strict=True)}
        if action == "correct":
            fields |= review.place_choice(reader(), place)
        review.save(conf, reader(), who, state["figure_id"], action, state.get("version", 0),
                    fields if action == "correct" else None, note)
    except review.Conflict as exc:
        return parts.conflict_notice(exc.current), no_update
    except (review.ReviewDenied, review.ReviewError, LookupError) as exc:
        return dbc.Alert(f"Not saved: {exc}", color="danger", id="rv-error"), no_update
    return no_update, with_search(state.get("search"), figure=state.get("next"), saved=state["figure_id"]) or "?"


@callback(Output("rv-place", "options"), Input("rv-place", "search_value"), State("rv-place", "options"),
          State("rv-place", "value"), prevent_initial_call=True)
def place_search(text, options, value):
    """Places whose name or any spelling contains what was typed (the chosen one stays listed)."""
    found = queries.places_matching(reader(), text)
    if not found:
        return no_update
    keep = [o for o in (options or []) if o["value"] == value]
    return keep + [parts.place_option(r, text.strip()) for r in found if r["pcode"] != value]
