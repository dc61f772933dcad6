"""The warehouse: migrations, idempotent loads, atomic publish, the lock, and readers that follow publishes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace

import duckdb
import pytest

from etl import runner
from etl import sources as registry
from etl.sources.base import Source, SourceError
from etl.warehouse import LockedError, Reader, WarehouseError, etl_lock, migrate

TABLES = ["claims", "documents", "etl_runs", "figures", "places", "rejects", "source_state", "sources"]
VIEWS = ["v_claims", "v_documents", "v_etl_runs", "v_figures", "v_places", "v_rejects", "v_sources"]
CURATED = """record_id,metric,value,value_low,value_high,qualifier,quantity_text,unit,claimed_by,claimed_by_org,\
location_text,country_iso3,admin1_pcode,admin2_pcode,period_start,period_end,stock_or_flow,publisher,published,url,note
r1,displaced,80000,,,exact,"80,000",people,the U.N.,United Nations,Idlib,SYR,SY07,,2019-12-01,2019-12-25,flow,VOA,\
2019-12-25,https://example.org/a,
r2,displaced,100000,100000,,more_than,"more than 100,000",people,SOHR,Syrian Observatory for Human Rights,Idlib,SYR,\
SY07,,,2019-12-25,stock,VOA,2019-12-25,https://example.org/a,
"""


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(settings) -> dict:
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES if t != "etl_runs"}
    finally:
        con.close()


def snapshot(settings, table: str, order: str):
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    finally:
        con.close()


@pytest.fixture
def curated(settings):
    settings.curated_csv.write_text(CURATED)
    return settings


def test_migrations_create_tables_and_views_on_an_empty_database(tmp_path):
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    applied = migrate(con)
    assert applied and applied[0].startswith("0001_")
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(TABLES) <= names and set(VIEWS) <= names
    assert migrate(con) == []  # a second call applies nothing


def test_a_second_run_on_the_same_input_changes_no_table(curated):
    runner.run(curated, ["curated"])
    first = counts(curated), snapshot(curated, "figures", "figure_id"), snapshot(curated, "claims", "claim_id")
    runner.run(curated, ["curated"])
    second = counts(curated), snapshot(curated, "figures", "figure_id"), snapshot(curated, "claims", "claim_id")
    assert first == second
    assert first[0]["figures"] == 2


def test_bad_rows_go_to_rejects_with_a_reason_and_good_rows_load(curated):
    curated.curated_csv.write_text(CURATED + "r3,displaced,lots,,,exact,,people,,,,,,,,,,VOA,2019-12-25,,\n"
                                   "r4,flooded,5,,,exact,,people,,,,,,,,,,VOA,2019-12-25,,\n"
                                   "r5,killed,5,,,exact,,people,,,,,,,2019-13-45,,,VOA,2019-12-25,,\n")
    [result] = runner.run(curated, ["curated"])
    assert result.status == "ok" and result.rows_loaded == 2 and result.rows_rejected == 3
    rejects = snapshot(curated, "rejects", "location")
    reasons = " | ".join(r[4] for r in rejects)
    assert "value 'lots' is not a number" in reasons
    assert "metric 'flooded'" in reasons
    assert "bad date '2019-13-45'" in reasons
    assert [r[3] for r in rejects] == ["curated.csv:4", "curated.csv:5", "curated.csv:6"]


class Failing(Source):
    name = "test-failing"

    def load(self, ctx):
        raise SourceError("test-failing: upstream answered nonsense")


def test_a_failing_source_keeps_its_last_good_rows_and_does_not_stop_others(curated, monkeypatch):
    runner.run(curated, ["curated"])
    before = snapshot(curated, "figures", "figure_id")
    registry.register(Failing)
    monkeypatch.setattr(registry, "_EXTRA", {"test-failing": Failing})
    curated.curated_csv.write_text("record_id,metric\n")  # the curated file loses its columns
    results = runner.run(curated, ["test-failing", "curated"])
    assert [r.status for r in results] == ["failed", "failed"]
    assert "upstream answered nonsense" in results[0].error
    assert "lacks column" in results[1].error or "no a header" in results[1].error or "header" in results[1].error
    assert snapshot(curated, "figures", "figure_id") == before
    runs = snapshot(curated, "etl_runs", "run_id, source")
    assert [(r[1], r[4]) for r in runs[-2:]] == [("curated", "failed"), ("test-failing", "failed")]


def test_the_cli_exits_non_zero_when_a_source_fails(curated, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,useful\n1,2\n")
    env = {"DISPLACEMENT_DB": str(curated.db), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "etl.cli", "etl", "run", "curated", "--from-file", str(bad)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "curated" in proc.stdout and "failed" in proc.stdout and "Traceback" not in proc.stderr


KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from etl import runner, sources
    from etl.settings import Settings
    from etl.sources.base import Source

    class Slow(Source):
        name = "test-slow"
        def load(self, ctx):
            for i in range(1000):
                ctx.place(f"XX{i}", 1, f"Place {i}", "XXX")
            print("loading", flush=True)
            time.sleep(60)

    sources.register(Slow)
    runner.run(Settings(db=Path(sys.argv[1]), curated_csv=Path(sys.argv[2])), ["curated", "test-slow"])
    """
)


def test_a_killed_run_leaves_the_live_file_byte_identical(curated):
    runner.run(curated, ["curated"])
    before = digest(curated.db)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(curated.db), str(curated.curated_csv)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "loading"
        assert curated.next_db.exists()  # the run writes beside the live file, never into it
    finally:
        proc.kill()
        proc.wait()
    assert digest(curated.db) == before
    runner.run(curated, ["curated"])  # the next run clears the half-built file and publishes
    assert not curated.next_db.exists()


def test_only_one_run_at_a_time(curated):
    with etl_lock(curated):
        with pytest.raises(LockedError, match="another ETL run holds the lock"):
            runner.run(curated, ["curated"])
        env = {"DISPLACEMENT_DB": str(curated.db), "DISPLACEMENT_CURATED_CSV": str(curated.curated_csv),
               "PATH": "/usr/bin:/bin"}
        proc = subprocess.run([sys.executable, "-m", "etl.cli", "etl", "run", "curated"],
                              capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: another ETL run holds the lock")


def test_a_reader_keeps_answering_through_a_publish_and_then_sees_new_data(curated):
    runner.run(curated, ["curated"])
    reader = Reader(curated.db, "256MB", 1)
    assert reader.query("SELECT count(*) FROM v_figures")[1] == [(2,)]
    errors, answers = [], []
    stop = threading.Event()

    def keep_reading():
        while not stop.is_set():
            try:
                answers.append(reader.query("SELECT count(*) FROM v_figures")[1][0][0])
            except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
                errors.append(exc)

    thread = threading.Thread(target=keep_reading)
    thread.start()
    try:
        time.sleep(0.2)
        curated.curated_csv.write_text(CURATED + CURATED.splitlines()[1].replace("r1,", "r9,").replace(
            "80000", "90000") + "\n")
        runner.run(curated, ["curated"])
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert answers[0] == 2 and answers[-1] == 3
    reader.close()


def test_a_reader_says_what_to_do_when_there_is_no_warehouse(settings):
    with pytest.raises(WarehouseError, match="run `displacement demo`"):
        Reader(settings.db).cursor()


def test_settings_come_from_the_environment_and_hide_secrets():
    from etl.settings import Settings, SettingsError

    s = Settings.from_env({"DISPLACEMENT_PORT": "9000", "DISPLACEMENT_ACLED_PASSWORD": "hunter2"})
    assert s.port == 9000 and s.acled_password == "hunter2"
    assert s.public()["acled_password"] == "***"
    with pytest.raises(SettingsError, match="DISPLACEMENT_PORT='x' is not a valid int"):
        Settings.from_env({"DISPLACEMENT_PORT": "x"})


def test_errors_stored_in_etl_runs_never_contain_secrets(curated, monkeypatch):
    secret = "s3cr3t-key"

    class Leaky(Source):
        name = "test-leaky"

        def load(self, ctx):
            raise SourceError(f"test-leaky: request to https://api.example/?key={secret} failed")

    monkeypatch.setattr(registry, "_EXTRA", {"test-leaky": Leaky})
    s = replace(curated, dtm_subscription_key=secret)
    [result] = runner.run(s, ["test-leaky"])
    assert result.status == "failed" and secret not in result.error
    assert all(secret not in str(r) for r in snapshot(s, "etl_runs", "run_id"))
