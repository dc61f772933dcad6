"""A warehouse file that older DuckDBs open, and a publish that never destroys another writer's session.

DuckDB 2 writes storage version 2 by default, which no DuckDB 1.x opens. The writer asks for the oldest storage
format instead (`v0.10.0`: header version 64, opened by DuckDB 0.10 to 2.x); docs/schema.md states which readers
were tried. The setting only applies when a file is created, so a file written in the newer format is rewritten
once (`rewrite_if_newer`).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import duckdb

STORAGE_VERSION = "v0.10.0"  # DuckDB's name for the storage format of 0.10.0 to 1.1 (header version 64)
HEADER_VERSION = 64


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-write connection that creates new files in the old storage format."""
    con = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, which is the CLI's output
    return con


def header_version(path: Path | str) -> int | None:
    """The storage version number in the file's main header (bytes 12-20), or None for no/empty file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(20)
    except FileNotFoundError:
        return None
    if len(head) < 20 or head[8:12] != b"DUCK":
        return None
    return int.from_bytes(head[12:20], "little")


def rewrite_if_newer(path: Path | str, drop: tuple[str, ...] = ("v_figure_months", "figure_months")) -> bool:
    """Rewrite a file written in a newer storage format into the old one (tables, views, sequences, data).

    `drop` names derived objects to remove first (views.sql rebuilds them): older builds stored columns that the
    old format cannot hold. Returns whether the file was rewritten.
    """
    path = Path(path)
    version = header_version(path)
    if version is None or version == HEADER_VERSION:
        return False
    con = duckdb.connect(str(path))
    try:
        for name in drop:
            kind = "VIEW" if name.startswith("v_") else "TABLE"
            con.execute(f"DROP {kind} IF EXISTS {name}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    with written_then_renamed(path, path.with_name(path.name + ".rewrite")) as con:
        con.execute(f"ATTACH '{_quoted(path)}' AS src (READ_ONLY)")
        target = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f'COPY FROM DATABASE src TO "{target}"')
        con.execute("DETACH src")
    return True


@contextmanager
def written_then_renamed(path: Path, tmp: Path):
    """A read-write connection to a new file `tmp`, which replaces `path` once the block succeeds (checkpointed,
    closed, renamed in one step); a failed or interrupted block removes it, and `path` stays as it was."""
    tmp.unlink(missing_ok=True)
    con = connect(tmp)
    try:
        yield con
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    os.replace(tmp, path)


def held_message(path: Path | str) -> str | None:
    """Why `path` must not be replaced now: another process holds it open read-write (its writes would be lost)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" not in text.lower():
            return None  # not a lock conflict: the publish itself will report it
        pid = re.search(r"PID (\d+)", text)
        who = f"process {pid.group(1)}" if pid else "another process"
        return (
            f"{who} has the warehouse {path} open read-write; not publishing, because replacing the file would"
            " lose that session's writes. Close it (or open the file read-only) and run again"
        )
    return None


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
