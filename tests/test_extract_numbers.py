"""Numbers, words, hedges, vague amounts and ranges (CONTRACT.md tables)."""

import pytest

from etl.extract.numbers import find_quantities


def one(text):
    qs = find_quantities(text)
    assert qs, text
    q = qs[0]
    return q.value, q.low, q.high, q.qualifier, q.text


@pytest.mark.parametrize("text,value,low,high,qualifier,written", [
    ("80,000 people", 80000, 80000, 80000, "exact", "80,000"),
    ("216,632 displaced", 216632, 216632, 216632, "exact", "216,632"),
    ("900000 people", 900000, 900000, 900000, "exact", "900000"),
    ("six people", 6, 6, 6, "exact", "six"),
    ("Seventy-six people", 76, 76, 76, "exact", "Seventy-six"),
    ("two million people", 2_000_000, 2_000_000, 2_000_000, "exact", "two million"),
    ("1.5 million people", 1_500_000, 1_500_000, 1_500_000, "exact", "1.5 million"),
    ("two dozen people", 24, 24, 24, "exact", "two dozen"),
    ("two hundred and fifty thousand", 250_000, 250_000, 250_000, "exact", "two hundred and fifty thousand"),
    ("over 9 300 households", 9300, 9300, None, "more_than", "over 9 300"),
    ("2.14 lakh people", 214_000, 214_000, 214_000, "exact", "2.14 lakh"),
])
def test_numbers_digits_and_words(text, value, low, high, qualifier, written):
    assert one(text) == (value, low, high, qualifier, written)


@pytest.mark.parametrize("hedge,qualifier,low_is_value,high_is_value", [
    ("about", "approximately", True, True), ("around", "approximately", True, True),
    ("some", "approximately", True, True), ("roughly", "approximately", True, True),
    ("an estimated", "approximately", True, True), ("nearly", "approximately", True, True),
    ("almost", "approximately", True, True), ("close to", "approximately", True, True),
    ("at least", "at_least", True, False), ("no fewer than", "at_least", True, False),
    ("a minimum of", "at_least", True, False),
    ("more than", "more_than", True, False), ("over", "more_than", True, False),
    ("upwards of", "more_than", True, False), ("upward of", "more_than", True, False),
    ("in excess of", "more_than", True, False),
    ("less than", "less_than", False, True), ("fewer than", "less_than", False, True),
    ("under", "less_than", False, True),
    ("up to", "up_to", False, True), ("as many as", "up_to", False, True),
])
def test_every_hedge(hedge, qualifier, low_is_value, high_is_value):
    value, low, high, qual, written = one(f"{hedge} 5,000 people")
    assert (value, qual, written) == (5000, qualifier, f"{hedge} 5,000")
    assert low == (5000 if low_is_value else None)
    assert high == (5000 if high_is_value else None)


@pytest.mark.parametrize("text,value,low,high", [
    ("dozens", 24, 24, 99), ("scores", 40, 40, 99), ("hundreds", 200, 200, 999),
    ("thousands", 2000, 2000, 9999), ("tens of thousands", 20_000, 20_000, 99_999),
    ("hundreds of thousands", 200_000, 200_000, 999_999), ("millions", 2_000_000, 2_000_000, None),
    ("several hundred", 300, 200, 900), ("a few thousand", 3000, 2000, 9000), ("several dozen", 36, 24, 108),
])
def test_every_vague_amount(text, value, low, high):
    assert one(f"{text} of people") == (value, low, high, "vague", text)


@pytest.mark.parametrize("text,low,high,written", [
    ("between 250,000 and 300,000 people", 250_000, 300_000, "between 250,000 and 300,000"),
    ("1,200–2,000 people", 1200, 2000, "1,200–2,000"),
    ("1,200 to 2,000 people", 1200, 2000, "1,200 to 2,000"),
    ("2 to 3 million people", 2_000_000, 3_000_000, "2 to 3 million"),
    ("10,000-15,000 people", 10_000, 15_000, "10,000-15,000"),
    ("about 50-60 people", 50, 60, "50-60"),
])
def test_ranges(text, low, high, written):
    assert one(text) == (low, low, high, "range", written)


def test_hedge_applies_only_to_its_number():
    qs = find_quantities("At least 6 civilians were killed and 35 others were injured")
    assert [(q.value, q.qualifier) for q in qs] == [(6, "at_least"), (35, "exact")]


@pytest.mark.parametrize("text,value,qualifier,low,high", [
    ("Haiti is recovering, with12,345 internally displaced households", 12345, "exact", 12345, 12345),
    ("at least150,000 people are in need", 150000, "at_least", 150000, None),
    ("Around2.5 million people live in camps", 2_500_000, "approximately", 2_500_000, 2_500_000),
    ("between120,000 and 180,000 people fled", 120000, "range", 120000, 180000),
    ("The rains displacedabout  3,300  people in the district", 3300, "approximately", 3300, 3300),
])
def test_numbers_glued_by_pdf_extraction(text, value, qualifier, low, high):
    q = find_quantities(text)[0]
    assert (q.value, q.qualifier, q.low, q.high) == (value, qualifier, low, high)


@pytest.mark.parametrize("text", ["It often rains here", "someone was there", "M23 fighters", "COVID19 spread"])
def test_glued_words_are_not_numbers(text):
    assert find_quantities(text) == []


@pytest.mark.parametrize("text", ["Call 375-6650 for help.", "Call 800-555-1234.", "in the 2014-2015 season",
                                  "a 3-2 vote", "the Su-24 jets"])
def test_hyphenated_numbers_that_are_no_range_are_no_quantity(text):
    assert find_quantities(text) == []


def test_french_more_than_before_a_vowel():
    assert one("plus d'une centaine de personnes") == (100, 100, None, "more_than", "plus d'une centaine")
