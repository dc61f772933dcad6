"""The SQL sandbox: every attack is refused by the engine (and the parser), time limit, row cap, publishes."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dashboard import sql_sandbox as sb
from etl import warehouse


def build_warehouse(settings, n_figures: int = 3, publisher: str = "UN OCHA") -> None:
    """Publish a small warehouse: Syria, Idlib, one document and n displacement figures."""
    with warehouse.etl_lock(settings), warehouse.next_version(settings) as con:
        for table in ("figures", "documents", "places", "sources"):
            con.execute(f"DELETE FROM {table}")
        con.execute("INSERT INTO sources VALUES ('test', 'documents', 'test source', 'CC-BY', NULL)")
        con.execute("INSERT INTO places VALUES ('SYR', 0, 'Syria', 'SYR', NULL, [], NULL, 'test'),"
                    " ('SY07', 1, 'Idlib', 'SYR', 'SYR', [], NULL, 'test')")
        con.execute(
            "INSERT INTO documents (doc_id, source, url, title, publisher, published, retrieved_at, text, sha256,"
            " load_id) VALUES ('doc1', 'test', 'https://example.org/a', 'A', ?, DATE '2020-02-01',"
            " now(), 'Some 80,000 people fled.', 'abc', 1)", [publisher])
        for i in range(n_figures):
            con.execute(
                "INSERT INTO figures (figure_id, source, source_type, doc_id, load_id, content_hash, metric, value,"
                " qualifier, unit, country_iso3, admin1_pcode, period_start, period_end, evidence, char_start,"
                " char_end) VALUES (?, 'test', 'document', 'doc1', 1, 'h', 'displaced', ?, 'exact', 'people',"
                " 'SYR', 'SY07', DATE '2020-01-01', DATE '2020-02-01', 'Some 80,000 people fled.', 5, 11)",
                [f"f{i}", 1000 * (i + 1)],
            )


def eventually(ask, expected, seconds: float = 120.0):
    """Ask until the answer is `expected` (or time runs out) and return the last answer: with public-only on, a
    publish's public copy is built in the background and the previous copy answers meanwhile."""
    deadline = time.monotonic() + seconds
    answer = ask()
    while answer != expected and time.monotonic() < deadline:
        time.sleep(0.5)
        answer = ask()
    return answer


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    sb.shutdown()


@pytest.fixture
def box(settings):
    """Settings over a small published warehouse, with a short time limit and a small row cap."""
    build_warehouse(settings)
    return dataclasses.replace(settings, sql_timeout=1.5, sql_row_cap=50)


ATTACKS = [
    # (query, the phrase the refusal must contain)
    ("SELECT * FROM read_csv('/etc/passwd')", "cannot read or write files"),
    ("SELECT * FROM read_text('/etc/passwd')", "cannot read or write files"),
    ("SELECT * FROM read_blob('/etc/passwd')", "cannot read or write files"),
    ("SELECT * FROM glob('/*')", "cannot read or write files"),
    ("SELECT * FROM read_csv('https://example.org/x.csv')", "cannot read or write files"),
    ("COPY (SELECT 1) TO '{tmp}/x.csv'", "COPY statements are not allowed"),
    ("EXPLAIN ANALYZE COPY (SELECT 1) TO '{tmp}/x.csv'", "COPY statements are not allowed"),
    ("EXPORT DATABASE '{tmp}/export'", "EXPORT statements are not allowed"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "ATTACH statements are not allowed"),
    ("DETACH warehouse", "DETACH statements are not allowed"),
    ("INSTALL httpfs", "INSTALL statements are not allowed"),
    ("LOAD httpfs", "LOAD statements are not allowed"),
    ("SET threads = 64", "SET statements are not allowed"),
    ("SET enable_external_access = true", "SET statements are not allowed"),
    ("RESET threads", "RESET statements are not allowed"),
    ("SET VARIABLE x = 1", "SET statements are not allowed"),
    ("PRAGMA version", "PRAGMA statements are not allowed"),
    ("CALL pragma_version()", "CALL statements are not allowed"),
    ("CHECKPOINT", "CHECKPOINT statements are not allowed"),
    ("CREATE TABLE x (a INTEGER)", "CREATE statements are not allowed"),
    ("CREATE TEMP TABLE x AS SELECT 1", "CREATE statements are not allowed"),
    ("CREATE MACRO m() AS 1", "CREATE statements are not allowed"),
    ("INSERT INTO figures (figure_id) VALUES ('x')", "INSERT statements are not allowed"),
    ("UPDATE figures SET value = 0", "UPDATE statements are not allowed"),
    ("DELETE FROM figures", "DELETE statements are not allowed"),
    ("DROP TABLE figures", "DROP statements are not allowed"),
    ("ALTER TABLE figures ADD COLUMN x INTEGER", "ALTER statements are not allowed"),
    ("BEGIN TRANSACTION", "BEGIN statements are not allowed"),
    ("SELECT 1; SELECT 2", "one statement at a time"),
    ("SELECT 1; DROP TABLE figures", "one statement at a time"),
    ("/* hidden */ COPY figures TO '{tmp}/f.csv'", "COPY statements are not allowed"),
]


@pytest.mark.parametrize(("query", "phrase"), ATTACKS, ids=[a[0][:40] for a in ATTACKS])
def test_attack_is_refused_and_the_console_keeps_serving(box, tmp_path, query, phrase):
    with pytest.raises(sb.SqlRefused) as refusal:
        sb.run(box, query.format(tmp=tmp_path))
    assert phrase in str(refusal.value)
    assert refusal.value.status == 400
    assert "root:" not in str(refusal.value)  # nothing of /etc/passwd leaks into the message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb", "warehouse.duckdb.etl-lock",
                                                          "warehouse.versions"]
    assert sb.run(box, "SELECT count(*) AS n FROM v_figures").rows == [[3]]


@pytest.mark.parametrize("query", ["SELECT read_text('/etc/passwd')", "SELECT * FROM '/etc/passwd'"])
def test_other_spellings_of_reading_a_file_are_errors_not_the_file(box, query):
    with pytest.raises(sb.SqlError) as error:
        sb.run(box, query)
    assert "/etc/passwd" in str(error.value) or "read_text" in str(error.value)
    assert "root:" not in str(error.value)


def _probe_engine(path: str, statements: list[str], queue) -> None:
    """In a process of its own: run statements straight on a locked connection, without the parser check."""
    con = sb.open_locked(path, "256MB", 1, 5.0)
    outcome = {}
    for statement in statements:
        try:
            con.execute(statement)
            outcome[statement] = "ran"
        except duckdb.Error as exc:
            outcome[statement] = f"{type(exc).__name__}: {exc}"
    queue.put(outcome)


def test_the_engine_itself_refuses_what_the_parser_check_would_also_stop(box, tmp_path):
    # The lockdown holds even if the statement check were bypassed: DuckDB refuses on its own.
    statements = [
        "SELECT * FROM read_csv('/etc/passwd')",
        f"COPY (SELECT 1) TO '{tmp_path}/x.csv'",
        f"ATTACH '{tmp_path}/other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET threads = 64",
        "RESET memory_limit",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET max_execution_time = 0",
        "CREATE TABLE x (a INTEGER)",
        "INSERT INTO places (pcode) VALUES ('X')",
        "DROP TABLE figures",
    ]
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_probe_engine, args=(str(box.db), statements, queue))
    proc.start()
    outcome = queue.get(timeout=60)
    proc.join(10)
    assert all(result != "ran" for result in outcome.values()), outcome
    assert "Permission" in outcome["SELECT * FROM read_csv('/etc/passwd')"]
    assert "locked" in outcome["SET enable_external_access = true"]
    assert "read-only" in outcome["DROP TABLE figures"]
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_the_apps_own_duckdb_keeps_its_file_access(box, tmp_path):
    sb.run(box, "SELECT 1")  # the worker's lockdown must not reach this process
    (tmp_path / "ok.csv").write_text("a\n1\n")
    assert duckdb.connect().execute(f"SELECT a FROM read_csv('{tmp_path}/ok.csv')").fetchall() == [(1,)]
    columns, rows = warehouse.reader_for(box).query("SELECT count(*) FROM v_figures")
    assert rows == [(3,)]


@pytest.mark.parametrize("query", [
    "SELECT count(*) FROM range(10000000000000)",
    "SELECT sum(a.range * b.range) FROM range(10000000) a, range(10000000) b",
])
def test_a_never_ending_query_is_stopped_within_the_limit_and_the_next_works(box, query):
    sb.run(box, "SELECT 1")  # the worker is up and the public copy built: the limit is the query's own
    started = time.monotonic()
    with pytest.raises(sb.SqlTimeout) as stopped:
        sb.run(box, query)
    elapsed = time.monotonic() - started
    assert elapsed < box.sql_timeout + 1.5, elapsed
    assert "stopped after 1.5 s" in str(stopped.value)
    assert stopped.value.status == 408
    assert sb.run(box, "SELECT 42 AS answer").rows == [[42]]


def test_an_unresponsive_worker_is_killed_and_replaced(box, monkeypatch):
    monkeypatch.setattr(sb, "GRACE", 0.5)
    sb.run(box, "SELECT 1")
    worker = sb._sandbox_for(box)._proc
    os.kill(worker.pid, signal.SIGSTOP)  # a worker that cannot answer at all, not even to interrupt()
    started = time.monotonic()
    with pytest.raises(sb.SqlTimeout):
        sb.run(box, "SELECT 2")
    assert time.monotonic() - started < box.sql_timeout + 0.5 + 1.5
    assert worker.poll() is not None  # killed
    assert sb.run(box, "SELECT 3 AS x").rows == [[3]]


def test_a_crashed_worker_is_restarted(box):
    sb.run(box, "SELECT 1")
    worker = sb._sandbox_for(box)._proc
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(5)
    assert sb.run(box, "SELECT 'back' AS x").rows == [["back"]]


@pytest.mark.parametrize(("n", "truncated"), [(10, False), (50, False), (51, True), (100_000, True)])
def test_row_cap(box, n, truncated):
    result = sb.run(box, f"SELECT range AS i FROM range({n})")
    assert len(result.rows) == min(n, 50)
    assert result.truncated is truncated
    assert result.columns == ["i"] and result.types == ["BIGINT"]


def test_the_console_follows_publishes(box):
    reader = warehouse.reader_for(box)
    assert sb.run(box, "SELECT count(*) FROM v_figures").rows == [[3]]
    assert reader.query("SELECT count(*) FROM v_figures")[1] == [(3,)]
    build_warehouse(box, n_figures=5, publisher="UNHCR")
    rows = eventually(lambda: sb.run(box, "SELECT count(*), min(publisher) FROM v_figures").rows, [[5, "UNHCR"]])
    assert rows == [[5, "UNHCR"]]
    assert reader.query("SELECT count(*), min(publisher) FROM v_figures")[1] == [(5, "UNHCR")]
    reader.close()


def test_values_come_back_as_plain_json_ready_python(box):
    result = sb.run(box, """
        SELECT DATE '2020-01-31' AS d, TIMESTAMP '2020-01-31 10:00' AS ts, 1.50::DECIMAL(5, 2) AS dec,
               'nan'::DOUBLE AS nan, '\\x00\\xff'::BLOB AS blob, [1, 2] AS list, {'a': 1} AS struct,
               INTERVAL 1 DAY AS iv, NULL AS nothing, '<img src=x onerror="window.__xss=1">' AS html
    """)
    assert result.rows == [[
        "2020-01-31", "2020-01-31T10:00:00", 1.5, "nan", "\\x00ff", [1, 2], {"a": 1}, "1 day, 0:00:00", None,
        '<img src=x onerror="window.__xss=1">',
    ]]


def test_read_queries_of_every_kind_run(box):
    for query in ("WITH a AS (SELECT 1 AS x) SELECT * FROM a", "FROM v_places", "VALUES (1), (2)",
                  "DESCRIBE v_figures", "SUMMARIZE v_places", "EXPLAIN SELECT * FROM v_figures",
                  "-- a comment\nEXPLAIN ANALYZE SELECT count(*) FROM v_figures", "SELECT 1;"):
        assert sb.run(box, query).columns, query


def test_bad_sql_is_a_clear_error(box):
    with pytest.raises(sb.SqlFailed, match="syntax error"):
        sb.run(box, "SELEC 1")
    with pytest.raises(sb.SqlFailed, match="does not exist"):
        sb.run(box, "SELECT * FROM no_such_view")
    with pytest.raises(sb.SqlRefused, match="empty"):
        sb.run(box, "   ")
    with pytest.raises(sb.SqlRefused, match="empty"):
        sb.run(box, "-- only a comment")
    with pytest.raises(sb.SqlRefused, match="characters long"):
        sb.run(box, "SELECT '" + "x" * sb.MAX_SQL_CHARS + "'")


def test_a_query_past_the_memory_limit_fails_cleanly(box):
    small = dataclasses.replace(box, sql_memory_limit="64MB", sql_timeout=20.0)
    with pytest.raises(sb.SqlFailed, match="more memory"):
        sb.run(small, "SELECT count(DISTINCT md5(range::VARCHAR)) FROM range(50000000)")
    assert sb.run(small, "SELECT 1 AS x").rows == [[1]]


def test_disabled(box):
    off = dataclasses.replace(box, sql_enabled=False)
    with pytest.raises(sb.SqlDisabled) as disabled:
        sb.run(off, "SELECT 1")
    assert disabled.value.status == 403 and "turned off" in str(disabled.value)


def test_no_warehouse_yet(settings):
    with pytest.raises(sb.SqlFailed, match="no warehouse"):
        sb.run(settings, "SELECT 1")


def test_works_under_a_main_script_without_a_main_guard(box, tmp_path):
    # The worker never re-runs the app's main script (multiprocessing's spawn would, and fail without a guard).
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\nfrom dashboard import sql_sandbox as sb\n"
        "from etl.settings import Settings\n"
        f"print(sb.run(Settings(db=Path({str(box.db)!r})), 'SELECT count(*) FROM v_figures').rows)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[[3]]"


def test_concurrent_queries_queue_for_the_worker(box):
    results, errors = [], []

    def query(i):
        try:
            results.append(sb.run(box, f"SELECT {i} AS i").rows[0][0])
        except sb.SqlError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=query, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and sorted(results) == list(range(6))
