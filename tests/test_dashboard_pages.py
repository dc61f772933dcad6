"""The app and its pages, without a browser: layouts rendered and callbacks called directly."""

from __future__ import annotations

from contextvars import copy_context

import dashboard_data
import pandas as pd
import pytest
from dash import html, no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard.app import create_app


@pytest.fixture
def app(settings):
    dashboard_data.build(settings, extra_documents=[{"doc_id": "xss", "text": XSS_TEXT, "title": "<b>t</b>"}])
    app = create_app(settings)
    with app.server.test_request_context("/"):
        yield app
    app.close_resources()


XSS_TEXT = 'Before <script>window.__xss=1</script> and <img src=x onerror="window.__xss=1"> after.'


def pages():
    from dashboard.pages import compare, documents, figures, overview, regions, sources

    return overview, compare, regions, figures, documents, sources


def text_of(component) -> str:
    """All plain strings in a component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def find(component, predicate) -> list:
    out = []
    if isinstance(component, (list, tuple)):
        for c in component:
            out += find(c, predicate)
        return out
    if component is None or isinstance(component, (str, int, float)):
        return out
    if predicate(component):
        out.append(component)
    return out + find(getattr(component, "children", None), predicate)


def by_id(component, id_):
    found = find(component, lambda c: getattr(c, "id", None) == id_)
    assert found, f"no component with id {id_}"
    return found[0]


def run_callback(func, trigger: str, *args):
    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": trigger, "value": None}]))
        return func(*args)

    return copy_context().run(call)


def test_create_app_contract(app, settings):
    assert app.settings is settings
    assert app.server.config["DISPLACEMENT_SETTINGS"] is settings
    assert app.server.config["DISPLACEMENT_READER"] is app.reader
    assert app.config.serve_locally is True
    assert app.config.external_stylesheets == [] and app.config.suppress_callback_exceptions
    paths = {p["path"] for p in __import__("dash").page_registry.values()}
    assert {"/", "/compare", "/regions", "/figures", "/sources", "/sql"} <= paths


def test_no_external_urls_in_the_index(app):
    html_text = app.index()
    assert "http://" not in html_text.replace("http://www.w3.org", "") and "https://" not in html_text


def test_overview(app):
    overview = pages()[0]
    page = overview.layout(admin1="SY07")
    text = text_of(page)
    assert "900,000" in text and "OCHA" in text and "at least 1,500" in text
    graphs = find(page, lambda c: type(c).__name__ == "Graph")
    assert len(graphs) == 4
    assert all(g.config["displayModeBar"] and "toImageButtonOptions" in g.config for g in graphs)
    caption = graphs[1].figure["layout"]["annotations"][-1]["text"]
    assert "Source:" in caption and "last refresh" in caption and "data as of" not in caption


def test_overview_filters_change_the_numbers(app):
    overview = pages()[0]
    assert "900,000" not in text_of(overview.layout(admin1="SY07", end="2019-12-31"))


def test_compare_idlib_december_2019(app):
    compare = pages()[1]
    page = compare.layout(admin1="SY07", metric="displaced", start="2019-12-01", end="2019-12-31")
    table = text_of(by_id(page, "cmp-table"))
    assert "80,000" in table and "more than 100,000" in table and "United Nations" in table
    assert "Largest gap" in text_of(by_id(page, "cmp-divergence"))


def test_regions_map_and_click_narrows_filters(app):
    regions = pages()[2]
    page = regions.layout()
    fig = by_id(page, "reg-map").figure
    assert fig.layout.map.style == "white-bg"
    assert "United Nations" in text_of(by_id(page, "reg-disclaimer"))
    click = {"points": [{"location": "SY07"}]}
    assert regions.map_clicked(click, "?metric=displaced&figure=x", 1) == "?metric=displaced&admin1=SY07"
    bar_click = {"points": [{"customdata": "SY0702", "y": "x"}]}
    assert regions.bar_clicked(bar_click, "?admin1=SY07", 2) == "?admin1=SY07&admin2=SY0702"
    assert regions.map_clicked({}, "", 1) is no_update


def test_regions_without_boundaries_shows_bars_and_the_hint(settings):
    dashboard_data.build(settings, with_boundaries=False)
    app = create_app(settings)
    with app.server.test_request_context("/"):
        page = pages()[2].layout()
        assert "displacement etl run boundaries --from-file FILE.geojson" in text_of(by_id(page, "reg-hint"))
        assert not find(page, lambda c: getattr(c, "id", None) == "reg-map")
        by_id(page, "reg-bars")
    app.close_resources()


def test_figures_grid_rows_and_exports(app):
    figures = pages()[3]
    response, count = figures.rows({"startRow": 0, "endRow": 100, "sortModel": [{"colId": "value", "sort": "desc"}],
                                    "filterModel": {}}, {"filters": "?admin1=SY07", "figure": None})
    assert response["rowCount"] == 10 and count == "10 figures"
    first = response["rowData"][0]
    assert first["value_text"] == "about 2,700,000 people" and isinstance(first["period_end"], str)
    seed = [r for r in response["rowData"] if r["figure_id"] == "fig-un-80000"][0]
    assert seed["doc_id"] == dashboard_data.SEED_ID
    links = figures.export_links({"sortModel": [{"colId": "value", "sort": "desc"}], "filterModel": {}},
                                 {"filters": "?admin1=SY07", "figure": None})
    assert links == ("/export/figures.csv?admin1=SY07&sort=value%3Adesc",
                     "/export/figures.xlsx?admin1=SY07&sort=value%3Adesc")


def test_document_highlights_each_figure_in_its_sentence(app):
    documents = pages()[4]
    page = documents.layout(doc_id=dashboard_data.SEED_ID)
    marks = find(page, lambda c: isinstance(c, html.Mark))
    assert [m.children for m in marks] == ["80,000", "more than 100,000", "Tens of thousands"]
    link = by_id(page, "fig-fig-un-80000")
    assert link.href == "/figures?figure=fig-un-80000"
    assert text_of(by_id(page, "doc-text")).replace(" ", "") == dashboard_data.SEED_TEXT.replace(" ", "")


def test_document_text_is_never_html(app):
    documents = pages()[4]
    page = documents.layout(doc_id="xss")
    body = by_id(page, "doc-text")
    assert body.children == [XSS_TEXT]  # one plain string: React escapes it
    assert not find(page, lambda c: "dangerously_allow_html" in (getattr(c, "_prop_names", []) or []))


def test_document_render_text_handles_bad_offsets():
    documents = pages()[4]
    found = pd.DataFrame([
        dict(figure_id="a", char_start=6, char_end=11, evidence=None, metric="killed", value=1, value_low=1,
             value_high=1, qualifier="exact", quantity_text="x", claimed_by_org=None, claimed_by=None),
        dict(figure_id="b", char_start=8, char_end=10, evidence=None, metric="killed", value=1, value_low=1,
             value_high=1, qualifier="exact", quantity_text="x", claimed_by_org=None, claimed_by=None),
        dict(figure_id="c", char_start=50, char_end=60, evidence=None, metric="killed", value=1, value_low=1,
             value_high=1, qualifier="exact", quantity_text="x", claimed_by_org=None, claimed_by=None),
    ])
    out = documents.render_text("Hello world, again", found)
    assert text_of(out).replace(" ", "") == "Helloworld,again"
    assert len(find(out, lambda c: isinstance(c, html.Mark))) == 1


def test_unknown_document_and_unsafe_links(app):
    documents = pages()[4]
    assert "No document" in text_of(documents.layout(doc_id="nope"))
    assert documents.safe_url("javascript:alert(1)") is None
    assert documents.safe_url("https://example.org/a") == "https://example.org/a"


def test_sources_page(app):
    sources = pages()[5]
    page = sources.layout()
    table = text_of(by_id(page, "src-table"))
    assert "reliefweb" in table and "failing" in table and "HTTP 503 from the API" in table
    assert "02 Jan 2026" in text_of(by_id(page, "src-refresh"))


def test_pages_explain_a_missing_warehouse(settings):
    app = create_app(settings)  # no warehouse built
    with app.server.test_request_context("/"):
        for page in pages():
            kwargs = {"doc_id": "x"} if page.__name__.endswith("documents") else {}
            assert "displacement demo" in text_of(page.layout(**kwargs))
    app.close_resources()


def test_a_filter_change_sends_only_what_changed(app):
    overview = pages()[0]
    charts = find(overview.layout(admin1="SY07"), lambda c: getattr(c, "id", "") == "ov-trends")[0].children
    shown = overview.shown(charts)
    assert [s[0] for s in shown] == ["displaced-stock", "displaced-flow", "killed-all", "injured-all"]
    assert overview.chart_changes(shown, charts) == (no_update, shown, [])  # nothing changed: nothing sent
    killed = find(overview.layout(admin1="SY07", metric="killed"), lambda c: getattr(c, "id", "") == "ov-trends")
    patch, after, updates = overview.chart_changes(shown, killed[0].children)
    assert patch is no_update and [s[2] for s in after] == [False, False, True, False]
    assert dict(updates)["ov-col-displaced-stock"] == {"style": {"display": "none"}}
    assert "figure" in dict(updates)["ov-trend-killed-all"]
    evacuated = [c for c in charts if c.id == "ov-col-killed-all"][0]
    evacuated.id = "ov-col-evacuated-all"  # a chart this page never showed is added
    patch, after, _ = overview.chart_changes(shown, [evacuated])
    assert patch is not no_update and after[-1][0] == "evacuated-all"


def test_a_change_inside_a_long_trend_is_sent(app):
    """Trend lines travel as arrays; a value changed in the middle of a long one still counts as a change."""
    from dashboard import figures as figs

    overview = pages()[0]
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}-01" for i in range(2000)]
    before = figs.trend_spec([("OCHA", months, list(range(2000)))], "t", "c")
    after = figs.trend_spec([("OCHA", months, [*range(1000), -1, *range(1001, 2000)])], "t", "c")
    assert overview._digest(before) != overview._digest(after)
    assert overview._digest(before) == overview._digest(figs.trend_spec([("OCHA", months, list(range(2000)))],
                                                                         "t", "c"))


def test_sources_page_shows_each_schedule_and_which_sources_are_stale(settings):
    """articles runs hourly and last succeeded on 2 Jan 2026: stale now; curated has no schedule: on demand."""
    from dataclasses import replace

    settings = replace(settings, schedule="articles=0 * * * *")
    dashboard_data.build(settings)
    app = create_app(settings)
    try:
        with app.server.test_request_context("/"):
            from dashboard.pages import sources

            page = sources.layout()
    finally:
        app.close_resources()
    rows = [text_of(row) for row in find(by_id(page, "src-table"), lambda c: isinstance(c, html.Tr))]
    articles = next(r for r in rows if r.startswith("articles"))
    curated = next(r for r in rows if r.startswith("curated"))
    assert "0 * * * *" in articles and "stale" in articles and "02 Jan 2026" in articles
    assert "on demand" in curated and "stale" not in curated
    assert "Latest figure:" in text_of(by_id(page, "src-refresh"))
