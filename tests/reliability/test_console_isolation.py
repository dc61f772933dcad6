"""The SQL console cannot starve the app, overrun its memory, leak paths or read files; `displacement sql`
cannot write. Behaviour tests: the latency bound is generous (a loaded 2-core machine), not a benchmark."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import dashboard_data
import pytest
import requests
from waitress.server import create_server

from dashboard import sql_sandbox as sb
from dashboard.app import create_app

SLOW = "SELECT sum(a.range * b.range) FROM range(1000000000) a, range(1000000000) b"


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    sb.shutdown()


@pytest.fixture
def served(settings):
    """serve(settings) -> base URL of the whole app under waitress with 8 threads, as `displacement serve`."""
    stops = []

    def serve(config):
        app = create_app(config)
        server = create_server(app.server, host="127.0.0.1", port=0, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        stops.append((server, app))
        return f"http://127.0.0.1:{server.effective_port}"

    yield serve
    for server, app in stops:
        server.close()
        app.close_resources()


def test_a_client_with_ten_slow_queries_does_not_starve_the_app(settings, served):
    dashboard_data.build(settings)
    base = served(dataclasses.replace(settings, sql_timeout=6.0))
    assert requests.get(f"{base}/api/health", timeout=30).ok
    stop, answers = threading.Event(), []

    def hammer():  # one client keeping a slow query in flight, ten times over
        while not stop.is_set():
            reply = requests.post(f"{base}/api/sql", data={"q": SLOW}, timeout=60)
            answers.append(reply.status_code)
            if reply.status_code == 429:
                time.sleep(0.2)

    clients = [threading.Thread(target=hammer, daemon=True) for _ in range(10)]
    for client in clients:
        client.start()
    time.sleep(2.0)  # every client has sent its query by now
    latencies = {}
    try:
        for _ in range(3):
            for path in ("/api/health", "/api/figures?limit=10", "/"):
                started = time.monotonic()
                assert requests.get(base + path, timeout=60).status_code == 200
                latencies[path] = max(latencies.get(path, 0.0), time.monotonic() - started)
    finally:
        stop.set()
        for client in clients:
            client.join(30)
    assert max(latencies.values()) < 3.0, latencies  # before: 7-15 s with every server thread on the console
    assert 429 in answers  # the queries past the client's limit were refused at once
    busy = requests.post(f"{base}/api/sql", data={"q": "SELECT 1"}, timeout=30)
    assert busy.status_code == 200  # and the console serves again once the client stops


def _worker_peak_kb() -> int:
    """The largest peak resident size (VmHWM) among this process's SQL workers."""
    peak = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"sql_sandbox.py" in cmdline and f"PPid:\t{os.getpid()}\n" in status:
            peak = max(peak, int(status.split("VmHWM:")[1].split()[0]))
    return peak


def test_a_huge_result_stays_within_the_consoles_memory(settings):
    dashboard_data.build(settings)
    small = dataclasses.replace(settings, sql_memory_limit="256MB", sql_timeout=60.0)
    result = sb.run(small, "SELECT list(i) AS l FROM range(12000000) t(i)")  # 96 MB of list in one value
    assert result.truncated and result.rows == []
    peak_mb = _worker_peak_kb() / 1024
    assert 0 < peak_mb < 3 * 256, peak_mb  # before: 1.4 GB, the list converted to Python outside DuckDB
    text = sb.run(small, "SELECT repeat('x', 100000) || i AS s FROM range(100000) t(i)")  # 10 GB of text
    assert text.truncated and 0 < len(text.rows) < 5000


def test_errors_carry_no_path_and_no_configuration_advice(settings):
    dashboard_data.build(settings)
    small = dataclasses.replace(settings, sql_memory_limit="64MB", sql_timeout=20.0)
    with pytest.raises(sb.SqlFailed) as error:
        sb.run(small, "SELECT count(DISTINCT md5(range::VARCHAR)) FROM range(50000000)")
    message = str(error.value)
    assert "more memory than the console allows" in message
    for leak in ("SET ", "temp_directory", "Possible solutions", "duckdb.org", "\n", str(settings.db.parent)):
        assert leak not in message, leak
    assert sb.scrub(f'IO Error: Could not read "{settings.db}"\nPossible solutions: SET x', str(settings.db)) == (
        'IO Error: Could not read "the warehouse"')
    assert "<path>" in sb.scrub("IO Error: /srv/data/other.duckdb is locked")


@pytest.mark.parametrize("reader", ["read_blob", "read_text"])
def test_the_warehouse_file_itself_cannot_be_read_through_the_console(settings, reader):
    dashboard_data.build(settings)
    with pytest.raises(sb.SqlRefused, match="cannot read or write files") as error:
        sb.run(settings, f"SELECT content FROM {reader}('{settings.db}')")
    assert "DUCK" not in str(error.value)
    assert sb.run(settings, "SELECT count(*) FROM v_figures").rows[0][0] > 0


def displacement(*args, db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env["DISPLACEMENT_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "etl.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=Path(db).parent)


def test_displacement_sql_reads_one_statement_and_writes_nothing(settings, tmp_path):
    dashboard_data.build(settings)
    link = tmp_path / "link.duckdb"
    os.link(settings.db, link)  # a hard link: writing it would write the live warehouse
    before = hashlib.sha256(settings.db.read_bytes()).hexdigest()
    attempts = [
        f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'",
        f"EXPORT DATABASE '{tmp_path / 'export'}'",
        f"ATTACH '{link}' AS w (READ_WRITE)",
        "SELECT 1; SELECT 2",
        "SELECT 1; DELETE FROM figures",
        "CHECKPOINT",
        "",
        "/* nothing but a comment */",
    ]
    for query in attempts:
        proc = displacement("sql", query, db=settings.db)
        assert proc.returncode == 1, (query, proc.stdout)
        assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1, (query, proc.stderr)
    write = displacement("sql", "SELECT 1", "--write", db=settings.db)
    assert write.returncode == 1 and "only reads" in write.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.duckdb", "warehouse.duckdb",
                                                          "warehouse.duckdb.etl-lock"]
    assert hashlib.sha256(settings.db.read_bytes()).hexdigest() == before
    ok = displacement("sql", "SELECT count(*) AS n FROM v_figures", "--format", "csv", db=settings.db)
    assert ok.returncode == 0 and ok.stdout.splitlines()[0] == "n"
