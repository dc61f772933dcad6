"""The review store: one SQLite file in WAL mode that many reviewers write while the ETL publishes.

The warehouse keeps one writer (the ETL); reviews live here. Every save is one transaction (BEGIN IMMEDIATE,
synchronous=FULL): once `save` returns, the review is on disk, whatever happens to the process next.

`reviews` holds the current review per figure, keyed so that it survives re-extraction: a document figure by its
document's content hash, its span and its original value; a dataset figure by source, dataset, record, metric and
original value. `version` counts saves: a save names the version it started from, and a different current version
means someone else saved in between (Conflict). `review_log` keeps every change: who, when, before, after, note.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

STATUSES = ("accepted", "corrected", "rejected")
REASONS = ("not_a_figure", "duplicate")
KEY_FIELDS = ("kind", "doc_sha256", "char_start", "char_end", "source", "dataset", "record_id", "metric", "orig_value")

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    review_key  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,      -- 'doc' or 'rec'
    doc_sha256  TEXT, char_start INTEGER, char_end INTEGER,
    source      TEXT, dataset TEXT, record_id TEXT, metric TEXT,
    orig_value  INTEGER NOT NULL,
    figure_id   TEXT,               -- the figure's id when reviewed (for reading; matching uses the key)
    status      TEXT NOT NULL,      -- accepted, corrected, rejected
    reason      TEXT,               -- rejected: not_a_figure, duplicate
    changes     TEXT NOT NULL DEFAULT '{}',  -- corrected fields as JSON
    note        TEXT,
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    version     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS review_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    review_key  TEXT NOT NULL,
    figure_id   TEXT,
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    before      TEXT,               -- the review before this change, JSON (NULL: unreviewed)
    after       TEXT NOT NULL,      -- the review after it, JSON
    note        TEXT,
    version     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_figure ON reviews (figure_id);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
REVIEW_COLUMNS = ("review_key",) + KEY_FIELDS + (
    "figure_id", "status", "reason", "changes", "note", "reviewed_by", "reviewed_at", "version")


class ReviewError(ValueError):
    """A review that cannot be saved; the message says why."""


class Conflict(Exception):
    """Someone saved this figure since the reviewer loaded it; `current` is their review."""

    def __init__(self, current: dict | None):
        super().__init__("this figure was reviewed by someone else since you opened it")
        self.current = current


def review_key(figure: dict) -> dict:
    """The key fields of a figure (a v_figures row with its document's sha256 as `doc_sha256` and the extracted
    value as `orig_value`) and the key string."""
    if figure.get("doc_id"):
        key = {"kind": "doc", "doc_sha256": figure["doc_sha256"], "char_start": figure["char_start"],
               "char_end": figure["char_end"]}
        parts = ("doc", figure["doc_sha256"], figure["char_start"], figure["char_end"], figure["orig_value"])
    else:
        key = {"kind": "rec", "source": figure["source"], "dataset": figure["dataset"],
               "record_id": figure["record_id"], "metric": figure["orig_metric"]}
        parts = ("rec", figure["source"], figure["dataset"], figure["record_id"], figure["orig_metric"],
                 figure["orig_value"])
    key = {name: key.get(name) for name in KEY_FIELDS} | {"orig_value": int(figure["orig_value"])}
    key["review_key"] = "|".join("" if p is None else str(p) for p in parts)
    return key


def now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


class ReviewStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)

    def connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")  # a save that returned survives a crash, even of the machine
        con.execute("PRAGMA busy_timeout=30000")
        con.executescript(SCHEMA)
        return con

    def secret(self) -> bytes:
        """A random key shared by every server process on this store (signs CSRF tokens)."""
        with closing(self.connect()) as con:
            con.execute("INSERT OR IGNORE INTO meta VALUES ('csrf_secret', ?)", [secrets.token_hex(32)])
            return bytes.fromhex(con.execute("SELECT value FROM meta WHERE name = 'csrf_secret'").fetchone()[0])

    def get_many(self, keys) -> dict[str, dict]:
        keys = list(keys)
        if not keys or not self.path.exists():
            return {}
        out = {}
        with closing(self.connect()) as con:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for row in con.execute(f"SELECT * FROM reviews WHERE review_key IN ({marks})", chunk):
                    out[row["review_key"]] = _row(row)
        return out

    def by_figure(self, figure_ids) -> dict[str, dict]:
        """Current reviews of these figure ids (as they were when reviewed), for showing the queue."""
        figure_ids = [f for f in figure_ids if f]
        if not figure_ids or not self.path.exists():
            return {}
        with closing(self.connect()) as con:
            marks = ",".join("?" * len(figure_ids))
            rows = con.execute(f"SELECT * FROM reviews WHERE figure_id IN ({marks})", figure_ids).fetchall()
        return {row["figure_id"]: _row(row) for row in rows}

    def get(self, key: str) -> dict | None:
        return self.get_many([key]).get(key)

    def save(self, key: dict, *, figure_id: str | None, status: str, reviewer: str, expected_version: int,
             changes: dict | None = None, reason: str | None = None, note: str | None = None) -> dict:
        """Save one review in one transaction; raise Conflict if the current version is not `expected_version`
        (0: the reviewer saw the figure unreviewed)."""
        if status not in STATUSES:
            raise ReviewError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        if reason is not None and (status != "rejected" or reason not in REASONS):
            raise ReviewError(f"reason {reason!r}: a rejection's reason is one of {', '.join(REASONS)}")
        changes = changes or {}
        if status == "corrected" and not changes:
            raise ReviewError("a correction needs at least one changed field")
        if status != "corrected":
            changes = {}
        with closing(self.connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                row = con.execute("SELECT * FROM reviews WHERE review_key = ?", [key["review_key"]]).fetchone()
                before = _row(row) if row else None
                version = before["version"] if before else 0
                if version != int(expected_version):
                    raise Conflict(before)
                after = {name: key.get(name) for name in ("review_key",) + KEY_FIELDS} | {
                    "figure_id": figure_id, "status": status, "reason": reason, "changes": changes,
                    "note": (note or "").strip()[:2000] or None, "reviewed_by": reviewer, "reviewed_at": now(),
                    "version": version + 1,
                }
                stored = after | {"changes": json.dumps(changes, sort_keys=True, default=str)}
                con.execute(
                    f"INSERT OR REPLACE INTO reviews ({', '.join(REVIEW_COLUMNS)})"
                    f" VALUES ({', '.join('?' * len(REVIEW_COLUMNS))})", [stored[c] for c in REVIEW_COLUMNS])
                con.execute(
                    "INSERT INTO review_log (review_key, figure_id, reviewed_by, reviewed_at, before, after, note,"
                    " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [after["review_key"], figure_id, reviewer, after["reviewed_at"],
                     json.dumps(before, sort_keys=True, default=str) if before else None,
                     json.dumps(after, sort_keys=True, default=str), after["note"], after["version"]])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return after

    def log(self, limit: int | None = None, review_key: str | None = None) -> list[dict]:
        """Every change (of one figure, with `review_key`), newest first."""
        if not self.path.exists():
            return []
        where, params = ("WHERE review_key = ?", [review_key]) if review_key else ("", [])
        with closing(self.connect()) as con:
            sql = f"SELECT * FROM review_log {where} ORDER BY id DESC" + (" LIMIT ?" if limit else "")
            rows = con.execute(sql, params + ([limit] if limit else [])).fetchall()
        return [dict(row) for row in rows]


def _row(row) -> dict:
    out = dict(row)
    out["changes"] = json.loads(out["changes"] or "{}")
    return out


def read_all(path: Path | str) -> list[dict]:
    """Every current review, read-only (the ETL at publish): never creates or changes the store."""
    path = Path(path)
    if not path.exists():
        return []
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        con.execute("PRAGMA busy_timeout=30000")
        try:
            rows = con.execute("SELECT * FROM reviews ORDER BY review_key").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        return [_row(row) for row in rows]
    finally:
        con.close()
