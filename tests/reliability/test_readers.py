"""Readers keep working through publishes: threads sharing one Reader, the dashboard over HTTP and `displacement
sql`, with 0 errors through repeated publishes; a cursor in use is never closed under its reader."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from etl import runner
from etl.warehouse import Reader

ROOT = Path(__file__).resolve().parents[2]
HEADER = ("record_id,metric,value,qualifier,unit,claimed_by_org,country_iso3,admin1_pcode,period_end,publisher,"
          "published\n")


def curated(n: int) -> str:
    return HEADER + "".join(f"r{k},displaced,{100 + k},exact,people,OCHA,SYR,SY07,2020-01-15,OCHA,2020-03-01\n"
                            for k in range(n))


@pytest.fixture
def warehouse(settings):
    settings.curated_csv.write_text(curated(1))
    runner.run(settings, ["curated"])
    return settings


def env_for(settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env.update(PYTHONPATH=str(ROOT), DISPLACEMENT_DB=str(settings.db), DISPLACEMENT_MEMORY_LIMIT="512MB",
               DISPLACEMENT_CURATED_CSV=str(settings.curated_csv), DISPLACEMENT_ARTICLES_DIR=str(settings.articles_dir))
    return env


class Loop(threading.Thread):
    """Calls `step` until stopped, keeping every answer and every error."""

    def __init__(self, step):
        super().__init__(daemon=True)
        self.step, self.answers, self.errors = step, [], []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.answers.append(self.step())
            except Exception as exc:  # noqa: BLE001 - every failure is what the test looks for
                self.errors.append(repr(exc))


def run_loops(loops, publish, times: int):
    for loop in loops:
        loop.start()
    try:
        for i in range(times):
            publish(i)
    finally:
        time.sleep(0.5)
        for loop in loops:
            loop.stop.set()
        for loop in loops:
            loop.join(timeout=120)


def test_threads_sharing_a_reader_see_no_error_through_repeated_publishes(warehouse):
    reader = Reader(warehouse.db, "256MB", 1)

    def count():
        return reader.query("SELECT count(*) FROM v_figures")[1][0][0]

    def frame():
        cur = reader.cursor()
        try:
            return len(cur.execute("SELECT * FROM v_figure_facts WHERE metric = $m", {"m": "displaced"}).df())
        finally:
            cur.close()

    def publish(i):
        warehouse.curated_csv.write_text(curated(i + 2))
        assert all(r.status == "ok" for r in runner.run(warehouse, ["curated"]))

    loops = [Loop(count), Loop(count), Loop(frame), Loop(frame)]
    run_loops(loops, publish, 10)
    assert [e for loop in loops for e in loop.errors] == []
    assert all(loop.answers for loop in loops)
    assert count() == 11  # and the last publish is what they see now
    reader.close()


def test_a_cursor_in_use_keeps_its_snapshot_through_publishes(warehouse):
    reader = Reader(warehouse.db, "256MB", 1)
    cur = reader.cursor()
    cur.execute("SELECT value FROM figures ORDER BY value")
    for i in range(3):  # the copy this cursor reads is not written while it is open
        warehouse.curated_csv.write_text(curated(i + 2))
        runner.run(warehouse, ["curated"])
        assert reader.query("SELECT count(*) FROM figures")[1] == [(i + 2,)]
    assert cur.fetchall() == [(100,)]
    assert cur.execute("SELECT count(*) FROM figures").fetchall() == [(1,)]  # its snapshot, still open
    cur.close()
    reader.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        return response.status


def test_http_and_cli_readers_see_no_error_through_repeated_publishes(warehouse):
    env, port = env_for(warehouse), free_port()
    server = subprocess.Popen([sys.executable, "-m", "etl.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if get(base + "/api/health") == 200:
                    break
            except OSError:
                time.sleep(0.25)
        paths = ["/api/health", "/api/figures?limit=5", "/_dash-layout", "/api/figures?country=SYR&format=csv"]
        http = [Loop(lambda p=p: get(base + p)) for p in paths]

        def cli():
            out = subprocess.run([sys.executable, "-m", "etl.cli", "sql", "SELECT count(*) AS n FROM v_figures"],
                                 env=env, capture_output=True, text=True, timeout=120)
            if out.returncode:
                raise RuntimeError(out.stderr.strip())
            return out.stdout

        def publish(i):
            warehouse.curated_csv.write_text(curated(i + 2))
            done = subprocess.run([sys.executable, "-m", "etl.cli", "etl", "run", "curated"], env=env,
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr

        loops = [*http, Loop(cli)]
        run_loops(loops, publish, 6)
        assert [e for loop in loops for e in loop.errors] == []
        assert all(loop.answers for loop in loops)
        assert set().union(*(loop.answers for loop in http)) == {200}
        assert '"figures":7' in urllib.request.urlopen(base + "/api/health", timeout=60).read().decode().replace(
            " ", "")
    finally:
        server.terminate()
        server.wait(timeout=60)
