"""The DuckDB warehouse: migrations, the one-writer publish, and read-only readers that follow publishes."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views.sql"


class WarehouseError(RuntimeError):
    pass


class LockedError(WarehouseError):
    pass


class PublishRefused(WarehouseError):
    """The next version fails a warehouse-level check; the live file stays as it was."""


def scalar(con, sql: str, params=None):
    """The first value of a query. Fetches every row: DuckDB 2 refuses more work on a connection with an
    unfinished result (a bare fetchone() leaves one)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def configure(con: duckdb.DuckDBPyConnection, memory_limit: str, threads: int) -> None:
    con.execute(f"SET memory_limit = '{_checked_size(memory_limit)}'")
    con.execute(f"SET threads = {int(threads)}")


def _checked_size(size: str) -> str:
    if not size.replace(" ", "").rstrip("BKMGTiIb").replace(".", "").isdigit():
        raise WarehouseError(f"memory limit {size!r} is not a size like '1GB'")
    return size


def migrate(con: duckdb.DuckDBPyConnection, views: bool = True) -> list[str]:
    """Apply the migrations this database has not seen yet, in order; returns their names.

    `views` also (re)creates views.sql, which rebuilds the derived tables: a publish does it once, at the end.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for path in sorted(MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        version = int(path.name[:4])
        if version in done:
            continue
        con.execute("BEGIN")
        con.execute(path.read_text())
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, path.name])
        con.execute("COMMIT")
        applied.append(path.name)
    if views:
        con.execute(VIEWS.read_text())
    return applied


def validate(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to publish a database whose public views do not answer or whose figures break the contract."""
    for view in ("v_figures", "v_claims", "v_documents", "v_places", "v_sources", "v_etl_runs"):
        scalar(con, f"SELECT count(*) FROM {view}")
    bad = scalar(
        con,
        "SELECT count(*) FROM figures WHERE value < 0 OR (value_low IS NOT NULL AND value_high IS NOT NULL"
        " AND value_low > value_high) OR (period_start > period_end)",
    )
    if bad:
        raise PublishRefused(f"{bad} figures have negative values or inverted intervals; not publishing")


@contextmanager
def etl_lock(settings):
    """One ETL run at a time, across processes."""
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"another ETL run holds the lock {settings.lock_path}; try again when it ends") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def next_version(settings, check: bool = True):
    """Yield a writable copy of the live database; publish it atomically if the block succeeds.

    The live file is never opened for writing: a failed or killed run leaves it exactly as it was.
    The caller must hold `etl_lock`.
    """
    live, nxt = Path(settings.db), Path(settings.next_db)
    for stale in (nxt, nxt.with_name(nxt.name + ".wal")):
        stale.unlink(missing_ok=True)
    if live.exists():
        shutil.copyfile(live, nxt)
    con = duckdb.connect(str(nxt))
    try:
        configure(con, settings.memory_limit, settings.threads)
        migrate(con, views=False)
        yield con
        con.execute(VIEWS.read_text())
        if check:
            validate(con)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(nxt, live)
    except BaseException:
        con.close()
        nxt.unlink(missing_ok=True)
        raise


class Reader:
    """One read-only connection per process that reopens when a publish replaces the file.

    Use `cursor()` per request; it is cheap and thread-safe.
    """

    def __init__(self, path: Path | str, memory_limit: str = "1GB", threads: int = 2):
        self.path = Path(path)
        self.memory_limit = memory_limit
        self.threads = threads
        self._con = None
        self._stamp = None
        self._lock = threading.Lock()

    def _current_stamp(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise WarehouseError(
                f"no warehouse at {self.path}: run `displacement demo` or `displacement etl run` first"
            ) from None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        stamp = self._current_stamp()
        with self._lock:
            if self._con is None or stamp != self._stamp:
                if self._con is not None:
                    self._con.close()  # DuckDB caches one instance per path: close before reopening
                self._con = duckdb.connect(str(self.path), read_only=True)
                configure(self._con, self.memory_limit, self.threads)
                self._stamp = stamp
            return self._con.cursor()

    def query(self, sql: str, params=None):
        """Run one parameterised query and return (columns, rows)."""
        cur = self.cursor()
        try:
            cur.execute(sql, params or [])
            columns = [d[0] for d in cur.description]
            return columns, cur.fetchall()
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


def reader_for(settings) -> Reader:
    return Reader(settings.db, settings.memory_limit, settings.threads)
