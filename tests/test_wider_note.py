"""dashboard.wider: the note on figures for wider areas a chosen region's pages show, and the listing it links to."""

from __future__ import annotations

from datetime import date

import dashboard_data
import pytest

from dashboard import queries, wider
from dashboard.filters import Filters
from etl.warehouse import reader_for

# Seven figures tagged to Syria and no region, in six places as written, dated 20 to 26 January 2020.
AREAS = ["northwest Syria", "northwest Syria", "Idleb and northern Aleppo", "southern Idlib", "western Aleppo",
         "north Hama", "the south"]


@pytest.fixture
def reader(settings):
    extra = [dict(figure_id=f"w{i}", source="curated", source_type="dataset", dataset="w", record_id=str(i),
                  metric="displaced", value=1000 + i, qualifier="exact", claimed_by_org="OCHA",
                  location_text=area, country_iso3="SYR", period_start=date(2020, 1, 1),
                  period_end=date(2020, 1, 20 + i), stock_or_flow="flow") for i, area in enumerate(AREAS)]
    dashboard_data.build(settings, extra_figures=extra)
    r = reader_for(settings)
    yield r
    r.close()


def text(note) -> str:
    return note.children[0]


def test_the_note_counts_what_its_link_lists(reader):
    f = Filters(admin1="SY07", metric="displaced")
    listing = wider.listing(reader, f)
    assert listing == Filters(country="SYR", metric="displaced", scope="wider")
    note = wider.note(reader, f, "x")
    # The five largest areas by name, then the rest together.
    assert text(note) == ("2 figures for northwest Syria · 1 figure for Idleb and northern Aleppo · 1 figure for "
                          "north Hama · 1 figure for southern Idlib · 1 figure for the south · 1 figure for 1 other "
                          "area cover this region and are not counted here. ")
    assert note.children[1].href == "/figures?country=SYR&metric=displaced&scope=wider"
    rows, total = queries.figure_rows(reader, Filters.from_query(note.children[1].href.split("?")[1]), 0, 100)
    assert total == 7 and sorted(rows["figure_id"]) == [f"w{i}" for i in range(7)]
    # The same filters narrow both: a period that holds three of them.
    narrow = f.with_(start="2020-01-24", end="2020-01-26")
    assert text(wider.note(reader, narrow, "x")).startswith(
        "1 figure for north Hama · 1 figure for the south · 1 figure for western Aleppo cover this region")
    assert queries.figure_rows(reader, wider.listing(reader, narrow), 0, 100)[1] == 3


def test_no_note_without_a_region_or_without_wider_figures(reader):
    assert wider.note(reader, Filters(country="SYR"), "x") is None
    assert wider.listing(reader, Filters(country="SYR")) is None
    assert wider.note(reader, Filters(admin1="SY07", metric="killed"), "x") is None
