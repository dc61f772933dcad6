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
