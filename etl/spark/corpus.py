"""FA-KES-shaped CSV rows (unit_id, article_title, article_content, source, date_iso, …) → JSONL documents."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def fakes_documents(path: str | Path) -> list[dict]:
    """One document per CSV row, in the JSONL shape `displacement extract` and the Spark job read."""
    with open(path, encoding="utf-8", newline="") as f:
        return [{"id": row["unit_id"], "title": row["article_title"], "text": row["article_content"],
                 "publisher": row["source"], "published": row.get("date_iso") or None}
                for row in csv.DictReader(f)]


def write_jsonl(documents: list[dict], path: str | Path, copies: int = 1) -> int:
    """Write the documents `copies` times, each copy with its own ids (`ID-2`, `ID-3`, …); returns the count."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for copy in range(1, copies + 1):
            for doc in documents:
                f.write(json.dumps({**doc, "id": doc["id"] if copy == 1 else f"{doc['id']}-{copy}"},
                                   ensure_ascii=False) + "\n")
                n += 1
    return n
