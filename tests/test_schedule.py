"""The scheduler: cron plans from settings, due and stale logic, and the loop with a fake clock."""

from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from etl import schedule
from etl import sources as registry
from etl.runner import SourceResult
from etl.sources.base import Source, SourceError
from etl.warehouse import etl_lock


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class FakeClock:
    """time.time and time.sleep over a fake timeline; stops the loop after `ticks` sleeps."""

    def __init__(self, start: str, stop: threading.Event, ticks: int):
        self.now = at(start).replace(tzinfo=UTC).timestamp()
        self.stop, self.ticks, self.sleeps = stop, ticks, []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if len(self.sleeps) >= self.ticks:
            self.stop.set()


class Calls(list):
    """What the fake runner.run was asked: (time on the fake clock, names)."""

    def __init__(self):
        super().__init__()
        self.failing: set[str] = set()
        self.clock: FakeClock | None = None


@pytest.fixture
def calls(monkeypatch):
    """Replace runner.run: record each call and answer ok, except for the sources in `calls.failing`."""
    record = Calls()

    def run(settings, names):
        record.append((datetime.fromtimestamp(record.clock.time(), UTC).strftime("%m-%d %H:%M"), list(names)))
        return [SourceResult(n, "failed", error="boom") if n in record.failing else SourceResult(n, "ok")
                for n in names]

    monkeypatch.setattr(schedule.runner, "run", run)
    return record


def test_schedules_expand_globs_and_later_entries_override(settings):
    plan = schedule.schedules(dataclasses.replace(
        settings, schedule="hapi-*=0 6 * * 1; idmc-*=0 6 * * 1;hapi-idps=30 6 * * *;;feeds=0  *  * * *"))
    assert plan["hapi-refugees"] == "0 6 * * 1" and plan["hapi-idps"] == "30 6 * * *"
    assert plan["idmc-gidd"] == plan["idmc-idu"] == "0 6 * * 1"
    assert plan["feeds"] == "0 * * * *"
    assert set(plan) == {n for n in registry.names() if n.startswith(("hapi-", "idmc-"))} | {"feeds"}
    assert "feeds" in schedule.schedules(settings)  # the default setting parses


@pytest.mark.parametrize("text, message", [
    ("feeds=every hour", "not a cron expression"),
    ("nosuch-*=0 * * * *", "matches no source"),
    ("feeds", "is not `source-glob=cron`"),
])
def test_bad_schedules_say_what_is_wrong(settings, text, message):
    with pytest.raises(schedule.ScheduleError, match=message):
        schedule.schedules(dataclasses.replace(settings, schedule=text))


def test_stale_after_a_missed_scheduled_time_plus_grace():
    weekly = "0 6 * * 1"  # Mondays 06:00 UTC; 2024-01-01 is a Monday
    assert schedule.is_stale(weekly, None, at("2024-01-01 00:00"))
    assert not schedule.is_stale(weekly, at("2024-01-01 06:01"), at("2024-01-08 06:00"))
    assert not schedule.is_stale(weekly, at("2024-01-01 06:01"), at("2024-01-08 06:04"))  # within the grace
    assert schedule.is_stale(weekly, at("2024-01-01 06:01"), at("2024-01-08 06:06"))
    assert schedule.is_stale(weekly, at("2024-01-01 06:01"), at("2024-01-08 06:01"), grace=timedelta(0))
    aware = at("2024-01-01 07:01").replace(tzinfo=UTC)
    assert not schedule.is_stale(weekly, aware, at("2024-01-05 00:00"))


def test_due_when_a_scheduled_time_came_since_the_last_attempt():
    hourly = "0 * * * *"
    assert schedule.is_due(hourly, None, at("2024-01-01 05:30"))
    assert not schedule.is_due(hourly, at("2024-01-01 05:30"), at("2024-01-01 05:59"))
    assert schedule.is_due(hourly, at("2024-01-01 05:30"), at("2024-01-01 06:00"))


def test_loop_runs_due_sources_on_their_schedules(settings, calls):
    settings = dataclasses.replace(settings, schedule="feeds=0 * * * *;unhcr-population=0 6 * * *")
    stop = threading.Event()
    clock = calls.clock = FakeClock("2024-01-01 05:30", stop, ticks=31)  # 05:30 to 08:00 in 300 s naps
    schedule.run_forever(settings, stop=stop, clock=clock.time, sleep=clock.sleep)
    assert list(calls) == [
        ("01-01 05:30", ["feeds", "unhcr-population"]),  # never ran: due at once
        ("01-01 06:00", ["feeds", "unhcr-population"]),
        ("01-01 07:00", ["feeds"]),
        ("01-01 08:00", ["feeds"]),
    ]
    assert set(clock.sleeps) == {schedule.MAX_SLEEP}


def test_sleeps_are_capped_and_a_failing_source_waits_for_its_next_time(settings, calls):
    settings = dataclasses.replace(settings, schedule="unhcr-population=0 6 1 1 *;idmc-gidd=0 12 * * *")
    calls.failing = {"idmc-gidd"}
    stop = threading.Event()
    clock = calls.clock = FakeClock("2024-01-01 05:59", stop, ticks=20)
    schedule.run_forever(settings, stop=stop, clock=clock.time, sleep=clock.sleep)
    assert max(clock.sleeps) <= schedule.MAX_SLEEP
    runs = [c for c in calls if "idmc-gidd" in c[1]]
    assert runs == [("01-01 05:59", ["unhcr-population", "idmc-gidd"])]  # failed, not retried every tick
    assert ("01-01 06:00", ["unhcr-population"]) in calls


def test_a_crashing_run_never_stops_the_loop(settings, monkeypatch, caplog):
    attempts = []

    def run(settings, names):
        attempts.append(names)
        raise RuntimeError("disk full")

    monkeypatch.setattr(schedule.runner, "run", run)
    settings = dataclasses.replace(settings, schedule="feeds=*/10 * * * *")
    stop = threading.Event()
    clock = FakeClock("2024-01-01 00:05", stop, ticks=4)
    with caplog.at_level(logging.ERROR, logger="etl.schedule"):
        schedule.run_forever(settings, stop=stop, clock=clock.time, sleep=clock.sleep)
    assert len(attempts) == 3 and "disk full" in caplog.text


def test_locked_warehouse_skips_the_tick_and_retries_soon(settings, monkeypatch, caplog):
    settings = dataclasses.replace(settings, schedule="unhcr-population=0 6 1 1 *")
    stop = threading.Event()
    clock = FakeClock("2024-01-01 05:00", stop, ticks=1)
    with etl_lock(settings), caplog.at_level(logging.INFO, logger="etl.schedule"):
        schedule.run_forever(settings, stop=stop, clock=clock.time, sleep=clock.sleep)
    assert "skipping this tick" in caplog.text
    assert clock.sleeps == [schedule.LOCKED_RETRY]


class Quick(Source):
    name = "test-quick"
    kind = "dataset"

    def load(self, ctx):
        ctx.figure(metric="displaced", value=5, dataset="t", record_id="1")


class Broken(Source):
    name = "test-broken"
    kind = "dataset"

    def load(self, ctx):
        raise SourceError("test-broken: upstream is down")


def test_real_runs_record_history_and_staleness(settings, monkeypatch):
    monkeypatch.setitem(registry._EXTRA, "test-quick", Quick)
    monkeypatch.setitem(registry._EXTRA, "test-broken", Broken)
    settings = dataclasses.replace(settings, schedule="test-*=0 6 * * *")
    assert schedule.last_runs(settings) == {}
    schedule.run_forever(settings, once=True)
    history = schedule.last_runs(settings)
    ok, attempted = history["test-quick"]
    assert ok is not None and attempted == ok
    assert history["test-broken"][0] is None and history["test-broken"][1] is not None
    stale = schedule.stale_sources(settings)
    assert stale == {"test-broken": True, "test-quick": False}
    now = datetime.now(UTC).replace(tzinfo=None)
    assert schedule.due_sources(schedule.schedules(settings), history, {}, now) == []


def test_stop_before_start_returns_at_once(settings, calls):
    stop = threading.Event()
    stop.set()
    calls.clock = FakeClock("2024-01-01 00:00", stop, ticks=1)
    schedule.run_forever(settings, stop=stop, clock=calls.clock.time, sleep=calls.clock.sleep)
    assert list(calls) == []


def test_sigterm_asks_the_loop_to_stop_after_the_current_run():
    import signal

    before = signal.getsignal(signal.SIGTERM)
    with schedule._stop_on_sigterm(None) as stop:
        assert not stop.is_set()
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)  # what the interpreter calls on SIGTERM
        assert stop.is_set()
    assert signal.getsignal(signal.SIGTERM) is before
    given = threading.Event()
    with schedule._stop_on_sigterm(given) as stop:
        assert stop is given and signal.getsignal(signal.SIGTERM) is before
