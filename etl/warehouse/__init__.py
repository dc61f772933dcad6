"""The DuckDB warehouse: migrations, the one-writer publish, and read-only readers that follow publishes."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl.warehouse import compat, derived, versions

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views.sql"
log = logging.getLogger("etl")
COMMENTS = HERE / "comments.sql"  # the data dictionary: COMMENT ON every v_* view and column


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
    con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, which is the CLI's output


def _checked_size(size: str) -> str:
    if not size.replace(" ", "").rstrip("BKMGTiIb").replace(".", "").isdigit():
        raise WarehouseError(f"memory limit {size!r} is not a size like '1GB'")
    return size


def migrate(con: duckdb.DuckDBPyConnection, views: bool = True) -> list[str]:
    """Apply the migrations this database has not seen yet, in order; returns their names.

    `views` also builds the derived tables if they are missing or out of date, then (re)creates views.sql: a
    publish does both once, at the end.
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
        if not derived.is_current(con):
            derived.rebuild(con)
        con.execute(views_sql())
    return applied


def views_sql() -> str:
    """views.sql, then the comments on its views (recreating a view drops its comments)."""
    return VIEWS.read_text() + "\n" + COMMENTS.read_text()


def create_views(con, force: bool = False) -> None:
    """(Re)create views.sql unless this file already holds the same text (recorded in warehouse_state): an
    unchanged definition costs a publish nothing, where recreating it took ~0.1 s of CPU, twice (replay)."""
    text = views_sql()
    digest = int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)
    if not force and derived._state(con, "views") == digest:
        return
    con.execute(text)
    derived._set_state(con, "views", digest)


def refuse_if_held(path) -> None:
    """Refuse to replace a live file that another process holds open read-write: its writes would be lost."""
    message = compat.held_message(path)
    if message:
        raise WarehouseError(message)


def validate(con: duckdb.DuckDBPyConnection, since: int | None = None) -> None:
    """Refuse to publish a database whose public views do not answer or whose figures break the contract.

    `since`: only figures loaded after that run are checked (the others were when they were published)."""
    for view in ("v_figures", "v_claims", "v_documents", "v_places", "v_sources", "v_etl_runs"):
        scalar(con, f"SELECT count(*) FROM (SELECT * FROM {view} LIMIT 0)")  # binds (LIMIT 1 counted every
        # document's figures for v_documents: a scan of the warehouse at each publish)
    bad = scalar(
        con,
        "SELECT count(*) FROM figures WHERE (value < 0 OR (value_low IS NOT NULL AND value_high IS NOT NULL"
        " AND value_low > value_high) OR (period_start > period_end))"
        + ("" if since is None else f" AND load_id > {int(since)}"),
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
def next_version(settings, claims: bool = False, check: bool = True):
    """Yield a writable connection to the next version of the warehouse; publish it atomically if the block succeeds.

    The published file is never opened for writing: a failed or killed run leaves it exactly as it was. The next
    version is the older of two copies brought up to date (see versions.py); the derived tables are then updated
    for what the block changed. `claims`: the claims too (the runner's publishes; test fixtures write their own).
    The caller must hold `etl_lock`.
    """
    store = versions.Store(settings.db, settings.next_db)
    live = store.published()
    if live is not None:
        refuse_if_held(live)
    live_version = store.version_of(live) if live is not None and live.parent == store.dir.resolve() else 0
    con, how = versions.open_work(store, live, live_version, _in_use)
    try:
        configure(con, settings.memory_limit, settings.threads)
        con.execute(f"SET temp_directory = '{store.dir / 'spill'}'")  # large sorts spill here, within the limit
        recorder = versions.Recorder(con)
        migrated = migrate(recorder, views=False)
        since = derived.watermark(con)
        derived.snapshot_places(recorder)
        yield recorder
        rebuilt = derived.maintain(recorder, claims) == "rebuilt"
        create_views(recorder, force=rebuilt or bool(migrated))
        if check:
            validate(con, since)
        con.execute("CHECKPOINT")
        con.close()
        version = store.next_number(live_version)
        final = store.new_name(version)
        os.replace(store.work, final)
        store.write_journal(version, recorder.ops, heavy=rebuilt or recorder.heavy, published=final)
        if live is not None:
            refuse_if_held(live)
        store.point_to(final)
    except BaseException:
        con.close()
        store.clear_work()
        raise
    store.prune(keep={final, live}, journal=version)
    log.info("published %s (%s, derived tables %s)", final.name, how, "rebuilt" if rebuilt else "updated")


_OPEN: Counter = Counter()  # inode -> snapshots of this process's Readers that have that file open
_OPEN_LOCK = threading.Lock()


def _in_use(path: Path) -> bool:
    try:
        ino = os.stat(path).st_ino
    except FileNotFoundError:
        return False
    with _OPEN_LOCK:
        return _OPEN[ino] > 0


class _Snapshot:
    """One read-only connection to one published file."""

    def __init__(self, stamp, memory_limit: str, threads: int):
        self.stamp, self.users = stamp, 0
        self.con = duckdb.connect(stamp[0], read_only=True)
        try:
            configure(self.con, memory_limit, threads)
        except BaseException:
            self.con.close()
            raise
        with _OPEN_LOCK:
            _OPEN[stamp[1]] += 1

    def close(self) -> None:
        self.con.close()
        with _OPEN_LOCK:
            _OPEN[self.stamp[1]] -= 1


class ReaderCursor:
    """A DuckDB cursor on one snapshot; close() hands the snapshot back (closed once unused and replaced)."""

    def __init__(self, reader: Reader, snapshot: _Snapshot):
        self._reader, self._snapshot = reader, snapshot
        self._cur = snapshot.con.cursor()
        self._done = False

    def __getattr__(self, name):
        return getattr(self._cur, name)

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._cur.close()
            self._reader._release(self._snapshot)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class Reader:
    """Read-only access to the published warehouse that follows publishes and never closes a connection in use.

    Each publish makes a new file; `cursor()` opens it on first use after the switch (an immutable snapshot) and
    hands out cursors of it, counting them. A replaced snapshot is closed when its last cursor closes, or within a
    second by a watcher thread when no cursor is open, so a publish does not wait for an idle reader.
    Use `cursor()` per request and close it; it is cheap and thread-safe.
    """

    WATCH_EVERY = 0.5

    def __init__(self, path: Path | str, memory_limit: str = "1GB", threads: int = 2):
        self.path = Path(path)
        self.memory_limit = memory_limit
        self.threads = threads
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    def _current_stamp(self):
        try:
            real = os.path.realpath(self.path)
            st = os.stat(real)
        except FileNotFoundError:
            raise WarehouseError(
                f"no warehouse at {self.path}: run `displacement demo` or `displacement etl run` first"
            ) from None
        return (real, st.st_ino, st.st_mtime_ns, st.st_size)

    def cursor(self) -> ReaderCursor:
        for attempt in range(3):
            stamp = self._current_stamp()
            with self._lock:
                snapshot = self._snapshot
                if snapshot is None or snapshot.stamp != stamp:
                    try:
                        snapshot = _Snapshot(stamp, self.memory_limit, self.threads)
                    except duckdb.Error:
                        if attempt == 2:
                            raise
                        continue  # a publish moved the file between stat and open: look again
                    self._replace(snapshot)
                snapshot.users += 1
                self._watch()
            try:
                return ReaderCursor(self, snapshot)
            except BaseException:
                self._release(snapshot)
                raise
        raise WarehouseError(f"the warehouse at {self.path} changed too often to open")

    def _replace(self, snapshot: _Snapshot | None) -> None:
        old, self._snapshot = self._snapshot, snapshot
        if old is not None and old.users == 0:
            old.close()

    def _release(self, snapshot: _Snapshot) -> None:
        with self._lock:
            snapshot.users -= 1
            if snapshot is not self._snapshot and snapshot.users == 0:
                snapshot.close()

    def _watch(self) -> None:
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch_loop, name="reader-watch", daemon=True)
            self._watcher.start()

    def _watch_loop(self) -> None:
        while True:
            time.sleep(self.WATCH_EVERY)
            with self._lock:
                snapshot = self._snapshot
                if snapshot is None:
                    self._watcher = None
                    return
                if snapshot.users == 0:
                    try:
                        stale = self._current_stamp() != snapshot.stamp
                    except WarehouseError:
                        stale = True
                    if stale:
                        self._replace(None)

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
            self._replace(None)


def reader_for(settings) -> Reader:
    return Reader(settings.db, settings.memory_limit, settings.threads)
