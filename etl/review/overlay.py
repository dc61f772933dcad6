"""Overlay the review store onto `figures` at publish: restore what the last publish changed, then apply every
current review again (rejections, corrections, acceptances), so a review survives re-extraction and re-runs.

Called once per publish, in the next warehouse version, after the sources merged and before claims are rebuilt
(claims use corrected values). The store is only read. A review whose figure is no longer extracted is kept in
`review_overlay` with no figure_id (orphaned) for `etl status`; one that would break the contract is skipped there
with its problem, never published.
"""

from __future__ import annotations

import json
import logging
import sqlite3

import pandas as pd

from etl.model import FigureError, check_figure
from etl.review import priority, store
from etl.warehouse import WarehouseError

log = logging.getLogger("etl.review")

# Fields a reviewer may correct, with their DuckDB types.
FIELDS = {
    "metric": "VARCHAR", "value": "BIGINT", "value_low": "BIGINT", "value_high": "BIGINT", "qualifier": "VARCHAR",
    "unit": "VARCHAR", "claimed_by": "VARCHAR", "claimed_by_org": "VARCHAR", "country_iso3": "VARCHAR",
    "admin1_pcode": "VARCHAR", "admin2_pcode": "VARCHAR", "period_start": "DATE", "period_end": "DATE",
    "stock_or_flow": "VARCHAR",
}
REVIEW_COLUMNS = ("review_status", "reviewed_by", "reviewed_at", "review_note", "original")

_RESTORE = ", ".join(
    f"{name} = CASE WHEN json_exists(original, '$.{name}') THEN CAST(original ->> '$.{name}' AS {kind})"
    f" ELSE {name} END" for name, kind in FIELDS.items())

_MATCH = """
SELECT r.review_key, f.figure_id
FROM review_rows r
JOIN documents d ON d.sha256 = r.doc_sha256
JOIN figures f ON f.doc_id = d.doc_id AND f.char_start = r.char_start AND f.char_end = r.char_end
                  AND f.value = r.orig_value
WHERE r.kind = 'doc'
UNION ALL
SELECT r.review_key, f.figure_id
FROM review_rows r
JOIN figures f ON f.source = r.source AND f.dataset = r.dataset AND f.record_id = r.record_id
                  AND f.metric = r.metric AND f.value = r.orig_value
WHERE r.kind = 'rec'
"""


def apply(con, review_path, run_id: int | None = None) -> dict:
    """Overlay the reviews in `review_path` onto `figures` through `con`; returns counts.

    `run_id` stamps the rows it changes (load_id), so the publish updates their derived rows and priorities.

    An unreadable store stops the publish (WarehouseError): publishing without it would undo every review."""
    try:
        reviews = store.read_all(review_path)
    except sqlite3.Error as exc:
        raise WarehouseError(f"cannot read the review store {review_path}: {exc}; not publishing") from None
    con.execute("BEGIN")
    try:
        stamp = "" if run_id is None else f", load_id = {int(run_id)}"
        restore(con, stamp)
        counts = _apply(con, reviews, stamp)
        priority.update(con, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    log.info("reviews: %s", counts)
    return counts


def restore(con, stamp: str = "") -> None:
    """Put back the extracted values of every figure the last publish reviewed. A figure the source has
    rewritten since (its content_hash changed) already holds fresh values: only its review columns are cleared."""
    con.execute(
        f"UPDATE figures SET {_RESTORE}{stamp} WHERE original IS NOT NULL"
        " AND original ->> '$._content_hash' = content_hash")
    con.execute(
        "UPDATE figures SET review_status = NULL, reviewed_by = NULL, reviewed_at = NULL, review_note = NULL,"
        f" original = NULL{stamp} WHERE review_status IS NOT NULL OR original IS NOT NULL")


def _apply(con, reviews: list[dict], stamp: str = "") -> dict:
    con.execute("DELETE FROM review_overlay")
    if not reviews:
        return {"reviews": 0, "applied": 0, "orphaned": 0, "invalid": 0}
    frame = pd.DataFrame.from_records(reviews, columns=["review_key", *store.KEY_FIELDS])
    frame = frame.astype({"char_start": "Int64", "char_end": "Int64", "orig_value": "Int64"})
    con.register("review_rows", frame)
    try:
        matches = con.execute(_MATCH).fetchall()
    finally:
        con.unregister("review_rows")
    figure_ids: dict[str, list[str]] = {}
    for key, figure_id in matches:
        figure_ids.setdefault(key, []).append(figure_id)
    current = _figures(con, sorted({f for ids in figure_ids.values() for f in ids}))
    updates, overlay = [], []
    for review in reviews:
        ids = figure_ids.get(review["review_key"], [])
        base = _overlay_row(review)
        if not ids:
            overlay.append(base | {"figure_id": None, "problem": "orphaned: the figure is no longer extracted"})
        for figure_id in ids:
            row, problem = corrected(current[figure_id], review)
            overlay.append(base | {"figure_id": figure_id, "problem": problem})
            if row is not None:
                updates.append(row)
    if updates:
        _write(con, updates, stamp)
    frame = pd.DataFrame.from_records(overlay, columns=["review_key", "figure_id", "status", "reviewed_by",
                                                        "reviewed_at", "problem"])
    frame["reviewed_at"] = pd.to_datetime(frame["reviewed_at"])
    con.register("overlay_rows", frame)
    con.execute("INSERT INTO review_overlay SELECT review_key, figure_id, status, reviewed_by,"
                " CAST(reviewed_at AS TIMESTAMP), problem FROM overlay_rows")
    con.unregister("overlay_rows")
    orphaned = sum(1 for r in overlay if r["figure_id"] is None)
    return {"reviews": len(reviews), "applied": len(updates), "orphaned": orphaned,
            "invalid": sum(1 for r in overlay if r["figure_id"] and r["problem"])}


def _overlay_row(review: dict) -> dict:
    return {"review_key": review["review_key"], "status": review["status"], "reviewed_by": review["reviewed_by"],
            "reviewed_at": review["reviewed_at"]}


def _figures(con, figure_ids: list[str]) -> dict[str, dict]:
    if not figure_ids:
        return {}
    columns = ["figure_id", "content_hash", *FIELDS]
    rows = con.execute(f"SELECT {', '.join(columns)} FROM figures WHERE list_contains(?, figure_id)",
                       [figure_ids]).fetchall()
    return {row[0]: dict(zip(columns, row)) for row in rows}


def corrected(figure: dict, review: dict) -> tuple[dict | None, str | None]:
    """(the figure's new field values and review columns, None) or (None, why the review cannot apply)."""
    changes = {k: v for k, v in (review.get("changes") or {}).items() if k in FIELDS}
    new = {name: figure[name] for name in FIELDS} | changes
    if changes:
        try:
            checked = check_figure({k: v for k, v in new.items()})
        except FigureError as exc:
            return None, f"correction not applied: {exc}"
        if checked["value_low"] is not None and checked["value_high"] is not None \
                and checked["value_low"] > checked["value_high"]:
            return None, "correction not applied: value_low is above value_high"
        new = {name: checked[name] for name in FIELDS}
    original = {name: _plain(figure[name]) for name in FIELDS if new[name] != figure[name]}
    status = review["status"]
    if status == "corrected" and not original:
        status = "accepted"  # the correction equals what is extracted now
    return {"figure_id": figure["figure_id"], **new, "review_status": status, "reviewed_by": review["reviewed_by"],
            "reviewed_at": review["reviewed_at"], "review_note": review.get("note"),
            "original": json.dumps(original | {"_content_hash": figure["content_hash"]}, default=str)
            if original else None}, None


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _write(con, rows: list[dict], stamp: str = "") -> None:
    frame = pd.DataFrame.from_records(rows, columns=["figure_id", *FIELDS, *REVIEW_COLUMNS])
    frame = frame.astype({"value": "Int64", "value_low": "Int64", "value_high": "Int64"})
    for name in ("period_start", "period_end", "reviewed_at"):
        frame[name] = pd.to_datetime(frame[name])
    con.register("review_updates", frame)
    sets = ", ".join(f"{name} = CAST(u.{name} AS {kind})" for name, kind in FIELDS.items())
    con.execute(
        f"UPDATE figures SET {sets}, review_status = u.review_status, reviewed_by = u.reviewed_by,"
        f" reviewed_at = CAST(u.reviewed_at AS TIMESTAMP), review_note = u.review_note, original = u.original{stamp}"
        " FROM review_updates u WHERE figures.figure_id = u.figure_id")
    con.unregister("review_updates")
