"""Extraction on Spark (local mode) gives the CLI's figures, field for field, and rejects what it cannot read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyspark

from etl.model import CONTRACT_FIELDS, Document
from etl.spark import mapper
from etl.spark.corpus import fakes_documents

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "spark"


def run(*args, env=None, timeout=600):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    full_env.update(env or {})
    return subprocess.run(list(args), capture_output=True, text=True, env=full_env, timeout=timeout)


def lake_rows(lake: Path, table: str) -> list[dict]:
    con = duckdb.connect()
    try:
        cur = con.execute(f"SELECT * FROM read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true)")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def contract(rows) -> list[dict]:
    """The contract's fields as `extract --json` prints them, sorted by document and offset."""
    out = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items() if k in CONTRACT_FIELDS}
           for r in rows]
    return sorted(out, key=lambda f: (f["doc_id"], f["char_start"], f["metric"]))


def cli_figures(path: Path, tmp_path) -> list[dict]:
    proc = run(sys.executable, "-m", "etl.cli", "extract", str(path), "--json",
               env={"DISPLACEMENT_DB": str(tmp_path / "none.duckdb")})
    assert proc.returncode == 0, proc.stderr
    return contract(json.loads(line) for line in proc.stdout.splitlines())


def test_spark_figures_equal_the_clis_field_for_field(fakes_lake, tmp_path):
    expected = cli_figures(fakes_lake["input"], tmp_path)
    got = contract(lake_rows(fakes_lake["lake"], "figures"))
    assert len(expected) > 40
    assert got == expected
    assert {f["metric"] for f in got} >= {"killed", "injured", "displaced"}


def test_lake_has_the_v_figures_columns_partitioned_by_country_and_year(fakes_lake):
    rows = lake_rows(fakes_lake["lake"], "figures")
    assert set(rows[0]) == {name for name, _ in mapper.FIGURE_FIELDS} | {"year"}
    assert all(r["year"] == (r["period_end"] or r["period_start"] or r["published"]).year for r in rows)
    assert (fakes_lake["lake"] / "figures" / "country_iso3=SYR" / "year=2017").is_dir()
    assert {r["source"] for r in rows} == {"lake"}
    douma = [r for r in rows if r["doc_id"] == "5001" and r["metric"] == "killed"]
    assert douma[0]["admin1_name"] and douma[0]["publisher"] == "sohr"
    assert douma[0]["attribution"] == "sohr, Air strikes hit market in Douma" and douma[0]["licence"]
    docs = lake_rows(fakes_lake["lake"], "documents")
    assert len(docs) == 36 == fakes_lake["counts"]["documents"]
    by_id = {d["doc_id"]: d for d in docs}
    assert by_id["5001"]["n_figures"] == sum(r["doc_id"] == "5001" for r in rows)


def test_corrupt_documents_go_to_rejects_with_their_reason(fakes_lake):
    rejects = lake_rows(fakes_lake["lake"], "rejects")
    reasons = sorted(r["reason"] for r in rejects)
    assert len(reasons) == 3 == fakes_lake["counts"]["rejects"]
    assert reasons[0].startswith("bad JSON")
    assert 'missing "id"' in reasons and 'needs "text" or "html" (a string)' in reasons
    assert all(r["location"].endswith("docs.jsonl") and r["raw"] for r in rejects)


def test_an_exception_inside_extraction_is_a_reject_not_a_failure():
    class Broken:
        places: dict = {}

        def find(self, text, context=None):
            raise RuntimeError("index corrupt")

    line = json.dumps({"id": "a1", "text": "Shelling killed 7 people in Idlib."})
    rows = mapper.rows_for("in.jsonl", line, Broken(), None)
    assert [(r["kind"], r["location"]) for r in rows] == [("reject", "in.jsonl#a1")]
    assert rows[0]["reason"] == "extraction failed (RuntimeError: index corrupt)"
    assert mapper.figures_of(Document(doc_id="e", text="  "), Broken()) == []


def test_cli_on_one_core_with_parquet_input_gives_the_same_lake(fakes_lake, tmp_path):
    docs = pd.DataFrame(fakes_documents(FIXTURES / "fakes_like.csv"))
    docs["published"] = pd.to_datetime(docs["published"]).dt.date
    con = duckdb.connect()
    con.register("docs", docs)
    con.execute(f"COPY docs TO '{tmp_path}/docs.parquet' (FORMAT parquet)")
    con.close()
    out = tmp_path / "lake"
    proc = run(sys.executable, "-m", "etl.cli", "spark", "extract", str(tmp_path / "docs.parquet"), str(out),
               "--master", "local[1]", env={"DISPLACEMENT_DB": str(tmp_path / "none.duckdb")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"figures {fakes_lake['counts']['figures']} documents 36 rejects 0"
    assert contract(lake_rows(out, "figures")) == contract(lake_rows(fakes_lake["lake"], "figures"))
    again = run(sys.executable, "-m", "etl.cli", "spark", "extract", str(tmp_path / "docs.parquet"), str(out))
    assert again.returncode == 1 and again.stderr.strip().startswith("error: ")
    assert "--mode overwrite" in again.stderr and "Traceback" not in again.stderr
    missing = run(sys.executable, "-m", "etl.cli", "spark", "extract", str(tmp_path / "nope*.jsonl"), str(out))
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"error: no such file or folder: {tmp_path}/nope*.jsonl"


def test_the_job_runs_under_spark_submit(fakes_lake, tmp_path):
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    out = tmp_path / "lake"
    proc = run(str(submit), "--master", "local[2]", "--conf", "spark.ui.enabled=false",
               "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.driver.host=127.0.0.1",
               str(ROOT / "etl" / "spark" / "job.py"), str(fakes_lake["input"]), str(out), "--partitions", "3",
               env={"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == " ".join(f"{k} {v}" for k, v in fakes_lake["counts"].items())
    assert contract(lake_rows(out, "figures")) == contract(lake_rows(fakes_lake["lake"], "figures"))
