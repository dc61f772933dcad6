"""Two copies of the warehouse used in turn, switched atomically.

`<db>` is a symbolic link to the published copy, `<stem>.versions/v<N>-<token>.duckdb`; the other copy is one
publish behind. A publish renames the older copy to `<db stem>.next.duckdb`, replays on it the changes it missed
(the journal of the last publish: the statements that publish ran, with the data frames it registered), loads
into it, renames it to its new version and points `<db>` at it with one os.replace. It writes what changed, not
the whole file. Each file name is used for one content only, so a reader never mistakes one version for another.

Falls back to copying the published file when the other copy is missing, behind by a publish whose journal is
gone or was a full rebuild, half-written by a killed run, still held by a reader after READERS_GRACE seconds, or
when its replay fails or disagrees with the published row counts. Readers in other processes that may still hold
the older copy (the console's worker with a query started two publishes ago, a public-copy build) watch for it to
be renamed away and then let go of it, so that a publish does not wait for them.
"""

from __future__ import annotations

import os
import pickle
import secrets
import shutil
import time
from pathlib import Path

import duckdb

from etl.warehouse import compat

READERS_GRACE = 5.0  # seconds a publish waits for readers to leave the older copy before copying instead
COUNTED = ("figures", "documents", "claims", "places", "rejects", "etl_runs", "source_state", "sources",
           "figure_facts", "figure_months")


class Recorder:
    """A connection that records every statement that may change data, to replay on the other copy.

    Statements of a rolled-back transaction, and statements that fail, are not recorded."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self.ops: list[tuple] = []
        self._tx: list[tuple] | None = None
        self.heavy = False  # set by a load too large to journal (the next publish copies the file instead)

    def execute(self, sql: str, params=None):
        result = self._con.execute(sql) if params is None else self._con.execute(sql, params)
        word = _first_word(sql)
        if word in ("BEGIN", "START"):
            self._tx = [("sql", sql, params)]
        elif word in ("COMMIT", "END"):
            self.ops += (self._tx or []) + [("sql", sql, params)]
            self._tx = None
        elif word in ("ROLLBACK", "ABORT"):
            self._tx = None
        elif word != "SELECT":
            self._add(("sql", sql, params))
        return result

    def executemany(self, sql: str, params):
        params = list(params)
        result = self._con.executemany(sql, params)
        self._add(("many", sql, params))
        return result

    def register(self, name: str, frame):
        result = self._con.register(name, frame)
        self._add(("register", name, frame))
        return result

    def unregister(self, name: str):
        result = self._con.unregister(name)
        self._add(("unregister", name, None))
        return result

    def _add(self, op: tuple) -> None:
        if self.heavy:
            self.ops, self._tx = [], None if self._tx is None else []
            return
        (self._tx if self._tx is not None else self.ops).append(op)

    def __getattr__(self, name):
        return getattr(self._con, name)


def _first_word(sql: str) -> str:
    for line in sql.splitlines():
        line = line.strip()
        if line and not line.startswith("--"):
            return line.split(None, 1)[0].rstrip(";").upper()
    return ""


def replay(con, ops: list[tuple]) -> None:
    for kind, a, b in ops:
        if kind == "sql":
            con.execute(a) if b is None else con.execute(a, b)
        elif kind == "many":
            con.executemany(a, b)
        elif kind == "register":
            con.register(a, b)
        else:
            con.unregister(a)


class Store:
    """Where the copies, the journal and the link live for one warehouse path."""

    def __init__(self, db: Path, work: Path):
        self.live = Path(os.path.abspath(db))  # absolute, not resolved: `live` is the link itself
        self.work = Path(os.path.abspath(work))
        self.dir = self.live.with_name(self.live.stem + ".versions")
        self.journal = self.dir / "journal"

    @staticmethod
    def version_of(path: Path) -> int:
        return int(path.name[1:].split("-", 1)[0])

    def copies(self) -> dict[int, Path]:
        return {self.version_of(p): p for p in self.dir.glob("v*.duckdb")} if self.dir.is_dir() else {}

    def journals(self) -> dict[int, Path]:
        return {int(p.stem): p for p in self.journal.glob("*.pkl")} if self.journal.is_dir() else {}

    def clear_work(self) -> None:
        for stale in (self.work, self.work.with_name(self.work.name + ".wal")):
            stale.unlink(missing_ok=True)

    def published(self) -> Path | None:
        """The published copy, adopting a plain file left by an older version of the project."""
        if self.live.is_symlink():
            target = self.live.resolve()
            return target if target.exists() else None
        if not self.live.exists():
            return None
        self.dir.mkdir(exist_ok=True)
        copy = self.new_name(0)
        os.link(self.live, copy)  # the same inode: readers of the plain file are not disturbed
        self.point_to(copy)
        return copy

    def new_name(self, version: int) -> Path:
        return self.dir / f"v{version:06d}-{secrets.token_hex(4)}.duckdb"

    def next_number(self, live_version: int) -> int:
        return max([live_version, *self.copies(), *self.journals()]) + 1

    def point_to(self, copy: Path) -> None:
        link = self.live.with_name(self.live.name + ".link")
        link.unlink(missing_ok=True)
        os.symlink(os.path.relpath(copy, self.live.parent), link)
        os.replace(link, self.live)
        _fsync_dir(self.live.parent)

    def write_journal(self, version: int, ops: list[tuple], heavy: bool, published: Path) -> None:
        """`published`: the copy this run wrote; its stamp tells a later run whether anyone has written it since."""
        self.journal.mkdir(parents=True, exist_ok=True)
        tmp = self.journal / f"{version:06d}.tmp"
        with open(tmp, "wb") as handle:
            record = {"heavy": heavy, "ops": ops, "stamp": _stamp(published)}
            pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.journal / f"{version:06d}.pkl")

    def read_journal(self, version: int) -> dict:
        with open(self.journal / f"{version:06d}.pkl", "rb") as handle:
            return pickle.load(handle)

    def prune(self, keep: set[Path], journal: int | None = None) -> None:
        """Delete every copy but `keep`, and every journal entry but `journal`."""
        for path in self.copies().values():
            if path not in keep:
                path.unlink(missing_ok=True)
                path.with_name(path.name + ".wal").unlink(missing_ok=True)
        for version, path in self.journals().items():
            if version != journal:
                path.unlink(missing_ok=True)
        for tmp in self.journal.glob("*.tmp") if self.journal.is_dir() else ():
            tmp.unlink(missing_ok=True)


def _stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: a write by anyone else (an analyst's read-write session) changes them."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _held(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "different configuration" in text


def open_work(store: Store, live: Path | None, live_version: int, in_use) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A writable connection to the work file, holding what `live` holds; and how it got there.

    `in_use(path)` says whether a reader of this process has that file open."""
    store.clear_work()
    store.dir.mkdir(exist_ok=True)
    for version, path in [*store.copies().items(), *store.journals().items()]:
        if version > live_version and path != live:  # written by a run killed before it switched
            path.unlink()
    older = {v: p for v, p in store.copies().items() if p != live and v < live_version}
    standby = older[max(older)] if older else None
    journals = store.journals()
    if standby is not None:
        missed = range(store.version_of(standby) + 1, live_version + 1)
        untouched = live_version in journals and store.read_journal(live_version).get("stamp") == _stamp(live)
        if untouched and all(v in journals and not store.read_journal(v)["heavy"] for v in missed):
            con = _take(store, standby, in_use)
            if con is not None:
                try:
                    for v in missed:
                        replay(con, store.read_journal(v)["ops"])
                    if _counts(con) == _published_counts(live):
                        return con, "replayed"
                except duckdb.Error:
                    pass
                con.close()
                store.clear_work()
    if live is not None:
        shutil.copyfile(live, store.work)
        if compat.rewrite_if_newer(store.work):  # once, for a file in DuckDB 2's default storage format
            con = compat.connect(store.work)
            try:
                con.execute("DELETE FROM warehouse_state WHERE key = 'derived'")  # rewriting dropped them
            except duckdb.CatalogException:
                pass  # older than the derived-table bookkeeping: rebuilt anyway
            con.close()
    return compat.connect(store.work), "copied" if live is not None else "new"


def _take(store: Store, standby: Path, in_use):
    """Rename the older copy to the work file and open it for writing, once no reader holds it."""
    deadline = time.monotonic() + READERS_GRACE
    while in_use(standby) and time.monotonic() < deadline:
        time.sleep(0.05)
    if in_use(standby):
        return None
    os.replace(standby, store.work)  # from here on the older copy is the work file: a killed run discards it
    # Renaming it away is the signal: a console worker or public-copy build still reading it lets go within 0.2 s
    # (dashboard/sql_sandbox.py, etl/public_copy.py); DuckDB's lock lets this process write it once they have.
    deadline = time.monotonic() + READERS_GRACE
    while True:
        try:
            return compat.connect(store.work)
        except duckdb.Error as exc:
            if not _held(exc) or time.monotonic() >= deadline:
                store.work.unlink(missing_ok=True)  # a reader elsewhere keeps its open file
                return None
            time.sleep(0.05)


def _counts(con) -> dict:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in COUNTED}


def _published_counts(live: Path) -> dict:
    con = duckdb.connect(str(live), read_only=True)
    try:
        return _counts(con)
    finally:
        con.close()
