"""/documents/<doc_id>: an article or report as plain text, each extracted figure highlighted in its sentence.

The text is never rendered as HTML or Markdown: it becomes plain strings inside Dash components (React escapes
them), with html.Mark around each figure's characters (char_start..char_end). Highlights carry the anchor
`fig-<figure_id>` and link to /figures?figure=<id>; the figures grid links back here.
"""

from __future__ import annotations

from urllib.parse import unquote, urlparse

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, clientside_callback, dcc, html

from dashboard import figures as figs
from dashboard import queries
from dashboard.pages import guarded, page_header, reader

dash.register_page(__name__, path_template="/documents/<doc_id>", name="Document",
                   title="Document · Displacement figures", order=9)


@guarded
def layout(doc_id: str | None = None, **_query):
    # The path arrives as the browser sends it, percent-encoded: "my%20doc%20%C3%A9" is "my doc é".
    doc, found = queries.document(reader(), unquote(doc_id or ""))
    if doc is None:
        return html.Div([page_header("Document"),
                         dbc.Alert(["No document with this id. Find documents through ",
                                    dcc.Link("Figures", href="/figures"), "."], color="warning")])
    meta = [doc["publisher"] or doc["source"], figs.fmt_date(doc["published"])]
    link = safe_url(doc["url"])
    return html.Div([
        page_header(doc["title"] or doc["doc_id"], " · ".join(m for m in meta if m and m != "–")),
        html.P([html.A("Original", href=link, target="_blank", rel="noopener noreferrer nofollow")
                if link else None,
                html.Span(f"{len(found)} figure{'s' if len(found) != 1 else ''} extracted · id {doc['doc_id']}",
                          className="text-muted ms-2")], className="small"),
        dcc.Store(id="doc-scroll"),
        dbc.Row([
            dbc.Col(html.Div(render_text(doc["text"], found), id="doc-text", className="doc-text"), xs=12, lg=8),
            dbc.Col(figure_list(found), xs=12, lg=4, className="doc-figures"),
        ], className="g-4"),
    ])


def safe_url(url) -> str | None:
    """Only http(s) addresses become links (no javascript:, data:, …)."""
    if not isinstance(url, str):
        return None
    return url if urlparse(url.strip()).scheme in ("http", "https") else None


def highlight_spans(text: str, found) -> list[tuple[int, int, int, int, dict]]:
    """(sentence_start, sentence_end, start, end, figure) per figure with valid, non-overlapping offsets."""
    out, last_end = [], 0
    rows = sorted(queries._records(found), key=lambda r: (r["char_start"] is None, r["char_start"] or 0))
    for fig in rows:
        start, end = fig["char_start"], fig["char_end"]
        if start is None or end is None or not (0 <= start < end <= len(text)) or start < last_end:
            continue
        s_start, s_end = start, end
        evidence = fig.get("evidence") or ""
        if evidence:
            at = text.find(evidence, max(0, end - len(evidence)))
            if at != -1 and at <= start and at + len(evidence) >= end:
                s_start, s_end = at, at + len(evidence)
        out.append((s_start, s_end, start, end, fig))
        last_end = end
    return out


def render_text(text: str, found) -> list:
    """Plain strings, evidence sentences as spans, and each figure as a linked <mark>."""
    spans = highlight_spans(text, found)
    children, pos, i = [], 0, 0
    while i < len(spans):
        s_start = max(spans[i][0], pos)
        s_end = spans[i][1]
        group = [spans[i]]
        while i + 1 < len(spans) and spans[i + 1][0] < s_end:  # figures sharing (overlapping) sentences
            i += 1
            group.append(spans[i])
            s_end = max(s_end, spans[i][1])
        if s_start > pos:
            children.append(text[pos:s_start])
        inner, cur = [], s_start
        for _, _, start, end, fig in group:
            if start > cur:
                inner.append(text[cur:start])
            inner.append(mark(text[start:end], fig))
            cur = end
        if s_end > cur:
            inner.append(text[cur:s_end])
        children.append(html.Span(inner, className="evidence"))
        pos, i = s_end, i + 1
    if pos < len(text):
        children.append(text[pos:])
    return children


def mark(quantity: str, fig: dict) -> html.A:
    value = figs.format_value(fig["value"], fig["value_low"], fig["value_high"], fig["qualifier"],
                              fig["quantity_text"])
    label = f"{fig['metric']}: {value} — {fig['claimed_by_org'] or fig['claimed_by'] or 'unattributed'}"
    return html.A(html.Mark(quantity), id=f"fig-{fig['figure_id']}", href=f"/figures?figure={fig['figure_id']}",
                  title=label, className="fig-mark")


def figure_list(found) -> html.Div:
    items = []
    for fig in queries._records(found):
        value = figs.format_value(fig["value"], fig["value_low"], fig["value_high"], fig["qualifier"],
                                  fig["quantity_text"])
        items.append(dbc.ListGroupItem([
            html.Div([html.B(value), f" {fig['metric'].replace('_', ' ')}"]),
            html.Div(" · ".join(x for x in (fig["claimed_by_org"] or fig["claimed_by"], fig["place"],
                                            figs.fmt_period(fig["period_start"], fig["period_end"])) if x and x != "–"),
                     className="small text-muted"),
            html.Div([html.A("in text", href=f"#fig-{fig['figure_id']}"), " · ",
                      dcc.Link("in figures", href=f"/figures?figure={fig['figure_id']}")], className="small"),
        ]))
    return html.Div([html.H2("Figures", className="h6"),
                     dbc.ListGroup(items, flush=True) if items else html.P("None extracted.", className="small")])


# Scroll to #fig-<id> once the text is drawn (the browser cannot: the anchor does not exist at page load).
clientside_callback(
    """function (children) {
        var hash = window.location.hash;
        if (hash && hash.length > 1) {
            var el = document.getElementById(decodeURIComponent(hash.slice(1)));
            if (el) { el.scrollIntoView({block: "center"}); el.classList.add("flash"); }
        }
        return window.dash_clientside.no_update;
    }""",
    Output("doc-scroll", "data"),
    Input("doc-text", "children"),
)
