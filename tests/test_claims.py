"""Claims: the same figure from the same organisation, repeated across articles, is one claim."""

import json

from helpers import query

from etl import runner

SENTENCE = "Fighting in Idlib has displaced 80,000 people this week, the U.N. said."


def write_articles(folder, docs):
    folder.mkdir(exist_ok=True)
    with open(folder / "news.jsonl", "w") as f:
        for doc in docs:
            f.write(json.dumps(doc) + "\n")


def test_a_claim_carried_by_several_articles_is_one_claim_with_its_documents(settings):
    write_articles(settings.articles_dir, [
        {"id": "a1", "text": SENTENCE, "publisher": "AFP", "published": "2019-12-24"},
        {"id": "a2", "text": "Syria. " + SENTENCE, "publisher": "Reuters", "published": "2019-12-26"},
        {"id": "a3", "text": "Shelling in Idlib has displaced 80,000 people, the Syrian Observatory said.",
         "publisher": "AP", "published": "2019-12-26"},
    ])
    runner.run(settings, ["gazetteer", "articles"])
    claims = query(settings, "SELECT claimed_by_org, value, admin1_pcode, n_figures, n_documents, doc_ids"
                             " FROM v_claims WHERE metric = 'displaced' ORDER BY claimed_by_org")
    assert claims == [
        ("Syrian Observatory for Human Rights", 80000, "SY07", 1, 1, ["a3"]),
        ("United Nations", 80000, "SY07", 2, 2, ["a1", "a2"]),
    ]


def test_claims_are_rebuilt_when_a_document_changes(settings):
    write_articles(settings.articles_dir, [{"id": "a1", "text": SENTENCE, "published": "2019-12-24"}])
    runner.run(settings, ["gazetteer", "articles"])
    write_articles(settings.articles_dir, [
        {"id": "a1", "text": SENTENCE.replace("80,000", "90,000"), "published": "2019-12-24"}])
    runner.run(settings, ["gazetteer", "articles"])
    assert query(settings, "SELECT value FROM v_claims") == [(90000,)]
    assert query(settings, "SELECT value FROM v_figures") == [(90000,)]
