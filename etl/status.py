"""Freshness per source: last success, last failure, rows, and whether it is stale against its schedule."""

from __future__ import annotations

from datetime import UTC, datetime

from etl.warehouse import reader_for


def source_status(settings, now: datetime | None = None) -> list[dict]:
    from etl.schedule import is_stale, schedules

    now = now or datetime.now(UTC).replace(tzinfo=None)
    crons = schedules(settings)
    reader = reader_for(settings)
    try:
        columns, rows = reader.query(
            "SELECT source, kind, last_success, last_failure, last_error, last_rows_loaded, runs, figures"
            " FROM v_sources ORDER BY source"
        )
    finally:
        reader.close()
    out = []
    for row in rows:
        item = dict(zip(columns, row))
        cron = crons.get(item["source"])
        item["schedule"] = cron
        item["stale"] = bool(cron) and is_stale(cron, item["last_success"], now)
        out.append(item)
    return out


def review_overlay(settings) -> tuple[int, list[dict]]:
    """(reviews applied at the last publish, the orphaned ones: their figure is no longer extracted)."""
    reader = reader_for(settings)
    try:
        columns, rows = reader.query(
            "SELECT review_key, status, reviewed_by, reviewed_at, orphaned, problem FROM v_review_overlay"
            " ORDER BY reviewed_at, review_key")
    finally:
        reader.close()
    items = [dict(zip(columns, row)) for row in rows]
    return sum(1 for r in items if not r["orphaned"] and not r["problem"]), [r for r in items if r["orphaned"]]
