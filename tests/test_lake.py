"""The Parquet lake: `etl run lake` loads it idempotently with rejects; DuckDB views over it match the warehouse."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard.queries import _PARAM, SQL

ROOT = Path(__file__).parent.parent


def displacement(*args, db: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env["DISPLACEMENT_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "etl.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(fakes_lake, tmp_path_factory):
    db = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    for args in (["etl", "run", "gazetteer"], ["etl", "run", "lake", "--from-file", str(fakes_lake["lake"])]):
        proc = displacement(*args, db=db)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return db


def snapshot(db: Path):
    return (rows(db, "SELECT * FROM figures ORDER BY figure_id"),
            rows(db, "SELECT * FROM documents ORDER BY doc_id"),
            rows(db, "SELECT * FROM rejects ORDER BY reject_id"))


def test_the_lake_loads_into_the_warehouse_once(warehouse, fakes_lake):
    before = snapshot(warehouse)
    figures, documents, rejects = before
    assert len(figures) == fakes_lake["counts"]["figures"] and len(documents) == 36
    assert sorted(r[4] for r in rejects)[0].startswith("bad JSON")  # the Spark job's rejects, with their reason
    lake_ids = rows(warehouse, f"SELECT figure_id FROM read_parquet('{fakes_lake['lake']}/figures/**/*.parquet')"
                               " ORDER BY 1")
    assert rows(warehouse, "SELECT figure_id FROM figures ORDER BY 1") == lake_ids
    proc = displacement("etl", "run", "lake", "--from-file", str(fakes_lake["lake"]), db=warehouse)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(warehouse) == before


def test_bad_rows_and_files_are_rejected_and_the_rest_loads(fakes_lake, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(fakes_lake["lake"], lake)
    con = duckdb.connect()
    good = con.execute(f"SELECT * FROM read_parquet('{lake}/figures/**/*.parquet', hive_partitioning = true)"
                       " LIMIT 2").df()
    bad = good.assign(figure_id=["x1", "x2"], metric=["exploded", "killed"], value=[5, None])
    part = lake / "figures" / "country_iso3=SYR" / "year=2099"
    part.mkdir()
    con.register("bad", bad.drop(columns=["country_iso3", "year"]))
    con.execute(f"COPY bad TO '{part}/bad.parquet' (FORMAT parquet)")
    con.close()
    (part / "corrupt.parquet").write_bytes(b"PAR1 not really")
    db = tmp_path / "w.duckdb"
    proc = displacement("etl", "run", "lake", "--from-file", str(lake), db=db)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"lake\s+ok\s+read\s+\d+\s+loaded\s+\d+\s+rejected\s+6", proc.stdout), proc.stdout
    reasons = [r[0] for r in rows(db, "SELECT reason FROM v_rejects ORDER BY reason")]
    assert "metric 'exploded' is not one of the contract's metrics" in reasons
    assert "value is missing" in reasons
    assert any(r.startswith("figures: unreadable Parquet file") for r in reasons)
    assert rows(db, "SELECT count(*) FROM figures")[0][0] == fakes_lake["counts"]["figures"]


def test_a_folder_that_is_not_a_lake_is_a_one_line_error(tmp_path):
    proc = displacement("etl", "run", "lake", "--from-file", str(tmp_path), db=tmp_path / "w.duckdb")
    assert proc.returncode == 1
    assert f"lake: {tmp_path} has no figures/ folder" in proc.stdout and "Traceback" not in proc.stderr


def lake_views_sql() -> str:
    """The SQL block of docs/schema.md's lake section, as an analyst would paste it."""
    doc = (ROOT / "docs" / "schema.md").read_text()
    section = doc.split("## The Parquet lake", 1)[1]
    return section.split("```sql", 1)[1].split("```", 1)[0]


def overview(con, params) -> pd.DataFrame:
    frames = [con.execute(SQL[name], {k: params.get(k) for k in _PARAM.findall(SQL[name])}).df()
              for name in ("overview_heads", "overview_trend")]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("params", [{}, {"metric": "killed"}, {"country": "SYR", "admin1": "SY07"},
                                    {"metric": "displaced", "start": "2018-01-01", "end": "2019-12-15"}])
def test_duckdb_views_over_the_lake_give_the_warehouses_overview(warehouse, fakes_lake, tmp_path, monkeypatch,
                                                                 params):
    (tmp_path / "lake").symlink_to(fakes_lake["lake"])
    monkeypatch.chdir(tmp_path)
    lake = duckdb.connect()
    lake.execute(lake_views_sql())
    published = duckdb.connect(str(warehouse), read_only=True)
    try:
        params = {k: (pd.Timestamp(v).date() if k in ("start", "end") else v) for k, v in params.items()}
        got, expected = overview(lake, params), overview(published, params)
        assert len(expected) > 3
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
        columns = [d[0] for d in published.execute("SELECT * FROM v_figures LIMIT 0").description]
        # which load brought a figure, and its review priority (scored against every figure at publish), are the
        # warehouse's own
        columns = [c for c in columns if c not in ("load_id", "review_priority")]
        query = f"SELECT {', '.join(columns)} FROM v_figures ORDER BY figure_id"
        assert lake.execute(query).fetchall() == published.execute(query).fetchall()
        query = "SELECT doc_id, url, title, publisher, published, sha256, text, n_figures FROM v_documents ORDER BY 1"
        assert lake.execute(query).fetchall() == published.execute(query).fetchall()
    finally:
        published.close()
        lake.close()


def test_a_displacement_export_loads_as_a_lake(tmp_path):
    demo = tmp_path / "demo.duckdb"
    assert displacement("demo", "--no-serve", db=demo).returncode == 0
    proc = displacement("export", str(tmp_path / "out"), db=demo)
    assert proc.returncode == 0, proc.stderr
    db = tmp_path / "w.duckdb"
    proc = displacement("etl", "run", "lake", "--from-file", str(tmp_path / "out"), db=db)
    assert proc.returncode == 0, proc.stderr
    query = ("SELECT metric, value, qualifier, claimed_by_org, country_iso3, admin1_pcode, period_end, doc_id"
             " FROM v_figures ORDER BY ALL")
    assert rows(db, query) == rows(demo, query)
    assert rows(db, "SELECT count(*) FROM v_documents") == rows(demo, "SELECT count(*) FROM v_documents")
