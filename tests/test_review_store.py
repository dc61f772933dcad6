"""The review store: transactions, versions (conflicts), the audit log, and the ETL's read-only access."""

from __future__ import annotations

import os
import sqlite3

import pytest

from etl.review.store import Conflict, ReviewError, ReviewStore, read_all, review_key

DOC_FIGURE = {"figure_id": "f1", "doc_id": "d1", "doc_sha256": "abc", "char_start": 10, "char_end": 16,
              "orig_value": 80000, "orig_metric": "displaced", "source": "articles"}
REC_FIGURE = {"figure_id": "f2", "doc_id": None, "source": "curated", "dataset": "idlib", "record_id": "7",
              "orig_value": 1200, "orig_metric": "killed"}


def test_keys_name_the_document_hash_span_and_original_value():
    assert review_key(DOC_FIGURE)["review_key"] == "doc|abc|10|16|80000"
    assert review_key(REC_FIGURE)["review_key"] == "rec|curated|idlib|7|killed|1200"


def test_save_keeps_every_change_and_refuses_a_stale_version(tmp_path):
    store = ReviewStore(tmp_path / "r.sqlite")
    key = review_key(DOC_FIGURE)
    first = store.save(key, figure_id="f1", status="corrected", changes={"value": 90000}, reviewer="alice",
                       expected_version=0, note="typo in the article")
    assert first["version"] == 1
    with pytest.raises(Conflict) as err:
        store.save(key, figure_id="f1", status="rejected", reason="duplicate", reviewer="bob", expected_version=0)
    assert err.value.current["reviewed_by"] == "alice"
    assert err.value.current["changes"] == {"value": 90000}
    store.save(key, figure_id="f1", status="accepted", reviewer="bob", expected_version=1)
    log = store.log()
    assert [(e["reviewed_by"], e["version"]) for e in log] == [("bob", 2), ("alice", 1)]
    assert '"value": 90000' in log[0]["before"] and log[1]["before"] is None
    assert store.get(key["review_key"])["status"] == "accepted"
    with sqlite3.connect(tmp_path / "r.sqlite") as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("kwargs, message", [
    ({"status": "maybe"}, "status"),
    ({"status": "rejected", "reason": "boring"}, "reason"),
    ({"status": "corrected"}, "at least one"),
])
def test_bad_reviews_are_refused_and_nothing_is_written(tmp_path, kwargs, message):
    store = ReviewStore(tmp_path / "r.sqlite")
    with pytest.raises(ReviewError, match=message):
        store.save(review_key(DOC_FIGURE), figure_id="f1", reviewer="alice", expected_version=0, **kwargs)
    assert store.log() == []


def test_the_etl_reads_without_creating_or_writing(tmp_path):
    path = tmp_path / "r.sqlite"
    assert read_all(path) == [] and not path.exists()
    ReviewStore(path).save(review_key(REC_FIGURE), figure_id="f2", status="rejected", reason="not_a_figure",
                           reviewer="alice", expected_version=0)
    os.chmod(path, 0o444)
    try:
        rows = read_all(path)
    finally:
        os.chmod(path, 0o644)
    assert [(r["status"], r["reason"], r["orig_value"]) for r in rows] == [("rejected", "not_a_figure", 1200)]
