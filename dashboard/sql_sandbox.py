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
- at most `sql_row_cap` rows (and MAX_RESULT_CHARS of text) come back, with `truncated` set when there were more;
- the worker restarts when a publish replaces the warehouse file (a locked instance cannot open files itself).
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
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.connection import Connection

MAX_SQL_CHARS = 100_000  # longer query text is refused before it reaches the worker
MAX_RESULT_CHARS = 20_000_000  # rough size budget of one result, on top of the row cap
GRACE = 3.0  # seconds past the time limit before an unresponsive worker is killed
START_TIMEOUT = 60.0  # seconds a new worker may take to import duckdb and open the file
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


ERRORS = {cls.kind: cls for cls in (SqlRefused, SqlFailed, SqlTimeout, SqlDisabled, SqlBusy)}


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


def run(settings, sql: str) -> Result:
    """Run one untrusted query under `settings`; raises a SqlError subclass with a message for people."""
    if not settings.sql_enabled:
        raise SqlDisabled("The SQL console is turned off on this server (DISPLACEMENT_SQL_ENABLED=false).")
    sql = (sql or "").strip()
    if not sql:
        raise SqlRefused("The query is empty: type a SELECT statement.")
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRefused(f"The query is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}.")
    return _sandbox_for(settings).run(sql)


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
           int(settings.sql_row_cap))
    with _registry_lock:
        box = _sandboxes.get(key)
        if box is None:
            box = _sandboxes[key] = Sandbox(*key)
        return box


class Sandbox:
    """A worker process holding a locked-down DuckDB instance over one warehouse file."""

    def __init__(self, path: str, memory_limit: str, threads: int, timeout: float, row_cap: int):
        self.path, self.memory_limit, self.threads = path, memory_limit, threads
        self.timeout, self.row_cap = timeout, row_cap
        self._lock = threading.Lock()
        self._proc = None
        self._conn = None
        self._stamp = None

    def run(self, sql: str) -> Result:
        # Queries queue for the worker; each takes at most timeout + grace.
        if not self._lock.acquire(timeout=2 * (self.timeout + GRACE)):
            raise SqlBusy("The SQL console is busy with other queries; try again in a moment.")
        try:
            self._ensure_worker()
            try:
                self._conn.send((sql, self.row_cap))
                if not self._conn.poll(self.timeout + GRACE):
                    self._stop()  # stuck where interrupt() cannot reach: kill; the next query starts a new worker
                    raise SqlTimeout(_timeout_message(self.timeout))
                reply = self._conn.recv()
            except (EOFError, OSError):
                self._stop()
                raise SqlFailed(
                    "The query worker stopped unexpectedly (probably out of memory); it restarts for the next query."
                ) from None
        finally:
            self._lock.release()
        if reply[0] == "error":
            raise ERRORS.get(reply[1], SqlFailed)(reply[2])
        _, columns, types, rows, truncated, seconds = reply
        return Result(columns, types, rows, truncated, seconds)

    def _ensure_worker(self) -> None:
        stamp = _file_stamp(self.path)
        alive = self._proc is not None and self._proc.poll() is None
        if alive and stamp == self._stamp:
            return
        self._stop()
        ours, theirs = socket.socketpair()
        with theirs:
            proc = subprocess.Popen(
                [sys.executable, "-P", os.path.abspath(__file__), "--worker", str(theirs.fileno()), self.path,
                 self.memory_limit, str(self.threads), str(self.timeout)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            )
        parent = Connection(ours.detach())
        self._proc, self._conn, self._stamp = proc, parent, stamp
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

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = self._stamp = None
        if conn is not None:
            conn.close()
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(5)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(None)  # ask the worker to close DuckDB cleanly
                    self._proc.wait(2)
                except (OSError, ValueError, subprocess.TimeoutExpired):
                    pass
            self._stop()


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
    import duckdb

    try:
        con = open_locked(path, memory_limit, threads, timeout)
    except duckdb.Error as exc:
        conn.send(("error", "failed", f"The SQL worker could not open the warehouse: {exc}"))
        return
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break  # the app went away
        if message is None:
            break
        sql, row_cap = message
        try:
            conn.send(execute(con, sql, row_cap, timeout))
        except OSError:
            break  # the app went away mid-query
    con.close()


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
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def execute(con, sql: str, row_cap: int, timeout: float) -> tuple:
    """Check and run one query on a locked connection; returns the reply tuple sent to the app."""
    import duckdb

    started = time.monotonic()
    watchdog = threading.Timer(timeout, con.interrupt)
    try:
        check_statement(sql)
        watchdog.start()
        con.execute(sql)
        columns = [d[0] for d in con.description or []]
        types = [str(d[1]) for d in con.description or []]
        rows, truncated = _fetch(con, row_cap)
    except SqlError as exc:
        return ("error", exc.kind, str(exc))
    except duckdb.InterruptException:
        return ("error", "timeout", _timeout_message(timeout))
    except duckdb.Error as exc:
        return ("error", *_explain_error(exc))
    except Exception as exc:  # noqa: BLE001 - anything else is reported, never kills the worker
        return ("error", "failed", f"The query failed: {type(exc).__name__}: {exc}")
    finally:
        watchdog.cancel()
    return ("ok", columns, types, rows, truncated, round(time.monotonic() - started, 3))


def _fetch(con, row_cap: int) -> tuple[list[list], bool]:
    rows, size = [], 0
    while len(rows) <= row_cap:
        chunk = con.fetchmany(min(1000, row_cap + 1 - len(rows)))
        if not chunk:
            return rows, False
        for raw in chunk:
            row = [plain(v) for v in raw]
            size += sum(len(v) if isinstance(v, str) else len(repr(v)) for v in row)  # no copy of big text
            if size > MAX_RESULT_CHARS:
                return rows, True
            rows.append(row)
    return rows[:row_cap], True


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
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, dt.timedelta | uuid.UUID):
        return str(value)
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
