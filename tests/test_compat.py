"""The warehouse from other programs' side: an older DuckDB opens it, its views carry their dictionary, and a
publish never destroys another process's read-write session."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from etl.warehouse.compat import HEADER_VERSION, header_version
from tests.test_cli import displacement

OLDEST = "1.1.0"  # docs/schema.md: the oldest DuckDB that opens the file
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "displacement-tests" / f"duckdb-{OLDEST}"


def old_duckdb_python() -> Path:
    """A Python with duckdb==OLDEST, installed once into a cached venv (needs PyPI the first time)."""
    python = CACHE / "bin" / "python"
    check = [str(python), "-c", f"import duckdb; assert duckdb.__version__ == '{OLDEST}'"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(CACHE)], check=True, capture_output=True)
    proc = subprocess.run([str(python), "-m", "pip", "install", "-q", f"duckdb=={OLDEST}"], capture_output=True,
                          text=True)
    assert proc.returncode == 0, f"could not install duckdb=={OLDEST} into {CACHE}: {proc.stderr[-500:]}"
    return python


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("compat") / "demo.duckdb"
    proc = displacement("demo", "--no-serve", env={"DISPLACEMENT_DB": str(db)})
    assert proc.returncode == 0, proc.stderr
    return db


def test_the_oldest_documented_duckdb_opens_the_warehouse_and_its_views(demo_db):
    assert OLDEST in (Path(__file__).parent.parent / "docs" / "schema.md").read_text()
    script = textwrap.dedent(f"""
        import duckdb
        con = duckdb.connect({str(demo_db)!r}, read_only=True)
        print(duckdb.__version__)
        for view in ("v_figures", "v_claims", "v_documents", "v_places", "v_sources", "v_figure_months"):
            print(view, con.execute(f"SELECT count(*) FROM {{view}}").fetchall()[0][0])
    """)
    proc = subprocess.run([str(old_duckdb_python()), "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split()
    assert lines[0] == OLDEST
    counts = dict(zip(lines[1::2], map(int, lines[2::2])))
    live = duckdb.connect(str(demo_db), read_only=True)
    for view, n in counts.items():
        assert n == live.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0], view
    live.close()
    assert counts["v_figures"] > 0 and header_version(demo_db) == HEADER_VERSION


def test_every_public_view_and_column_has_a_comment(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    views = con.execute("SELECT view_name, comment FROM duckdb_views() WHERE view_name LIKE 'v\\_%' ESCAPE '\\'"
                        " AND NOT internal").fetchall()
    assert len(views) >= 9 and all(comment for _, comment in views), views
    missing = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE table_name LIKE 'v\\_%'"
                          " ESCAPE '\\' AND comment IS NULL").fetchall()
    assert missing == []
    con.close()


def test_a_file_written_in_the_newer_storage_format_is_rewritten_for_old_readers(demo_db, tmp_path):
    db = tmp_path / "new-format.duckdb"
    con = duckdb.connect(str(db))  # DuckDB's default storage format
    con.execute(f"ATTACH '{demo_db}' AS demo (READ_ONLY)")
    con.execute("COPY FROM DATABASE demo TO \"new-format\"")
    con.execute("DETACH demo")
    con.close()
    before = duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM figures").fetchall()
    proc = displacement("etl", "run", "gazetteer", env={"DISPLACEMENT_DB": str(db)})
    assert proc.returncode == 0, proc.stderr
    assert header_version(db) == HEADER_VERSION
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM figures").fetchall() == before
    assert con.execute("SELECT count(*) FROM v_figure_months").fetchall()[0][0] > 0
    con.close()


def test_a_publish_refuses_while_another_process_holds_the_live_file_read_write(demo_db, tmp_path):
    db = tmp_path / "held.duckdb"
    db.write_bytes(demo_db.read_bytes())
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys\ncon = duckdb.connect({str(db)!r})\n"
                               "con.execute('CREATE TABLE analyst_notes AS SELECT 1 AS n')\n"
                               "print('ready', flush=True)\nsys.stdin.read()\ncon.close()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        before = db.stat().st_ino
        proc = displacement("etl", "run", "curated", env={"DISPLACEMENT_DB": str(db)})
        assert proc.returncode == 1
        assert "open read-write" in proc.stderr and f"process {holder.pid}" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr and db.stat().st_ino == before
    finally:
        holder.communicate("", timeout=30)
    time.sleep(0.1)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT n FROM analyst_notes").fetchall() == [(1,)]  # the session's work survived
    con.close()
    assert displacement("etl", "run", "curated", env={"DISPLACEMENT_DB": str(db)}).returncode == 0
