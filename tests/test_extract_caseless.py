"""ASCII documents are matched without re.I on a lower-cased copy (rx.lower_ascii): the figures must be exactly the
ones the case-insensitive patterns give, which is what any non-ASCII document still gets."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.extract import extract, rx
from etl.extract.attribution import find_attributions
from etl.extract.metrics import metric_before
from etl.extract.numbers import find_quantities
from etl.model import Document

WORDS = ["Some", "ABOUT", "at least", "Twenty-Five", "THOUSANDS", "Dozens", "of", "people", "were", "KILLED", "killing",
         "Displacing", "2,500", "1.5 Million", "A Hundred", "According To", "the UN", "OCHA", "said", "Per", "up to",
         "Evacuated", "between", "10", "and", "20", "Families", "Dos", "Cientos", "Scores", "homes", "destroyed", ",",
         "."]
NON_ASCII = " Café."  # one non-ASCII character sends the whole text down the re.I path


def _quantities(text):
    return [(q.start, q.end, q.text, q.value, q.low, q.high, q.qualifier) for q in find_quantities(text)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
def test_lower_cased_ascii_matches_like_re_i(words):
    text = " ".join(words)
    assert rx.lower_ascii(text) is not None and rx.lower_ascii(text + NON_ASCII) is None
    assert _quantities(text) == _quantities(text + NON_ASCII)[:len(_quantities(text))]
    assert metric_before(text, 0, len(text)) == metric_before(text + NON_ASCII, 0, len(text))
    ascii_atts = [(a.start, a.text) for a in find_attributions(text, 0, len(text))]
    assert ascii_atts == [(a.start, a.text) for a in find_attributions(text + NON_ASCII, 0, len(text))]


def test_a_document_gives_the_same_figures_with_and_without_a_non_ascii_character():
    body = ("According to the UN, ABOUT 2,500 Families were DISPLACED by floods in Assam. Dozens of homes were "
            "destroyed, officials said. Twenty-Five people were killed, the Red Cross said.")
    plain = extract(Document(doc_id="d", text=body))
    other = extract(Document(doc_id="d", text=body + NON_ASCII))
    assert plain and [f["quantity_text"] for f in plain] == ["ABOUT 2,500", "Dozens", "Twenty-Five"]
    drop = ("evidence",)  # the last sentence's evidence is the only thing the extra word may touch
    assert [{k: v for k, v in f.items() if k not in drop} for f in plain] == \
        [{k: v for k, v in f.items() if k not in drop} for f in other]


def test_caseless_refuses_a_pattern_with_capitals():
    assert rx.caseless(re.compile(r"\bkilled\s+(?P<n>\d+)\S", re.I)).flags & re.I == 0
    with pytest.raises(ValueError):
        rx.caseless(re.compile(r"(?-i:[A-Z])killed", re.I))
