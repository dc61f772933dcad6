"""Filters <-> URL: validation, round trips, and the filter bar's sync logic."""

from __future__ import annotations

from datetime import date

from dash import no_update

from dashboard.app import filters_sync
from dashboard.filters import Filters, with_search


def test_round_trip_through_the_query_string():
    f = Filters(country="SYR", admin1="SY07", metric="displaced", start="2019-12-01", end="2019-12-31",
                source_type="document", org="United Nations")
    assert Filters.from_query(f.to_query()) == f
    assert Filters.from_query({}) == Filters()
    assert Filters().to_query() == ""


def test_invalid_values_are_dropped_not_passed_on():
    f = Filters.from_query("?country=Syria'; DROP TABLE figures--&admin1=SY07 OR 1=1&metric=everything"
                           "&start=yesterday&source_type=rumour&org=" + "x" * 500)
    assert f.country is None and f.admin1 is None and f.metric is None and f.start is None
    assert f.source_type is None
    assert len(f.org) == 200


def test_scope_wider_round_trips_and_anything_else_is_dropped():
    f = Filters.from_query("?country=SYR&metric=displaced&scope=wider&from=2019-12-01")
    assert (f.scope, f.country, f.start) == ("wider", "SYR", "2019-12-01")
    assert "scope=wider" in f.to_query() and Filters.from_query(f.to_query()) == f
    assert f.params()["scope"] == "wider" and Filters().params()["scope"] is None
    for bad in ("everywhere", "WIDER", "wider'--", ""):
        assert Filters.from_query({"country": "SYR", "scope": bad}).scope is None
    # A chosen region asks for its own figures: the two never combine into an empty listing.
    assert Filters.from_query("?admin1=SY07&scope=wider").scope is None


def test_codes_are_normalised_and_admin2_implies_admin1_from_the_gazetteers_parent(monkeypatch):
    from dashboard import filters

    monkeypatch.setattr(filters, "_parents", [{"SY0702": "SY07", "AF0101": "AF01", "NG001001": "NG001"}.get])
    f = Filters.from_query({"country": "syr", "admin2": "sy0702"})
    assert (f.country, f.admin1, f.admin2) == ("SYR", "SY07", "SY0702")
    assert Filters.from_query({"admin2": "NG001001"}).admin1 == "NG001"  # not shaped like Syria's: not [:4]
    assert Filters.from_query({"admin2": "XX9999"}).admin1 is None  # unknown: no guess


def test_inverted_dates_are_swapped_and_params_are_dates():
    f = Filters.from_query({"start": "2020-02-01", "end": "2019-12-01"})
    assert (f.start, f.end) == ("2019-12-01", "2020-02-01")
    params = f.params()
    assert params["start"] == date(2019, 12, 1) and params["country"] is None


def test_with_search_sets_and_removes_keys():
    assert with_search("?country=SYR&figure=x", figure=None, admin1="SY07") == "?country=SYR&admin1=SY07"
    assert with_search(None, admin1=None) == ""


def test_sync_from_url_sets_the_controls():
    out = filters_sync("url", "?country=SYR&metric=killed", None, None, None, None, None, None, None)
    assert out[0] is no_update
    assert out[1:] == ("SYR", None, "killed", None, None, None, None)


def test_sync_from_a_control_writes_the_url():
    out = filters_sync("flt-metric", "?country=SYR", "SYR", None, "injured", None, None, None, None)
    assert out[0] == "?country=SYR&metric=injured"


def test_changing_country_drops_the_region_of_the_old_country():
    out = filters_sync("flt-country", "?country=SYR&admin1=SY07&admin2=SY0702", "YEM", "SY07", None, None, None,
                       None, None)
    assert out[0] == "?country=YEM"
    assert out[2] is None  # the region dropdown is cleared


def test_sync_that_changes_nothing_updates_nothing():
    out = filters_sync("flt-org", "?org=OCHA", None, None, None, None, None, None, "OCHA")
    assert all(v is no_update for v in out)
