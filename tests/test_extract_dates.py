"""Periods and stock/flow; relative dates resolved against the publication date."""

from datetime import date

import pytest

from etl.extract import extract
from etl.extract.dates import period, stock_or_flow
from etl.model import Document

PUB = date(2019, 12, 25)  # a Wednesday


@pytest.mark.parametrize("sentence,start,end", [
    ("20 people were killed on Monday.", "2019-12-23", "2019-12-23"),
    ("20 people were killed on Wednesday.", "2019-12-25", "2019-12-25"),
    ("20 people were killed last Wednesday.", "2019-12-18", "2019-12-18"),
    ("20 people were killed yesterday.", "2019-12-24", "2019-12-24"),
    ("80,000 fled this week.", "2019-12-19", "2019-12-25"),
    ("80,000 fled last week.", "2019-12-16", "2019-12-22"),
    ("80,000 fled last month.", "2019-11-01", "2019-11-30"),
    ("80,000 fled this month.", "2019-12-01", "2019-12-25"),
    ("235,000 have fled since December.", "2019-12-01", "2019-12-25"),
    ("235,000 have fled since 1 December.", "2019-12-01", "2019-12-25"),
    ("More than 290,000 have been killed since 2011.", "2011-01-01", "2019-12-25"),
    ("235,000 fled between 12 and 25 December.", "2019-12-12", "2019-12-25"),
    ("Some 500 people fled on Dec. 24, 2019.", "2019-12-24", "2019-12-24"),
    ("80,000 fled in the past two weeks.", "2019-12-11", "2019-12-25"),
    ("80,000 fled three days ago.", "2019-12-22", "2019-12-22"),
    ("80,000 people fled.", None, None),
])
def test_period(sentence, start, end):
    got = period(sentence, PUB)
    assert tuple(d.isoformat() if d else None for d in got) == (start, end)


def test_relative_dates_need_a_publication_date():
    assert period("20 people were killed on Monday.", None) == (None, None)


@pytest.mark.parametrize("sentence,metric,want", [
    ("More than 100,000 civilians in Idlib already had been displaced.", "displaced", "stock"),
    ("6.5 million people are displaced inside Syria.", "displaced", "stock"),
    ("More than 290,000 people have been killed since 2011.", "killed", "stock"),
    ("80,000 people fled this week.", "displaced", "flow"),
    ("Eight people were killed on Monday.", "killed", "flow"),
    ("Idlib is home to nearly 3 million people.", "population", "stock"),
    ("299 families are in need of shelter.", "in_need", "stock"),
])
def test_stock_or_flow(sentence, metric, want):
    assert stock_or_flow(sentence, metric) == want


def test_extract_fills_period_and_stock():
    doc = Document("d", "Air strikes killed 12 people in Ariha on Monday. Since 2011 the war has killed "
                        "more than 290,000 people.", published=PUB)
    got = [(f["value"], f["period_start"], f["period_end"], f["stock_or_flow"]) for f in extract(doc)]
    assert got == [(12, "2019-12-23", "2019-12-23", "flow"), (290000, "2011-01-01", "2019-12-25", "stock")]


def test_running_total_as_of_and_since():
    doc = Document("d", "As of 25 December, OCHA reports that some 284,000 people have fled their homes since "
                        "12 December.", published=date(2019, 12, 27))
    [f] = extract(doc)
    assert (f["period_start"], f["period_end"], f["stock_or_flow"]) == ("2019-12-12", "2019-12-25", "stock")


def test_an_evacuation_of_people_living_somewhere_is_a_flow():
    doc = Document("d", "The government is mobilising to evacuate around 30,000 people living along the coast.")
    [f] = extract(doc)
    assert (f["metric"], f["stock_or_flow"]) == ("evacuated", "flow")
