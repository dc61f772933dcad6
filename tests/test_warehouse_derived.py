"""Derived data rebuilt at every publish: figure_facts (join-free, sorted), figure_months (monthly rollup), and
claims keyed by stock_or_flow. They must match the base data and be identical after a second run."""

from __future__ import annotations

import duckdb
import pytest

from etl import runner

FACT_COLUMNS = ("figure_id, source, source_type, doc_id, metric, value, value_low, value_high, qualifier, unit, "
                "claimed_by_org, country_iso3, admin1_pcode, admin2_pcode, period_start, period_end, stock_or_flow, "
                "publisher, published, url, title")
# The rollup recomputed from the public view, the way its definition says.
EXPECTED_MONTHS = """
SELECT metric, stock_or_flow, source_type, COALESCE(claimed_by_org, publisher) AS org, country_iso3,
       CASE WHEN admin1_pcode IS NULL THEN 0 WHEN admin2_pcode IS NULL THEN 1 ELSE 2 END AS place_level,
       CAST(date_trunc('month', COALESCE(period_end, period_start, published)) AS DATE) AS month,
       count(*), sum(value), min(value), max(value)
FROM v_figures GROUP BY ALL ORDER BY ALL
"""
CURATED = """record_id,metric,value,qualifier,unit,claimed_by_org,country_iso3,admin1_pcode,period_end,\
stock_or_flow,publisher,published
s1,displaced,50000,exact,people,OCHA,SYR,SY07,2020-01-31,stock,OCHA,2020-02-01
f1,displaced,50000,exact,people,OCHA,SYR,SY07,2020-01-31,flow,OCHA,2020-02-01
f2,displaced,50000,exact,people,OCHA,SYR,SY07,2020-01-20,flow,OCHA,2020-02-03
"""


def rows(settings, sql: str):
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_derived_tables_are_built_at_publish_and_match_the_base_data(demo_warehouse):
    s = demo_warehouse
    facts = rows(s, f"SELECT {FACT_COLUMNS} FROM v_figure_facts ORDER BY figure_id")
    assert facts and facts == rows(s, f"SELECT {FACT_COLUMNS} FROM v_figures ORDER BY figure_id")
    # Document figures take their publisher from the document, without a join at query time.
    resolved = rows(s, "SELECT count(*) FROM v_figure_facts f JOIN documents d USING (doc_id)"
                       " WHERE d.publisher IS NOT NULL AND f.publisher = d.publisher")[0][0]
    assert resolved > 0
    assert rows(s, "SELECT figure_id, place, org, ref_date FROM v_figure_facts ORDER BY figure_id") == rows(
        s, "SELECT figure_id, COALESCE(admin2_name, admin1_name, NULLIF(trim(location_text), ''), country_name),"
           " COALESCE(claimed_by_org, publisher), COALESCE(period_end, period_start, published)"
           " FROM v_figures ORDER BY figure_id")
    # A figure tagged to no region keeps its place as written ("northwest Syria"), not the country's name.
    assert ("northwest Syria",) in rows(s, "SELECT DISTINCT place FROM v_figure_facts WHERE admin1_pcode IS NULL")
    months = rows(s, "SELECT metric, stock_or_flow, source_type, org, country_iso3, place_level, month, n,"
                     " value_sum, value_min, value_max FROM v_figure_months ORDER BY ALL")
    assert months == rows(s, EXPECTED_MONTHS)
    # The default grid order: newest first, then by id.
    ranked = rows(s, "SELECT figure_id FROM v_figure_facts ORDER BY default_rank, figure_id")
    assert ranked == rows(s, "SELECT figure_id FROM v_figures ORDER BY published DESC NULLS LAST, figure_id")


def test_latest_figure_per_month_is_the_latest(demo_warehouse):
    s = demo_warehouse
    bad = rows(s, """
        SELECT count(*) FROM v_figure_months m
        WHERE m.latest.figure_id NOT IN (
            SELECT arg_max(figure_id, (ref_date, published, value, figure_id)) FROM v_figure_facts f
            WHERE f.metric = m.metric AND f.org = m.org AND f.source_type = m.source_type
              AND f.stock_or_flow IS NOT DISTINCT FROM m.stock_or_flow
              AND f.country_iso3 IS NOT DISTINCT FROM m.country_iso3 AND f.place_level = m.place_level
              AND CAST(date_trunc('month', f.ref_date) AS DATE) IS NOT DISTINCT FROM m.month)""")
    assert bad == [(0,)]


@pytest.mark.parametrize("table, order", [("figure_facts", "figure_id"), ("figure_months", "ALL"),
                                          ("claims", "claim_id")])
def test_a_second_run_leaves_the_derived_data_identical(demo_settings, table, order):
    runner.run(demo_settings)
    first = rows(demo_settings, f"SELECT * FROM {table} ORDER BY {order}")
    runner.run(demo_settings)
    assert first and rows(demo_settings, f"SELECT * FROM {table} ORDER BY {order}") == first


def test_claims_keep_stocks_and_flows_apart(settings):
    settings.curated_csv.write_text(CURATED)
    runner.run(settings, ["curated"])
    claims = rows(settings, "SELECT stock_or_flow, n_figures FROM v_claims ORDER BY stock_or_flow")
    assert claims == [("flow", 2), ("stock", 1)]



def test_a_claim_counts_its_distinct_addresses_and_none_without_one(settings):
    head = ("record_id,metric,value,qualifier,unit,claimed_by_org,country_iso3,period_end,stock_or_flow,publisher,"
            "published,url\n")
    fields = "exact,people,OCHA,SYR,2020-01-31,flow,OCHA,2020-02-01"
    settings.curated_csv.write_text(head + f"a1,displaced,50000,{fields},https://a.example\n"
                                    f"a2,displaced,50000,{fields},https://a.example\n"
                                    f"b1,displaced,50000,{fields},https://b.example\nc1,displaced,7,{fields},\n")
    runner.run(settings, ["curated"])
    claims = rows(settings, "SELECT value, n_figures, n_documents FROM v_claims ORDER BY value")
    assert claims == [(7, 1, 0), (50000, 3, 2)]
