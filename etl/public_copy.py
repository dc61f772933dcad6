"""The public copy: a DuckDB file holding only rows that may be redistributed, for the SQL console.

With DISPLACEMENT_PUBLIC_ONLY on, untrusted SQL (/sql, /api/sql, `displacement sql`) runs on this file, never on
the warehouse: rows of sources whose terms forbid redistribution (etl.licences) are not in it, so no query, table
function or catalog trick can reach them. It holds:

- the base tables the v_* views read (figures, documents, rejects, etl_runs, sources, places, review_overlay),
  each without the restricted sources' rows, and without source_state, schema_migrations and warehouse_state;
- the derived tables (figure_facts, figure_months, claims) rebuilt from those rows, so no count, sum or claim
  carries a restricted figure;
- views.sql and comments.sql as in the warehouse: the same v_* views with the same data dictionary.

One copy per published version, `<db stem>.versions/public/p-<key>.duckdb`, where the key names the published
file (each published file name holds one content only). Built once, by whoever needs it first (the console's
background builder, or `displacement sql`), under a lock; the two newest are kept, so a console still serving the
previous copy keeps its file.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl import licences
from etl.warehouse import WarehouseError, compat, configure, derived, views_sql

log = logging.getLogger("etl")
WATCH_EVERY = 0.2  # seconds between the build's checks that a publish has not taken the file it reads
KEEP = 2  # public copies kept: the newest and the one before (a console may still serve it)
FILTERED = {"figures": "source", "documents": "source", "rejects": "source", "etl_runs": "source",
            "sources": "name", "places": "source"}


def published(db: Path | str) -> Path:
    """The published file `db` points at (the link resolved)."""
    real = Path(os.path.realpath(db))
    if not real.exists():
        raise WarehouseError(f"no warehouse at {db}: run `displacement demo` or `displacement etl run` first")
    return real


def folder(db: Path | str) -> Path:
    db = Path(os.path.abspath(db))
    return db.with_name(db.stem + ".versions") / "public"


def path_for(db: Path | str) -> Path:
    """Where the public copy of the version `db` now points at goes (built or not)."""
    real = published(db)
    st = os.stat(real)
    key = hashlib.sha1(f"{real}|{st.st_ino}|{st.st_mtime_ns}|{st.st_size}".encode()).hexdigest()[:16]
    return folder(db) / f"p-{key}.duckdb"


def ready(db: Path | str) -> Path | None:
    """The public copy of the published version, if it is built."""
    path = path_for(db)
    return path if path.exists() else None


def newest(db: Path | str) -> Path | None:
    """The newest public copy built, of any version (the console serves it while the next one is built)."""
    copies = sorted(folder(db).glob("p-*.duckdb"), key=lambda p: p.stat().st_mtime_ns) if folder(db).is_dir() else []
    return copies[-1] if copies else None


def ensure(db: Path | str, memory_limit: str = "1GB", threads: int = 2) -> Path:
    """The public copy of the published version, built now if it is not yet (waits for a build under way)."""
    path = path_for(db)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / "build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; a second asker waits and finds it built
        try:
            if not path.exists():
                build(published(db), path, memory_limit, threads)
                prune(path.parent, keep=path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path


def build(source: Path, out: Path, memory_limit: str = "1GB", threads: int = 2) -> None:
    """Write the public copy of the warehouse file `source` to `out` (atomically: a temporary file, renamed)."""
    started = time.monotonic()
    # not p-*.duckdb: newest() and prune() must never see a copy being written
    with compat.written_then_renamed(out, out.with_name(out.name + ".tmp")) as con:
        configure(con, memory_limit, threads)
        con.execute(f"SET temp_directory = '{_q(out.parent / 'spill')}'")
        con.execute(f"ATTACH '{_q(source)}' AS src (READ_ONLY)")
        with _let_go_when_taken(con, source):
            hidden = ", ".join(repr(s) for s in licences.restricted_sources())
            for table, column in FILTERED.items():
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.main.{table} WHERE {column} NOT IN ({hidden})")
            con.execute("CREATE TABLE review_overlay AS SELECT * FROM src.main.review_overlay"
                        " WHERE figure_id IN (SELECT figure_id FROM figures)")
            con.execute("CREATE TABLE claims AS SELECT * FROM src.main.claims LIMIT 0")  # derived.rebuild fills it
            con.execute("DETACH src")
        con.execute("CREATE TABLE warehouse_state (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)")  # dropped below
        derived.rebuild(con)
        con.execute(views_sql())
        con.execute("DROP TABLE warehouse_state")
    log.info("public copy %s built in %.1f s (%d bytes)", out.name, time.monotonic() - started, out.stat().st_size)


@contextmanager
def _let_go_when_taken(con, source: Path):
    """Interrupt the block's reads of the published file `source` if a publish takes it to write the next version
    (two publishes later it renames that copy away): this build is of an outdated version by then, and holding
    the file would make that publish copy the whole warehouse instead of bringing the copy up to date."""
    opened, done = os.stat(source).st_ino, threading.Event()

    def watch():
        while not done.wait(WATCH_EVERY):
            try:
                taken = os.stat(source).st_ino != opened
            except FileNotFoundError:
                taken = True
            if taken:
                con.interrupt()
                return

    watcher = threading.Thread(target=watch, name="public-copy-watch", daemon=True)
    watcher.start()
    try:
        yield
    except duckdb.InterruptException:
        raise WarehouseError("the warehouse was refreshed twice during the build; the next query builds the"
                             " copy of the newest version") from None
    finally:
        done.set()
        watcher.join()


def prune(directory: Path, keep: Path) -> None:
    """Delete all but the KEEP newest copies (`keep` always stays). A console holding a deleted copy open reads on."""
    for stale in directory.glob("p-*.duckdb.tmp*"):  # left by a killed build (prune runs under the build lock)
        stale.unlink(missing_ok=True)
    copies = sorted(directory.glob("p-*.duckdb"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in copies[KEEP:]:
        if old != keep:
            old.unlink(missing_ok=True)


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def main(argv: list[str]) -> int:
    """`python -m etl.public_copy DB MEMORY_LIMIT THREADS`: the console's background builder."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.nice(10)  # the app's own queries come first
    db, memory_limit, threads = argv[0], argv[1], int(argv[2])
    try:
        ensure(db, memory_limit, threads)
    except (duckdb.Error, WarehouseError, OSError) as exc:
        log.error("the public copy of %s could not be built: %s", Path(db).name, str(exc).splitlines()[0])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
