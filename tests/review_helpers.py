"""Helpers for review tests: a figure of the warehouse with what the review store keys it by."""

from __future__ import annotations

from etl.review.store import ReviewStore, review_key
from etl.warehouse import reader_for

FIGURE_SQL = ("SELECT figure_id, doc_id, doc_sha256, char_start, char_end, source, dataset, record_id,"
              " original_value AS orig_value, original_metric AS orig_metric, value, metric, review_status"
              " FROM v_figures WHERE {where} ORDER BY figure_id")


def figures(settings, where: str = "TRUE", params=None) -> list[dict]:
    reader = reader_for(settings)
    try:
        columns, rows = reader.query(FIGURE_SQL.format(where=where), params)
    finally:
        reader.close()
    return [dict(zip(columns, row)) for row in rows]


def save(settings, figure: dict, status: str, reviewer: str = "alice", expected_version: int = 0, **kwargs):
    return ReviewStore(settings.review_path).save(
        review_key(figure), figure_id=figure["figure_id"], status=status, reviewer=reviewer,
        expected_version=expected_version, **kwargs)
