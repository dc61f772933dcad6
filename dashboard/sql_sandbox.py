"""Untrusted SQL (the /sql console and /api/sql) in a locked-down DuckDB worker process.

The lockdown is DuckDB's own: a read-only connection with extension autoinstall/autoload off, a memory limit,
`max_execution_time`, then `enable_external_access=false` and `lock_configuration=true`. Those settings hold for
the whole DuckDB instance of a process, so the instance lives in a separate worker process and the app's own
connection is untouched. The worker is a fresh interpreter running this file (`python sql_sandbox.py --worker FD`)
and talks over a multiprocessing Connection on a socket pair: like the spawn start method, but it never re-runs
the app's main script, so it also works under scripts without an `if __name__ == "__main__"` guard.
On top of that:

- the parser must see exactly one read statement (SELECT, WITH, FROM, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN);
- a watchdog thread in the worker calls `interrupt()` at the time limit; a worker that does not answer within
  the limit plus a grace period is killed and restarted;
- at most `sql_row_cap` rows and MAX_RESULT_BYTES come back, streamed in Arrow batches, `truncated` set when cut;
- the local file system is switched off in the engine once the warehouse is open (read_blob, read_text, glob…);
- error messages lose file paths and DuckDB's configuration advice;
- in a web request, a client may have `sql_per_client` queries running or waiting and the server `sql_queue`.
- the worker restarts when a publish replaces the warehouse file (a locked instance cannot open files itself);
  an idle worker exits within WATCH_EVERY of the switch, so it never holds the old copy the next publish reuses.
  A query still running when the publish after next takes that copy to write (renames it away) is interrupted
  within WATCH_EVERY and run again once on the published file, so the publish never waits or copies the file.
- with DISPLACEMENT_PUBLIC_ONLY on, the worker never opens the warehouse: it opens the public copy
  (etl.public_copy), a file that holds no row of a source whose terms forbid redistribution. A publish's copy is
  built in the background on the next query; until it is ready the console serves the previous copy.
"""

from __future__ import annotations

import atexit
import datetime as dt
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.connection import Connection

MAX_SQL_CHARS = 100_000  # longer query text is refused before it reaches the worker
MAX_RESULT_BYTES = 20_000_000  # Arrow bytes of one result at most, on top of the row cap (and memory_limit / 8)
BATCH_ROWS = 2048  # rows per Arrow batch fetched from DuckDB
GRACE = 3.0  # seconds past the time limit before an unresponsive worker is killed
START_TIMEOUT = 60.0  # seconds a new worker may take to import duckdb and open the file
WATCH_EVERY = 0.2  # seconds between the worker's checks that its file is still the published one
STALE = 75  # the exit status of a worker that left a replaced file
FRESH_WAIT = 10.0  # seconds a query waits for a new public copy before the previous one answers it
READ_ONLY_KINDS = "SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN"


class SqlError(Exception):
    """A query that was refused or failed; `status` is the HTTP status /api/sql answers with."""

    status = 400
    kind = "failed"


class SqlRefused(SqlError):
    kind = "refused"


class SqlFailed(SqlError):
    kind = "failed"


class SqlTimeout(SqlError):
    status = 408
    kind = "timeout"


class SqlDisabled(SqlError):
    status = 403
    kind = "disabled"


class SqlBusy(SqlError):
    status = 429
    kind = "busy"


class SqlRefreshed(SqlError):
    """The query ran on a copy that a publish took to write the next version (see _leave_when_replaced)."""

    status = 503
    kind = "refreshed"


ERRORS = {cls.kind: cls for cls in (SqlRefused, SqlFailed, SqlTimeout, SqlDisabled, SqlBusy, SqlRefreshed)}
REFRESHED = "The warehouse was refreshed twice while this query ran; run it again."


@dataclass
class Result:
    columns: list[str]
    types: list[str]
    rows: list[list] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------------------------
# The parent side: one worker per warehouse and settings, one query at a time per worker.
# ---------------------------------------------------------------------------------------------------------------


def run(settings, sql: str, client: str | None = None) -> Result:
    """Run one untrusted query under `settings`; raises a SqlError subclass with a message for people."""
    if not settings.sql_enabled:
        raise SqlDisabled("The SQL console is turned off on this server (DISPLACEMENT_SQL_ENABLED=false).")
    sql = (sql or "").strip()
    if not sql:
        raise SqlRefused("The query is empty: type a SELECT statement.")
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRefused(f"The query is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}.")
    with _admission.admit(_client() if client is None else client, settings):
        return _sandbox_for(settings).run(sql)


class Admission:
    """How many console queries may run or wait at once, per client and in all: the rest are refused at once
    (429), so the app's own threads are never all waiting on the console."""

    def __init__(self):
        self._lock = threading.Lock()
        self._total = 0
        self._per: dict[str, int] = {}

    @contextmanager
    def admit(self, client: str | None, settings):
        if client is None:  # not a web request (CLI, scripts): no server threads to protect
            yield
            return
        with self._lock:
            if self._per.get(client, 0) >= max(1, int(settings.sql_per_client)):
                raise SqlBusy(f"You already have {self._per[client]} queries running or waiting; "
                              "wait for one to finish.")
            if self._total >= max(1, int(settings.sql_queue)):
                raise SqlBusy("The SQL console is busy with other queries; try again in a moment.")
            self._total += 1
            self._per[client] = self._per.get(client, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._total -= 1
                self._per[client] -= 1
                if not self._per[client]:
                    del self._per[client]


_admission = Admission()


def _client() -> str | None:
    """Who is asking, inside a web request: the signed-in user, else the address; None outside requests."""
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - flask comes with dash
        return None
    if not has_request_context():
        return None
    user = request.authorization.username if request.authorization else None
    return f"user:{user}" if user else f"addr:{request.remote_addr}"


def shutdown() -> None:
    """Stop every worker (the app calls this on shutdown; also registered with atexit)."""
    with _registry_lock:
        boxes = list(_sandboxes.values())
        _sandboxes.clear()
    for box in boxes:
        box.close()


_sandboxes: dict[tuple, Sandbox] = {}
_registry_lock = threading.Lock()
atexit.register(shutdown)


def _sandbox_for(settings) -> Sandbox:
    key = (str(settings.db), settings.sql_memory_limit, int(settings.threads), float(settings.sql_timeout),
           int(settings.sql_row_cap), settings.restricted, settings.memory_limit)
    with _registry_lock:
        box = _sandboxes.get(key)
        if box is None:
            box = _sandboxes[key] = Sandbox(*key)
        return box


class Sandbox:
    """A worker process holding a locked-down DuckDB instance over one warehouse file."""

    def __init__(self, path: str, memory_limit: str, threads: int, timeout: float, row_cap: int,
                 public: bool = False, build_memory: str = "1GB"):
        self.path, self.memory_limit, self.threads = path, memory_limit, threads
        self.timeout, self.row_cap = timeout, row_cap
        self.public, self.build_memory = public, build_memory
        self._lock = threading.Lock()
        self._proc = None
        self._conn = None
        self._stamp = None
        self._serving = None  # the file the worker has open: the warehouse, or its public copy
        self._builder = None  # the background process building the next public copy
        self._build_lock = threading.Lock()

    def run(self, sql: str) -> Result:
        # Queries queue for the worker; each takes at most timeout + grace.
        if self.public:
            self._await_copy()  # a build is waited for here, not in the worker's queue
        if not self._lock.acquire(timeout=2 * (self.timeout + GRACE)):
            raise SqlBusy("The SQL console is busy with other queries; try again in a moment.")
        try:
            reply = self._ask(sql)
        finally:
            self._lock.release()
        if reply[0] == "error":
            raise ERRORS.get(reply[1], SqlFailed)(reply[2])
        _, columns, types, rows, truncated, seconds = reply
        return Result(columns, types, rows, truncated, seconds)

    def _ask(self, sql: str) -> tuple:
        for attempt in range(2):
            self._ensure_worker()
            try:
                self._conn.send((sql, self.row_cap))
                if not self._conn.poll(self.timeout + GRACE):
                    self._stop()  # stuck where interrupt() cannot reach: kill; the next query starts a new worker
                    raise SqlTimeout(_timeout_message(self.timeout))
                reply = self._conn.recv()
                if reply[:2] == ("error", "refreshed") and not attempt:
                    self._stop()
                    continue  # a publish took the file under the query: once more, on the published file
                return reply
            except (EOFError, OSError):
                left = self._left_replaced_file()
                self._stop()
                if left and not attempt:
                    continue  # it left a replaced file as the query arrived: ask a new worker
                raise SqlFailed(
                    "The query worker stopped unexpectedly (probably out of memory); it restarts for the next query."
                ) from None

    def _left_replaced_file(self) -> bool:
        try:
            return self._proc.wait(2) == STALE
        except subprocess.TimeoutExpired:
            return False

    def _ensure_worker(self) -> None:
        alive = self._proc is not None and self._proc.poll() is None
        target = self._target(alive)
        if alive and self.public and target == self._serving:
            return  # a public copy never changes (and may be pruned while the worker keeps it open)
        stamp = (target, _file_stamp(target))
        if alive and stamp == self._stamp:
            return
        self._stop()
        ours, theirs = socket.socketpair()
        with theirs:
            proc = subprocess.Popen(
                [sys.executable, "-P", os.path.abspath(__file__), "--worker", str(theirs.fileno()), target,
                 self.memory_limit, str(self.threads), str(self.timeout)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            )
        parent = Connection(ours.detach())
        self._proc, self._conn, self._stamp, self._serving = proc, parent, stamp, target
        if not parent.poll(START_TIMEOUT):
            self._stop()
            raise SqlFailed("The SQL worker did not start in time; try again.")
        try:
            reply = parent.recv()
        except (EOFError, OSError):
            self._stop()
            raise SqlFailed("The SQL worker could not start; try again.") from None
        if reply[0] == "error":
            self._stop()
            raise ERRORS.get(reply[1], SqlFailed)(reply[2])

    def _await_copy(self) -> None:
        """With public-only on: make sure a public copy exists, outside the worker's queue (etl.public_copy).

        A publish's copy is built in the background; the query that starts the build waits up to FRESH_WAIT
        seconds for it, later ones go on at once with the previous copy. With no copy at all yet, queries wait
        for the first one up to START_TIMEOUT."""
        from etl import public_copy

        _file_stamp(self.path)  # no warehouse: say so
        with self._build_lock:
            if public_copy.ready(self.path) is not None:
                return
            started = self._builder is None or self._builder.poll() is not None
            if started:
                self._builder = subprocess.Popen(
                    [sys.executable, "-m", "etl.public_copy", self.path, self.build_memory, str(self.threads)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                )
            builder = self._builder
            previous = self._serving is not None or public_copy.newest(self.path) is not None
        try:
            builder.wait((FRESH_WAIT if started else 0) if previous else START_TIMEOUT)
        except subprocess.TimeoutExpired:
            if not previous:
                raise SqlBusy("The public copy of the warehouse is still being prepared; try again in a minute."
                              ) from None
        if not previous and public_copy.ready(self.path) is None:
            raise SqlFailed("The public copy of the warehouse could not be built; the server log says why.")

    def _target(self, alive: bool) -> str:
        """The file the worker should serve: the warehouse, or with public-only on its newest public copy."""
        if not self.public:
            _file_stamp(self.path)  # no warehouse: say so
            return self.path
        from etl import public_copy

        copy = public_copy.ready(self.path)
        if copy is None and alive and self._serving:
            return self._serving  # the previous copy, while the next one is built
        copy = copy or public_copy.newest(self.path)
        if copy is None:
            raise SqlFailed("The public copy of the warehouse could not be built; the server log says why.")
        return str(copy)

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = self._stamp = self._serving = None
        if conn is not None:
            conn.close()
        if proc is not None and proc.poll() is None:
            proc.kill()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass  # killed, still in the kernel (disk I/O on a loaded machine): it goes on its own

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(None)  # ask the worker to close DuckDB cleanly
                    self._proc.wait(2)
                except (OSError, ValueError, subprocess.TimeoutExpired):
                    pass
            self._stop()
            if self._builder is not None and self._builder.poll() is None:
                self._builder.kill()  # its half-written file is removed by the next build
                self._builder.wait(5)


def _file_stamp(path: str):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SqlFailed("There is no warehouse yet: run `displacement demo` or `displacement etl run`.") from None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _timeout_message(timeout: float) -> str:
    return f"The query was stopped after {timeout:g} s (the time limit). Narrow it down with WHERE or LIMIT."


# ---------------------------------------------------------------------------------------------------------------
# The worker side: runs in the worker process (this file as a script); imports nothing from the app.
# ---------------------------------------------------------------------------------------------------------------


def _worker_main(conn, path: str, memory_limit: str, threads: int, timeout: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C goes to the app, which stops the worker
    yield_cpu()
    import duckdb

    opened = _inode(path)  # before opening: a switch in between makes the worker leave at once, never stay
    try:
        con = open_locked(path, memory_limit, threads, timeout)
    except duckdb.Error as exc:
        conn.send(("error", "failed", scrub(f"The SQL worker could not open the warehouse: {exc}", path)))
        return
    conn.send(("ready",))
    busy = threading.Lock()
    real = os.path.realpath(path)  # the link resolved: a publish that takes this copy to write renames it away
    threading.Thread(target=_leave_when_replaced, args=(con, path, opened, busy, real), daemon=True).start()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break  # the app went away
        if message is None:
            break
        sql, row_cap = message
        with busy:
            try:
                conn.send(execute(con, sql, row_cap, timeout, path, result_bytes(memory_limit)))
            except OSError:
                break  # the app went away mid-query
    con.close()


_TAKEN = threading.Event()  # set in the worker when a publish took its file: the interrupt is not a timeout


def yield_cpu() -> None:
    """Run only on CPU the app leaves idle: a busy console never slows the app's own requests. Call it before
    DuckDB starts its threads, which inherit it. SCHED_IDLE where Linux has it, else the lowest nice level."""
    os.nice(19)
    if hasattr(os, "sched_setscheduler"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            pass


def _leave_when_replaced(con, path: str, opened, busy: threading.Lock, real: str | None = None) -> None:
    """Exit (status STALE) once a publish has replaced the open file and no query runs: the old copy is the one
    the next publish brings up to date, and a reader holding it would make that publish copy the whole file.

    When that publish has already taken the file (`real`, the link's target, renamed away) and a query still runs,
    the query is interrupted and answered 'refreshed' (the app runs it again): the publish writes the file next,
    and DuckDB's lock lets it only once this process has closed it. A public copy (not a link) is never taken."""
    taken = lambda: real and real != os.path.abspath(path) and _inode(real) != opened  # noqa: E731
    while True:
        time.sleep(WATCH_EVERY)
        if _inode(path) == opened:
            continue
        if not busy.acquire(blocking=False):
            if not taken():
                continue  # the query finishes on its snapshot; the worker leaves after it
            _TAKEN.set()
            con.interrupt()
            busy.acquire()  # the query ends at the interrupt; its answer goes out first (the app kills a stuck worker)
        con.close()
        os._exit(STALE)


def _inode(path: str):
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def open_locked(path: str, memory_limit: str, threads: int, timeout: float):
    """A read-only connection whose instance can touch no file but `path` and whose settings cannot change.

    Call it only in a process of its own: the settings hold for every connection of the DuckDB instance.
    """
    import duckdb

    con = duckdb.connect(
        path,
        read_only=True,
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": memory_limit,
            "threads": int(threads),
            "temp_directory": "",  # no spilling to disk: a query past the memory limit fails instead
            "max_execution_time": max(1, int(timeout * 1000)),  # milliseconds; the watchdog below backs it up
        },
    )
    con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, the server's log
    con.execute("SET enable_external_access = false")
    con.execute("SET disabled_filesystems = 'LocalFileSystem'")  # the open warehouse reads on; no other file
    con.execute("SET lock_configuration = true")
    return con


def execute(con, sql: str, row_cap: int, timeout: float, path: str = "", max_bytes: int = 0) -> tuple:
    """Check and run one query on a locked connection; returns the reply tuple sent to the app."""
    import duckdb

    started = time.monotonic()
    watchdog = threading.Timer(timeout, con.interrupt)
    try:
        check_statement(sql)
        watchdog.start()
        relation = con.sql(sql)  # a relation streams: con.execute() would materialise the whole result first
        if relation is None:
            return ("ok", [], [], [], False, round(time.monotonic() - started, 3))
        columns, types = list(relation.columns), [str(t) for t in relation.types]
        rows, truncated = _fetch(relation, row_cap, max_bytes or MAX_RESULT_BYTES)
    except SqlError as exc:
        return ("error", exc.kind, str(exc))
    except duckdb.InterruptException:
        return _interrupted(timeout)
    except duckdb.Error as exc:
        kind, message = _explain_error(exc)
        return ("error", kind, scrub(message, path, sql))
    except Exception as exc:  # noqa: BLE001 - anything else is reported, never kills the worker
        if "INTERRUPT Error" in str(exc):  # the watchdog's interrupt, raised through the Arrow stream
            return _interrupted(timeout)
        return ("error", "failed", scrub(f"The query failed: {type(exc).__name__}: {exc}", path, sql))
    finally:
        watchdog.cancel()
    return ("ok", columns, types, rows, truncated, round(time.monotonic() - started, 3))


def _interrupted(timeout: float) -> tuple:
    return ("error", "refreshed", REFRESHED) if _TAKEN.is_set() else ("error", "timeout", _timeout_message(timeout))


def _fetch(relation, row_cap: int, max_bytes: int) -> tuple[list[list], bool]:
    """At most `row_cap` rows and `max_bytes` of Arrow data, streamed in small batches: only what is kept
    becomes Python, so a huge result never lands in the worker's memory outside DuckDB's limit."""
    stream = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader  # DuckDB 2 renamed it
    reader = stream(BATCH_ROWS)
    rows, size = [], 0
    for batch in reader:
        full = size + batch.nbytes > max_bytes
        if full:  # keep the rows that fit, by the batch's average row size
            batch = batch.slice(0, (max_bytes - size) * batch.num_rows // max(1, batch.nbytes))
        size += batch.nbytes
        columns = [column.to_pylist() for column in batch.columns]
        rows.extend([plain(v) for v in row] for row in zip(*columns))
        if full or len(rows) > row_cap:
            return rows[:row_cap], True
    return rows, False


def result_bytes(memory_limit: str) -> int:
    """The byte cap of one result: a slice of the worker's memory limit, at most MAX_RESULT_BYTES."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)i?B?\s*", memory_limit, re.I)
    if not match:
        return MAX_RESULT_BYTES
    scale = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}[match.group(2).upper()]
    return max(1 << 20, min(MAX_RESULT_BYTES, int(float(match.group(1)) * scale) // 8))


def plain(value):
    """A DuckDB value as JSON-ready Python: numbers, text, lists and dicts."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, list | tuple) and type(value).__name__ != "MonthDayNano":
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, dt.timedelta | uuid.UUID):
        return str(value)
    if type(value).__name__ == "MonthDayNano":  # an INTERVAL through Arrow
        months = f"{value.months} month{'s' if value.months != 1 else ''}, " if value.months else ""
        return months + str(dt.timedelta(days=value.days, microseconds=value.nanoseconds // 1000))
    return str(value)


_LEADING_COMMENTS = r"\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*"
_EXPLAIN = re.compile(_LEADING_COMMENTS + r"explain\s+(?:analyze\s+)?(?:\([^)]*\)\s*)?", re.I | re.S)
_FIRST_WORD = re.compile(_LEADING_COMMENTS + r"(\w+)", re.S)


def check_statement(sql: str) -> None:
    """Refuse anything but exactly one read statement, using DuckDB's own parser."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlFailed(f"The query does not parse: {exc}") from None
    if not statements:
        raise SqlRefused("The query is empty: type a SELECT statement.")
    if len(statements) > 1:
        raise SqlRefused(f"Refused: one statement at a time, please (this text holds {len(statements)}).")
    statement = statements[0]
    if statement.type == duckdb.StatementType.EXPLAIN:
        match = _EXPLAIN.match(statement.query)
        if match:
            return check_statement(statement.query[match.end() :])
    if statement.type != duckdb.StatementType.SELECT:
        match = _FIRST_WORD.match(statement.query)
        word = match.group(1).upper() if match else statement.type.name
        raise SqlRefused(
            f"Refused: this console runs read-only queries ({READ_ONLY_KINDS}); {word} statements are not allowed."
        )


_ADVICE = re.compile(r"\s*(?:Possible solutions:|See also|You can |Database is launched|Unused blocks).*", re.S)
_PATH = re.compile(r"(?<![\w:/.])(?:[A-Za-z]:)?[/\\](?:[^\s'\"/\\]+[/\\])+[^\s'\"/\\]*")


def scrub(message: str, path: str = "", sql: str = "") -> str:
    """One line with no file path (but those the query itself names) and no advice about DuckDB's settings,
    which the console cannot change."""
    if path:
        message = message.replace(os.path.abspath(path), "the warehouse").replace(path, "the warehouse")
    message = _ADVICE.sub("", message)
    message = _PATH.sub(lambda m: m.group(0) if m.group(0) in sql else "<path>", message)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " ".join(lines[:1]) if lines else "The query failed."


def _explain_error(exc) -> tuple[str, str]:
    """(kind, message) for a DuckDB error, with a plain-words reason for the lockdown's refusals."""
    import duckdb

    text = str(exc).strip()
    if isinstance(exc, duckdb.PermissionException):
        return "refused", (
            "Refused: the SQL console cannot read or write files, attach databases, use the network or load "
            f"extensions. ({text})"
        )
    if "configuration has been locked" in text:
        return "refused", f"Refused: settings cannot be changed in the SQL console. ({text})"
    if "read-only mode" in text:
        return "refused", f"Refused: the warehouse is read-only. ({text})"
    if isinstance(exc, duckdb.OutOfMemoryException):
        return "failed", f"The query needs more memory than the console allows; aggregate or filter more. ({text})"
    return "failed", text


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _fd, _path, _memory, _threads, _timeout = sys.argv[2:7]
    _worker_main(Connection(int(_fd)), _path, _memory, int(_threads), float(_timeout))
