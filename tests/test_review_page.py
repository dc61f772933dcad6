"""The /review page's parts without a browser: the sentence and its neighbours, the save callback's CSRF and
permission checks, the p-code picker, and flags from the extractor."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.pages import _review_parts as parts
from etl.extract import extract
from etl.model import Document
from etl.review.store import ReviewStore
from tests.review_helpers import figures

TEXT = "The U.N. said there was shelling. Fighting displaced 5,000 people in the town, the UN said. Aid arrived later."


def _text(component) -> str:
    children = component.children if hasattr(component, "children") else component
    if isinstance(children, (list, tuple)):
        return "".join(_text(c) for c in children)
    return "" if children is None else str(children) if not hasattr(children, "children") else _text(children)


def test_the_figure_is_marked_in_its_sentence_between_its_neighbours():
    start = TEXT.index("5,000")
    fig = {"char_start": start, "char_end": start + 5,
           "evidence": "Fighting displaced 5,000 people in the town, the UN said."}
    shown = parts.context(TEXT, 0, fig)
    before, sentence, after = shown.children
    assert _text(before) == "The U.N. said there was shelling."
    assert _text(after) == "Aid arrived later."
    assert sentence.children[1].children == "5,000" and _text(sentence) == fig["evidence"]
    window = TEXT[10:]
    assert _text(parts.context(window, 10, fig).children[1]) == fig["evidence"]


@pytest.fixture
def app(demo_warehouse):
    from dashboard.app import create_app

    app = create_app(dataclasses.replace(demo_warehouse, review_without_auth=True))
    yield app
    app.close_resources()


def test_the_save_callback_refuses_a_missing_or_forged_token(app, demo_warehouse):
    from dashboard import review
    from dashboard.pages.review import FORM, submit

    fig = figures(demo_warehouse, "doc_id IS NOT NULL")[0]
    blank = [None] * len(FORM)
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        for token in (None, "forged"):
            notice, go = submit(app.settings, {"figure_id": fig["figure_id"], "version": 0, "token": token},
                                "accept", None, None, blank)
            assert "security token" in _text(notice) and go is dash_no_update()
        assert ReviewStore(demo_warehouse.review_path).log() == []
        token = review.csrf_token(app.settings, "local")
        notice, go = submit(app.settings, {"figure_id": fig["figure_id"], "version": 0, "token": token,
                                           "next": "abc", "search": "?status=unreviewed"}, "reject", None, "n", blank)
        assert go == f"?status=unreviewed&figure=abc&saved={fig['figure_id']}"
    assert ReviewStore(demo_warehouse.review_path).log()[0]["note"] == "n"


def test_the_place_picker_knows_every_spelling(app):
    from dashboard import queries

    found = queries.places_matching(app.reader, "idleb")
    assert found and found[0]["pcode"] == "SY07"
    spelled = {r["pcode"] for r in queries.places_matching(app.reader, "idlib")}
    assert "SY07" in spelled
    label = parts.place_option(found[0], "edlib")["label"]
    assert label.startswith("Idleb (SY07, admin1) · also Edlib")


def test_extraction_flags_what_it_guessed():
    from etl.extract.flags import guesses
    from etl.extract.numbers import find_quantities

    doc = Document(doc_id="d", text="Clashes displaced thousands in Idlib, the UN said. Officials counted 300 in the "
                                    "south; the total displaced by the fighting that week was not known.")
    figs = extract(doc, None)
    flags = {f["quantity_text"]: f["flags"] for f in figs}
    assert "vague_amount" in flags["thousands"] and "unit_guess" in flags["thousands"]
    assert all(isinstance(f["flags"], list) for f in figs)
    text = "Shelling went on. It killed 12 people, officials said."
    q = find_quantities(text, 0, len(text))[0]
    fig = {"qualifier": "exact", "metric": "killed", "claimed_by": "activists", "claimed_by_org": None,
           "location_text": "Idlib", "evidence": "It killed 12 people, officials said.", "flags": ["generic_source"]}
    assert guesses(text, q, "people", fig) == ["carried_source", "place_from_context"]


def dash_no_update():
    from dash import no_update

    return no_update
