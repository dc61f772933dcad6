"""extract() never raises and its offsets always point at quantity_text, whatever the text."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.extract import extract
from etl.model import CONTRACT_FIELDS, METRICS, QUALIFIERS, UNITS, Document, check_figure

WORDS = ["killed", "displaced", "fled", "at least", "more than", "dozens", "thousands", "of", "people", "homes",
         "destroyed", "the U.N. said", "according to", "Idlib", "Aleppo", "in", "on Monday", "since 2011", "two",
         "1,200", "-", "2,000", "between", "and", "families", ".", ",", "(", ")", "\n", "\n\n", "\ufffd", "ﬂ",
         "Accessibility links", "Breaking News", "900000", "several hundred", "Maarat al-Numan", "monitor"]

texty = st.lists(st.sampled_from(WORDS) | st.text(alphabet=string.printable, max_size=6), max_size=60).map(" ".join)


def check(text, title=None):
    doc = Document("p", text, title=title)
    figs = extract(doc)
    for f in figs:
        assert tuple(f) == CONTRACT_FIELDS
        assert text[f["char_start"]:f["char_end"]] == f["quantity_text"]
        assert f["metric"] in METRICS and f["qualifier"] in QUALIFIERS and f["unit"] in UNITS
        check_figure(f)  # the warehouse's own validator accepts it


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_unicode_text(text):
    check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texty, st.none() | texty)
def test_news_like_text(text, title):
    check(text, title)
