"""The SQL console's worker runs only on CPU the app leaves idle: every one of its threads, DuckDB's included,
is scheduled SCHED_IDLE at nice 19, so a console query in flight cannot take CPU from the app's requests."""

from __future__ import annotations

import os
from pathlib import Path

import dashboard_data

from dashboard import sql_sandbox as sb


def _workers() -> list[int]:
    """This process's SQL worker processes."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if b"sql_sandbox.py" in cmdline and f"PPid:\t{os.getpid()}\n" in status:
            pids.append(int(pid))
    return pids


def test_every_worker_thread_yields_the_cpu(settings):
    dashboard_data.build(settings)
    try:
        assert sb.run(settings, "SELECT count(*) AS n FROM range(3000000)").rows == [[3000000]]
        workers = _workers()
        assert workers
        for pid in workers:
            threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
            assert len(threads) > 1  # DuckDB's own threads are there too
            for tid in threads:
                assert os.sched_getscheduler(tid) == os.SCHED_IDLE, tid
                assert os.getpriority(os.PRIO_PROCESS, tid) == 19, tid
    finally:
        sb.shutdown()
