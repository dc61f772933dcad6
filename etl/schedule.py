"""Scheduled refresh: run each source on its cron schedule (settings.schedule), one ETL run at a time.

`displacement etl schedule` calls `run_forever`. Cron expressions are read in UTC. A source is due when a
scheduled time has come since its last attempt (or it never ran); the due sources of a tick run together through
`etl.runner.run`, which holds the same lock as `etl run`: when another run holds it, the tick is skipped and the
sources stay due. A failing source is recorded by the runner and tried again at its next scheduled time.
"""

from __future__ import annotations

import fnmatch
import logging
import signal
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from croniter import croniter

from etl import runner
from etl import sources as registry
from etl.warehouse import LockedError

log = logging.getLogger("etl.schedule")
GRACE = timedelta(minutes=5)
MAX_SLEEP = 300.0  # seconds: wake at least this often, so a stop request or a clock jump is noticed
LOCKED_RETRY = 60.0  # seconds before trying again when another ETL run held the lock


class ScheduleError(ValueError):
    pass


def schedules(settings) -> dict[str, str]:
    """Source name -> cron expression from `glob=cron;glob=cron`; a later entry overrides an earlier one."""
    plan: dict[str, str] = {}
    names = registry.names()
    for entry in (settings.schedule or "").split(";"):
        if not entry.strip():
            continue
        pattern, sep, cron = entry.partition("=")
        pattern, cron = pattern.strip(), " ".join(cron.split())
        if not sep or not pattern or not cron:
            raise ScheduleError(f"DISPLACEMENT_SCHEDULE entry {entry.strip()!r} is not `source-glob=cron`")
        if not croniter.is_valid(cron):
            raise ScheduleError(f"DISPLACEMENT_SCHEDULE: {cron!r} (for {pattern}) is not a cron expression")
        matched = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not matched:
            raise ScheduleError(f"DISPLACEMENT_SCHEDULE: {pattern!r} matches no source; known: {', '.join(names)}")
        for name in matched:
            plan[name] = cron
    return plan


def next_time(cron: str, after: datetime) -> datetime:
    """The first scheduled time strictly after `after` (naive UTC)."""
    return croniter(cron, after).get_next(datetime)


def is_stale(cron: str, last_success: datetime | None, now: datetime, grace: timedelta = GRACE) -> bool:
    """True when a scheduled run after the last success should have happened by now (give or take `grace`)."""
    if last_success is None:
        return True
    return now > next_time(cron, _naive(last_success)) + grace


def is_due(cron: str, last_attempt: datetime | None, now: datetime) -> bool:
    """True when a scheduled time has come since the last attempt (or there never was one)."""
    return last_attempt is None or next_time(cron, _naive(last_attempt)) <= _naive(now)


def last_runs(settings) -> dict[str, tuple[datetime | None, datetime | None]]:
    """source -> (last success, last attempt) from the live warehouse's etl_runs; empty without a warehouse."""
    path = Path(settings.db)
    if not path.exists():
        return {}
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        log.warning("cannot read %s for the schedule: %s", path, str(exc).splitlines()[0])
        return {}
    try:
        rows = con.execute(
            "SELECT source, max(finished_at) FILTER (WHERE status = 'ok'), max(finished_at)"
            " FROM etl_runs GROUP BY source"
        ).fetchall()
    except duckdb.Error:
        rows = []  # a warehouse from before etl_runs existed
    finally:
        con.close()
    return {source: (ok, any_) for source, ok, any_ in rows}


def due_sources(plan: dict[str, str], history: dict, attempts: dict, now: datetime) -> list[str]:
    due = []
    for name, cron in plan.items():
        _, last_any = history.get(name, (None, None))
        tried = [t for t in (last_any, attempts.get(name)) if t is not None]
        if is_due(cron, max(tried) if tried else None, now):
            due.append(name)
    return due


def stale_sources(settings, now: datetime | None = None) -> dict[str, bool]:
    """source -> stale, for `etl status` and the dashboard."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    history = last_runs(settings)
    return {name: is_stale(cron, history.get(name, (None, None))[0], now)
            for name, cron in schedules(settings).items()}


def run_forever(settings, stop=None, clock=time.time, sleep=time.sleep, once: bool = False) -> list[str]:
    """Run due sources on their schedules until `stop` (a threading.Event) is set, or after one tick if `once`.

    Returns the sources whose run failed in the last tick (`etl schedule --once` exits non-zero on them).
    """
    plan = schedules(settings)
    if not plan:
        log.warning("DISPLACEMENT_SCHEDULE is empty: nothing to schedule")
        return []
    log.info("schedule: %s", "; ".join(f"{n} at {c}" for n, c in plan.items()))
    with _stop_on_sigterm(stop) as stop:
        return _loop(settings, plan, stop, clock, sleep, once)


def _loop(settings, plan, stop, clock, sleep, once) -> list[str]:
    attempts: dict[str, datetime] = {}  # this process's attempts, so a failed run waits for its next time
    failed: list[str] = []
    while not stop.is_set():
        now = _now(clock)
        due = due_sources(plan, last_runs(settings), attempts, now)
        failed = []
        locked = bool(due) and not tick(settings, due, attempts, now, failed)
        if once:
            return failed
        wake = min(next_time(cron, now) for cron in plan.values())
        wait = min(max((wake - _now(clock)).total_seconds(), 1.0), LOCKED_RETRY if locked else MAX_SLEEP)
        if sleep is time.sleep:
            stop.wait(wait)  # returns at once on a stop request
        else:
            sleep(wait)
    return failed


@contextmanager
def _stop_on_sigterm(stop):
    """Without a `stop` event, make one that SIGTERM (systemd, docker stop) sets: the current run finishes first."""
    if stop is not None:
        yield stop
        return
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def tick(settings, due: list[str], attempts: dict, now: datetime, failed: list | None = None) -> bool:
    """Run the due sources; False when another ETL run held the lock (they stay due). Adds failures to `failed`."""
    failed = [] if failed is None else failed
    log.info("running %s", ", ".join(due))
    try:
        results = runner.run(settings, due)
    except LockedError as exc:
        log.info("skipping this tick: %s", exc)
        return False
    except Exception as exc:  # a failing run must not stop the loop
        log.error("scheduled run of %s failed: %s", ", ".join(due), runner.scrub(str(exc), settings))
        results = []
        failed.extend(due)
    for name in due:
        attempts[name] = now
    for result in results:
        if result.status == "ok":
            log.info("%s: ok, %s read, %s loaded", result.source, result.rows_read, result.rows_loaded)
        else:
            log.warning("%s: %s", result.source, result.error)
            failed.append(result.source)
    return True


def _now(clock) -> datetime:
    return datetime.fromtimestamp(clock(), UTC).replace(tzinfo=None)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
