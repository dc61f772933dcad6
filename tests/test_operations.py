"""Operating the CLI and server: --version, logging for every command, exit statuses cron and systemd act on,
and freshness in /api/health."""

from __future__ import annotations

import dataclasses
import json

import duckdb
import pytest
import requests

from tests.test_api import start  # noqa: F401 - the `start` fixture
from tests.test_cli import displacement


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = tmp_path_factory.mktemp("ops") / "demo.duckdb"
    assert displacement("demo", "--no-serve", env={"DISPLACEMENT_DB": str(db)}).returncode == 0
    return db


def test_version():
    proc = displacement("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("displacement, version ")


def test_schedule_once_exits_non_zero_when_a_due_source_failed_and_logs_json(tmp_path):
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb"), "DISPLACEMENT_SCHEDULE": "curated=* * * * *",
           "DISPLACEMENT_CURATED_CSV": str(tmp_path / "missing.csv")}
    proc = displacement("--log-format", "json", "etl", "schedule", "--once", env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "error: failed: curated"
    logs = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert any(e["level"] == "warning" and "curated" in e["message"] for e in logs)
    assert any(e["level"] == "info" and e["message"].startswith("schedule:") for e in logs)  # info by default


def test_schedule_once_exits_zero_when_the_due_sources_loaded(tmp_path):
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb"), "DISPLACEMENT_SCHEDULE": "gazetteer=* * * * *"}
    proc = displacement("--log-level", "error", "etl", "schedule", "--once", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # --log-level error hides the info lines


def test_every_command_takes_the_logging_options(demo):
    proc = displacement("--log-level", "debug", "--log-format", "json", "sql", "SELECT 1 AS one", "--format", "json",
                        env={"DISPLACEMENT_DB": str(demo)})
    assert proc.returncode == 0 and json.loads(proc.stdout) == [{"one": 1}]
    bad = displacement("--log-level", "loud", "settings")
    assert bad.returncode == 2 and "loud" in bad.stderr


def test_status_fails_on_stale_sources(demo, tmp_path):
    db = tmp_path / "old.duckdb"
    db.write_bytes(demo.read_bytes())
    env = {"DISPLACEMENT_DB": str(db), "DISPLACEMENT_SCHEDULE": "curated=0 0 1 1 *"}
    assert displacement("etl", "status", "--fail-on-stale", env=env).returncode == 0
    con = duckdb.connect(str(db))
    con.execute("UPDATE etl_runs SET finished_at = TIMESTAMP '2001-06-01 00:00:00' WHERE source = 'curated'")
    con.close()
    assert displacement("etl", "status", env=env).returncode == 0  # only reports without the flag
    proc = displacement("etl", "status", "--fail-on-stale", env=env)
    assert proc.returncode == 2 and "error: stale: curated" in proc.stderr


def test_health_reports_the_last_success_and_the_stale_sources(demo, settings, start, tmp_path):  # noqa: F811
    old = tmp_path / "old.duckdb"
    old.write_bytes(demo.read_bytes())
    con = duckdb.connect(str(old))
    con.execute("UPDATE etl_runs SET finished_at = TIMESTAMP '2001-06-01 00:00:00' WHERE source = 'curated'")
    con.close()
    plan = "curated=0 0 1 1 *;articles=0 0 1 1 *"
    body = requests.get(f"{start(dataclasses.replace(settings, db=demo, schedule=plan))}/api/health", timeout=10).json()
    assert body["ok"] is True and body["figures"] == 33 and body["stale"] == []
    assert set(body["sources"]) == {"articles", "curated", "gazetteer"}
    assert body["last_success"] == max(body["sources"].values())
    body = requests.get(f"{start(dataclasses.replace(settings, db=old, schedule=plan))}/api/health", timeout=10).json()
    assert body["ok"] is True and body["stale"] == ["curated"]
    assert body["sources"]["curated"] == "2001-06-01T00:00:00"
