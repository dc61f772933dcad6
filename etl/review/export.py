"""The audit trail of the review store as rows: every change, who, when, before, after and note."""

from __future__ import annotations

import json

from etl.review.store import ReviewStore

COLUMNS = ("change_id", "reviewed_at", "reviewed_by", "figure_id", "review_key", "status_before", "status",
           "reason", "changes_before", "changes", "note", "version")


def audit_rows(path, limit: int | None = None) -> list[dict]:
    out = []
    for entry in ReviewStore(path).log(limit):
        before = json.loads(entry["before"]) if entry["before"] else {}
        after = json.loads(entry["after"])
        out.append({
            "change_id": entry["id"], "reviewed_at": entry["reviewed_at"], "reviewed_by": entry["reviewed_by"],
            "figure_id": entry["figure_id"], "review_key": entry["review_key"],
            "status_before": before.get("status", "unreviewed"), "status": after["status"],
            "reason": after.get("reason"),
            "changes_before": json.dumps(before.get("changes") or {}, sort_keys=True),
            "changes": json.dumps(after.get("changes") or {}, sort_keys=True),
            "note": entry["note"], "version": entry["version"],
        })
    return out
