"""dashboard.queries over a small warehouse (tests/dashboard_data.py): what each page asks for."""

from __future__ import annotations

import dashboard_data
import pandas as pd
import pytest

from dashboard import figures as figs
from dashboard import queries
from dashboard.filters import Filters
from etl.warehouse import WarehouseError, reader_for


@pytest.fixture
def reader(settings):
    dashboard_data.build(settings)
    r = reader_for(settings)
    yield r
    r.close()


def test_every_query_reads_only_the_public_views():
    for name, sql in queries.SQL.items():
        lowered = sql.lower()
        for table in ("from figures", "from claims", "from documents", "from places", "from etl_runs",
                      "join figures", "join documents", "join places", "from figure_facts", "from figure_months"):
            assert table not in lowered, (name, table)


def test_filter_options(reader):
    opts = queries.filter_options(reader)
    assert [c["code"] for c in opts["countries"]] == ["SYR"]
    assert {a["code"] for a in opts["admin1"]} == {"SY07", "SY02"}
    assert "displaced" in opts["metrics"] and "OCHA" in opts["orgs"]
    assert (opts["min_date"], opts["max_date"]) == ("2019-11-28", "2020-02-29")


def test_headlines_pick_the_latest_figure_per_metric(reader):
    heads = queries.headlines(reader, Filters(admin1="SY07"))
    rows = {(r.metric, r.kind): r for r in heads.itertuples()}
    assert rows[("displaced", "stock")].value == 2_700_000
    assert rows[("displaced", "flow")].value == 900_000 and rows[("displaced", "flow")].org == "OCHA"
    assert rows[("killed", "")].qualifier == "at_least"
    december = queries.headlines(reader, Filters(admin1="SY07", end="2019-12-26", source_type="document"))
    flow = december[(december.metric == "displaced") & (december.kind == "flow")].iloc[0]
    assert flow.n_figures == 2 and flow.n_orgs == 2


def test_overview_gives_the_same_answer_from_the_rollup_and_from_single_figures(reader):
    # end=2019-12-31 covers December: the monthly rollup answers; 2019-12-26 covers part of it: single figures do.
    whole = queries.overview(reader, Filters(end="2019-12-31", source_type="document"))
    part = queries.overview(reader, Filters(end="2019-12-26", source_type="document"))
    for a, b in zip(whole, part):
        assert a.to_dict("records") == b.to_dict("records")
    flow = whole[0][(whole[0].metric == "displaced") & (whole[0].kind == "flow")].iloc[0]
    assert flow.n_figures == 2 and flow.n_orgs == 2 and flow.value == 100000
    # A start in mid-month drops the days before it.
    later = queries.headlines(reader, Filters(start="2020-02-15", metric="displaced"))
    assert later.set_index("kind").n_figures.to_dict() == {"stock": 1, "flow": 1}


def test_compare_keeps_stocks_and_flows_apart(settings):
    from etl import runner

    settings.curated_csv.write_text(
        "record_id,metric,value,qualifier,claimed_by_org,country_iso3,admin1_pcode,period_end,stock_or_flow,"
        "publisher,published\n"
        "s1,displaced,2700000,exact,OCHA,SYR,SY07,2020-01-31,stock,OCHA,2020-02-01\n"
        "f1,displaced,50000,exact,OCHA,SYR,SY07,2020-01-31,flow,OCHA,2020-02-01\n"
        "f2,displaced,80000,exact,UN,SYR,SY07,2020-01-20,flow,UN,2020-02-03\n")
    runner.run(settings, ["curated"])
    r = reader_for(settings)
    place, claims = queries.compare(r, Filters(admin1="SY07", metric="displaced"))
    assert place["series"] == "flow" and place["n_other_series"] == 1
    assert sorted(claims.value) == [50000, 80000]
    r.close()


def test_trend_is_aggregated_per_org_and_month(reader):
    trend = queries.trend(reader, Filters(admin1="SY07", metric="displaced"))
    flow = trend[trend.kind == "flow"]
    assert set(flow.org) == {"OCHA", "United Nations", "Syrian Observatory for Human Rights"}
    assert not trend.duplicated(["metric", "kind", "unit", "org"]).any()  # one line per organisation
    ocha = flow[flow.org == "OCHA"].iloc[0]
    assert [m[:7] for m in ocha.months] == ["2019-11", "2019-12", "2020-01", "2020-02"]  # one point a month, in order
    assert len(ocha["values"]) == 4 and all(isinstance(v, int) for v in ocha["values"])


def test_filters_narrow_results(reader):
    assert queries.trend(reader, Filters(org="WHO")).org.unique().tolist() == ["WHO"]
    assert queries.trend(reader, Filters(country="YEM")).empty
    rows, total = queries.figure_rows(reader, Filters(source_type="document"), 0, 100)
    assert total == 3 and set(rows.source_type) == {"document"}


def test_compare_idlib_december(reader):
    place, claims = queries.compare(reader, Filters(admin1="SY07", metric="displaced", start="2019-12-01",
                                                    end="2019-12-31"))
    assert place["name"] == "Idlib" and place["chosen"]
    by_org = {r.org: r for r in claims.itertuples()}
    assert by_org["United Nations"].value == 80000
    assert by_org["Syrian Observatory for Human Rights"].qualifier == "more_than"
    assert "OCHA" in by_org


def test_compare_defaults_to_the_place_with_most_organisations(reader):
    place, claims = queries.compare(reader, Filters())
    assert place["pcode"] == "SY07" and not place["chosen"]
    assert len(claims) == 7


def test_regions_values_and_shapes(reader):
    values = queries.region_values(reader, Filters())
    assert values.pcode.tolist() == ["SY07", "SY02"]
    shapes = queries.region_shapes(reader, Filters(), values.pcode.tolist())
    assert {f["id"] for f in shapes["features"]} == {"SY07", "SY02"}
    inside = queries.region_values(reader, Filters(admin1="SY07"))
    assert inside.empty  # no admin2 figures in Idlib in this warehouse


def test_regions_keep_the_latest_figures_hedge(reader):
    values = queries.region_values(reader, Filters(org="Syrian Observatory for Human Rights"))
    [idlib] = values.itertuples()
    assert (idlib.value, idlib.qualifier, idlib.value_low) == (100000, "more_than", 100000)
    assert pd.isna(idlib.value_high)
    assert figs.region_labels(values) == ["more than 100,000"]


def test_no_boundaries_gives_no_shapes(settings):
    dashboard_data.build(settings, with_boundaries=False)
    r = reader_for(settings)
    assert queries.region_shapes(r, Filters(), ["SY07"]) is None
    r.close()


def test_figure_rows_sort_filter_and_page(reader):
    rows, total = queries.figure_rows(reader, Filters(), 0, 3, [{"colId": "value", "sort": "desc"}], {})
    assert total == 11 and rows.value.tolist() == [2_700_000, 900_000, 358_000]
    rows, _ = queries.figure_rows(reader, Filters(), 3, 6, [{"colId": "value", "sort": "desc"}], {})
    assert rows.value.tolist()[0] == 284_000
    rows, total = queries.figure_rows(reader, Filters(), 0, 100, None,
                                      {"claimed_by_org": {"filterType": "text", "type": "contains",
                                                          "filter": "observatory"}})
    assert total == 2
    rows, total = queries.figure_rows(reader, Filters(), 0, 100, None,
                                      {"value": {"filterType": "number", "type": "inRange", "filter": 50000,
                                                 "filterTo": 100000}})
    assert sorted(rows.value) == [50000, 80000, 100000]
    _, total = queries.figure_rows(reader, Filters(), 0, 100, figure="fig-un-80000")
    assert total == 1


def test_sort_and_filter_names_come_from_allow_lists(reader):
    assert queries.order_by([{"colId": "value; DROP TABLE x", "sort": "desc"}]) == queries.DEFAULT_ORDER
    assert queries.order_by([{"colId": "value", "sort": "sideways"}]) == queries.DEFAULT_ORDER
    params = queries.grid_params({"evil": {"type": "contains", "filter": "x"},
                                  "place": {"type": "contains", "filter": "50%_\\"}})
    assert params == {"q_place": "50%_\\", "qk_place": "contains"}
    rows, total = queries.figure_rows(reader, Filters(), 0, 10, None, {"title": {"type": "contains",
                                                                               "filter": "'; SELECT 1 --"}})
    assert total == 0


def test_text_filters_match_literally_and_by_kind(reader):
    def total(column, kind, text):
        return queries.figure_rows(reader, Filters(), 0, 100, None,
                                   {column: {"filterType": "text", "type": kind, "filter": text}})[1]

    assert total("metric", "contains", "_") == 0  # '_' and '%' are not wildcards
    assert total("metric", "contains", "%") == 0
    assert total("claimed_by_org", "equals", "ocha") == 6
    assert total("claimed_by_org", "startsWith", "Syrian") == 2
    assert total("claimed_by_org", "endsWith", "NATIONS") == 1
    assert total("place", "contains", "idl") == 10


def test_document_and_its_figures(reader):
    doc, found = queries.document(reader, dashboard_data.SEED_ID)
    assert doc["publisher"] == "VOA"
    assert found.figure_id.tolist() == ["fig-un-80000", "fig-sohr-100000", "fig-open-tens"]
    assert queries.document(reader, "nope")[0] is None


def test_sources_and_freshness(reader):
    sources, runs = queries.sources(reader)
    assert set(sources.source) == {"articles", "curated", "reliefweb"}
    assert runs.status.tolist().count("failed") == 1
    assert queries.data_as_of(reader)["last_success"] is not None


def test_results_follow_a_publish(settings):
    dashboard_data.build(settings)
    r = reader_for(settings)
    assert [len(line) for line in queries.trend(r, Filters(org="WHO")).months] == [1]
    dashboard_data.build(settings)  # a republish: the cache must not serve the old file's results
    assert [len(line) for line in queries.trend(r, Filters(org="WHO")).months] == [1]
    r.close()


def test_missing_warehouse_says_what_to_run(settings):
    with pytest.raises(WarehouseError, match="displacement demo"):
        queries.filter_options(reader_for(settings))
