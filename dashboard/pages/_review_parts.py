"""Pieces of the /review page: the queue, the figure in its sentence, and the correction form (pure functions)."""

from __future__ import annotations

import json
import re

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import figures as figs
from dashboard import review
from dashboard.filters import METRIC_LABELS, METRICS, with_search

STATUSES = ("unreviewed", "accepted", "corrected", "rejected", "all")
FLAG_TEXT = {
    "carried_source": "source from another sentence", "generic_source": "generic source",
    "place_from_context": "place from elsewhere in the document", "vague_amount": "vague amount",
    "unit_guess": "unit guessed", "metric_guess": "metric guessed",
}
# a sentence ends at . ! or ? (and a closing quote) before a space, but not after an initial ("the U.N. said")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)[\"')\]]?\s+")


def status_tabs(search: str, status: str) -> dbc.Nav:
    items = [dbc.NavItem(dbc.NavLink(s.capitalize(), href="/review" + with_search(search, status=s, figure=None,
                                                                                  saved=None),
                                     active=s == status, id=f"rv-tab-{s}")) for s in STATUSES]
    return dbc.Nav(items, pills=True, className="mb-2 small")


def queue_list(rows: list[dict], pending: dict, selected: str | None, search: str) -> html.Div:
    if not rows:
        return html.P("Nothing to review under these filters.", className="text-muted", id="rv-queue-empty")
    items = []
    for row in rows:
        saved = pending.get(row["figure_id"])
        badge = (dbc.Badge(f"saved: {saved['status']}", color="success", className="ms-1") if saved else
                 dbc.Badge(row["review_status"], color="secondary", className="ms-1")
                 if row["review_status"] != "unreviewed" else None)
        items.append(dbc.ListGroupItem([
            html.Div([html.Strong(figs.format_value(row["value"], row["value_low"], row["value_high"],
                                                    row["qualifier"], row["quantity_text"])),
                      f" {METRIC_LABELS.get(row['metric'], row['metric'])}", badge,
                      html.Span(row["review_priority"], className="float-end text-muted", title="priority")]),
            html.Div(f"{row['place'] or 'no place'} · {row['claimed_by_org'] or row['org'] or 'no source'} · "
                     f"{figs.fmt_date(row['ref_date'])}", className="small text-muted"),
        ], href="/review" + with_search(search, figure=row["figure_id"], saved=None),
            active=row["figure_id"] == selected, className="rv-item",
            id={"type": "rv-item", "index": row["figure_id"]}))
    return dbc.ListGroup(items, id="rv-queue", className="rv-queue")


def context(window: str, offset: int, fig: dict) -> html.Div:
    """The figure's sentence with its number marked, between the sentences before and after it."""
    q0, q1 = fig["char_start"] - offset, fig["char_end"] - offset
    evidence = fig["evidence"] or ""
    pos = window.find(evidence) if evidence else -1
    if pos >= 0 and pos <= q0 and q1 <= pos + len(evidence):
        s0, s1 = pos, pos + len(evidence)
    else:
        s0 = max(0, window.rfind(". ", 0, max(q0, 0)) + 2 if window.rfind(". ", 0, max(q0, 0)) >= 0 else 0)
        s1 = window.find(". ", q1) + 1 or len(window)
    before = [p for p in _SENTENCE_END.split(window[:s0].strip()) if p.strip()]
    after = [p for p in _SENTENCE_END.split(window[s1:].strip()) if p.strip()]
    return html.Div([
        html.P(before[-1] if before else "", className="rv-neighbour text-muted mb-1", id="rv-before"),
        html.P([window[s0:q0], html.Mark(window[q0:q1], id="rv-mark"), window[q1:s1]], className="rv-sentence mb-1",
               id="rv-sentence"),
        html.P(after[0] if after else "", className="rv-neighbour text-muted", id="rv-after"),
    ], className="rv-context")


def dataset_context(fig: dict) -> html.Div:
    parts = [html.P(["From the dataset ", html.Code(fig["dataset"] or fig["source"]), ", record ",
                     html.Code(fig["record_id"] or "–"), "."], className="mb-1")]
    if fig["detail"]:
        parts.append(html.Pre(str(fig["detail"])[:2000], className="small rv-detail"))
    if fig["url"]:
        parts.append(html.A("The provider's page", href=fig["url"], target="_blank", rel="noopener noreferrer"))
    return html.Div(parts, className="rv-context", id="rv-sentence")


def figure_header(fig: dict, stored: dict | None) -> html.Div:
    flags = [dbc.Badge(FLAG_TEXT.get(f, f), color="warning", text_color="dark", className="me-1",
                       id={"type": "rv-flag", "index": f}) for f in (fig["flags"] or [])]
    state = stored["status"] if stored else fig["review_status"]
    who = f" by {stored['reviewed_by']}" if stored else ""
    return html.Div([
        html.H2([figs.format_value(fig["value"], fig["value_low"], fig["value_high"], fig["qualifier"],
                                   fig["quantity_text"]), " ", METRIC_LABELS.get(fig["metric"], fig["metric"])],
                className="h5 mb-1"),
        html.Div([f"priority {fig['review_priority'] if fig['review_priority'] is not None else '–'} · ",
                  html.Span(f"{state}{who}", id="rv-status"), " · ",
                  html.A(fig["title"] or "document", href=f"/documents/{fig['doc_id']}?figure={fig['figure_id']}")
                  if fig["doc_id"] else fig["dataset"]], className="small text-muted mb-1"),
        html.Div(flags or html.Span("no flags", className="small text-muted"), className="mb-2"),
    ])


def buttons(enabled: bool, next_href: str | None) -> html.Div:
    def button(id_, label, key, color):
        return dbc.Button([label, html.Kbd(key, className="ms-2")], id=id_, color=color, className="me-2 mb-1",
                          disabled=not enabled, n_clicks=0)

    return html.Div([
        button("rv-accept", "Accept", "a", "success"),
        button("rv-reject", "Reject: not a figure", "r", "danger"),
        button("rv-duplicate", "Reject: duplicate", "d", "outline-danger"),
        dcc.Link(["Next ", html.Kbd("n")], href=next_href or "#", id="rv-next",
                 className="btn btn-outline-secondary mb-1" + ("" if next_href else " disabled")),
    ], className="mb-2")


def form(values: dict, place_option: dict | None, enabled: bool) -> dbc.Form:
    def field(label, control, width=4):
        return dbc.Col([dbc.Label(label, html_for=control.id, className="small mb-0"), control], md=width)

    def choice(id_, options, value, labels=None):
        return dcc.Dropdown(id=id_, options=[{"label": (labels or {}).get(o, o), "value": o} for o in options],
                            value=value, clearable=id_ == "rv-sof", disabled=not enabled)

    def number(id_, value):
        return dbc.Input(id=id_, type="number", min=0, step=1, value=value, disabled=not enabled)

    def text(id_, value, placeholder=None):
        return dbc.Input(id=id_, type="text", value=value or "", placeholder=placeholder, disabled=not enabled)

    return dbc.Form([
        dbc.Row([field("Value", number("rv-value", values["value"])),
                 field("Lower bound", number("rv-low", values["value_low"])),
                 field("Upper bound", number("rv-high", values["value_high"]))], className="g-2"),
        dbc.Row([field("Qualifier", choice("rv-qualifier", review.QUALIFIERS, values["qualifier"])),
                 field("Metric", choice("rv-metric", METRICS, values["metric"], METRIC_LABELS)),
                 field("Unit", choice("rv-unit", review.UNITS, values["unit"]))], className="g-2"),
        dbc.Row([field("Source (as quoted)", text("rv-claimed-by", values["claimed_by"]), 6),
                 field("Organisation", text("rv-org", values["claimed_by_org"]), 6)], className="g-2"),
        dbc.Row([field("Place (type a name or any spelling)", dcc.Dropdown(
                    id="rv-place", options=[place_option] if place_option else [],
                    value=place_option["value"] if place_option else None, placeholder="Search places",
                    disabled=not enabled), 6),
                 field("Stock or flow", choice("rv-sof", review.STOCK_OR_FLOW, values["stock_or_flow"]), 6)],
                className="g-2"),
        dbc.Row([field("Period from", text("rv-start", values["period_start"], "YYYY-MM-DD"), 6),
                 field("Period to", text("rv-end", values["period_end"], "YYYY-MM-DD"), 6)], className="g-2"),
        dbc.Row([field("Note (optional)", dbc.Textarea(id="rv-note", rows=2, disabled=not enabled), 12)],
                className="g-2"),
        dbc.Button("Save correction", id="rv-save", color="primary", className="mt-2", disabled=not enabled,
                   n_clicks=0),
    ], id="rv-form", className="rv-form")


def place_option(row: dict, typed: str = "") -> dict:
    """A picker option: the name, p-code and level, and other spellings (those matching what was typed first:
    the dropdown also filters on the label)."""
    level = {0: "country", 1: "admin1", 2: "admin2"}.get(row["admin_level"], f"admin{row['admin_level']}")
    names = row.get("alt_names")
    names = [str(n) for n in (list(names) if names is not None else []) if n != row["name"]]
    spellings = sorted(names, key=lambda n: typed.lower() not in n.lower())[:6]
    label = f"{row['name']} ({row['pcode']}, {level})" + (f" · also {', '.join(spellings)}" if spellings else "")
    return {"label": label, "value": row["pcode"]}


def history(changes: list[dict]) -> html.Div:
    """This figure's review changes, newest first (the audit trail; all of it: GET /api/reviews)."""
    items = []
    for change in changes:
        after = json.loads(change["after"])
        what = after["status"] + (f" ({after['reason'].replace('_', ' ')})" if after.get("reason") else "")
        fields = ", ".join(f"{k} → {v}" for k, v in (after.get("changes") or {}).items())
        note = f" · “{change['note']}”" if change["note"] else ""
        items.append(html.Li(f"{change['reviewed_at'][:19].replace('T', ' ')} · {change['reviewed_by']}: {what}"
                             + (f": {fields}" if fields else "") + note))
    return html.Details([
        html.Summary(f"History ({len(changes)} change{'s' if len(changes) != 1 else ''})"),
        html.Ul(items, className="small mb-1") if items else html.P("Not reviewed yet.", className="small mb-1"),
        html.A("Every review change (CSV)", href="/api/reviews?format=csv", className="small"),
    ], id="rv-history", className="mt-3")


def conflict_notice(current: dict | None) -> dbc.Alert:
    if not current:
        return dbc.Alert("Not saved: this figure's review changed since you opened it. Reload it.", color="warning",
                         id="rv-conflict")
    what = current["status"] + (f" ({current['reason'].replace('_', ' ')})" if current.get("reason") else "")
    changes = ", ".join(f"{k} → {v}" for k, v in (current.get("changes") or {}).items())
    return dbc.Alert([
        html.Strong("Not saved: conflict. "),
        f"{current['reviewed_by']} saved this figure first, at {current['reviewed_at'][:19].replace('T', ' ')}: "
        f"{what}" + (f": {changes}" if changes else "") + (f". Note: {current['note']}" if current.get("note") else "")
        + ". Your change was not written; reload to see their review and decide again.",
    ], color="warning", id="rv-conflict")
