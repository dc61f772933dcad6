"""`displacement export` from the user's side: the files, read back with plain DuckDB, answer as the warehouse does."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest

from tests.test_cli import displacement

SCHEMA_DOC = (Path(__file__).parent.parent / "docs" / "schema.md").read_text()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    env = {"DISPLACEMENT_DB": str(root / "demo.duckdb")}
    assert displacement("demo", "--no-serve", env=env).returncode == 0
    proc = displacement("export", str(root / "out"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "exported to" in proc.stdout
    return root / "demo.duckdb", root / "out"


def _example_queries() -> list[str]:
    section = SCHEMA_DOC.split("## Example queries", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def _views_over(out: Path) -> duckdb.DuckDBPyConnection:
    """A plain in-memory DuckDB with each v_* view defined over the exported files, as docs/schema.md shows."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW v_figures AS SELECT * FROM read_parquet('{out}/figures/**/*.parquet',"
                " hive_partitioning = true)")
    for folder in out.iterdir():
        if folder.is_dir() and folder.name != "figures":
            con.execute(f"CREATE VIEW v_{folder.name} AS SELECT * FROM read_parquet('{folder}/*.parquet')")
    return con


def test_the_documented_example_queries_give_the_warehouses_answers_on_the_files(exported):
    db, out = exported
    queries = _example_queries()
    assert len(queries) >= 4
    files = _views_over(out)
    live = duckdb.connect(str(db), read_only=True)
    answered = 0
    for sql in queries:
        expected = sorted(map(repr, live.execute(sql).fetchall()))
        assert sorted(map(repr, files.execute(sql).fetchall())) == expected, sql
        answered += bool(expected)
    assert answered >= 3  # the demo data answers most of them
    live.close()


def test_figures_are_partitioned_by_country_and_reference_year(exported):
    db, out = exported
    parts = {p.relative_to(out / "figures").parent.as_posix() for p in (out / "figures").rglob("*.parquet")}
    assert "country_iso3=SYR/year=2019" in parts and "country_iso3=SYR/year=2020" in parts
    files = _views_over(out)
    live = duckdb.connect(str(db), read_only=True)
    by_year = "SELECT {y}, count(*) FROM v_figures GROUP BY ALL ORDER BY ALL"
    assert (files.execute(by_year.format(y="country_iso3, year")).fetchall()
            == live.execute(by_year.format(y="country_iso3, year(COALESCE(period_end, period_start, published))"))
            .fetchall())
    live.close()


def test_every_figure_carries_its_licence_and_attribution(exported):
    _, out = exported
    rows = _views_over(out).execute("SELECT count(*), count(licence), count(attribution) FROM v_figures").fetchall()
    assert rows[0][0] > 0 and rows[0][0] == rows[0][1] == rows[0][2]


def test_the_datapackage_describes_every_field_and_file(exported):
    _, out = exported
    package = json.loads((out / "datapackage.json").read_text())
    names = {r["name"] for r in package["resources"]}
    assert {"figures", "claims", "documents", "places", "sources", "etl_runs", "rejects"} <= names
    assert "figure_facts" not in names
    assert {s["title"] for s in package["sources"]} >= {"articles", "curated", "gazetteer"}
    assert all(s["licence"] for s in package["sources"])
    for resource in package["resources"]:
        assert resource["description"], resource["name"]
        for path in resource["path"]:
            assert (out / path).is_file(), path
        for field in resource["schema"]["fields"]:
            assert field["description"] and field["type"] != "any", (resource["name"], field)
    figures = next(r for r in package["resources"] if r["name"] == "figures")
    types = {f["name"]: f["type"] for f in figures["schema"]["fields"]}
    assert types["value"] in ("integer", "number") and types["period_end"] == "date" and types["year"] == "integer"
    assert figures["rows"] == _views_over(out).execute("SELECT count(*) FROM v_figures").fetchall()[0][0]


def test_csv_export_has_a_header_per_view_and_the_same_rows(exported, tmp_path):
    db, _ = exported
    proc = displacement("export", str(tmp_path / "csv"), "--format", "csv", env={"DISPLACEMENT_DB": str(db)})
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "csv" / "claims" / "claims.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["claim_id", "claimed_by_org", "metric"]
    live = duckdb.connect(str(db), read_only=True)
    assert len(rows) - 1 == live.execute("SELECT count(*) FROM v_claims").fetchall()[0][0]
    live.close()
    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text())
    assert {r["mediatype"] for r in package["resources"]} == {"text/csv"}


def test_export_errors_are_one_line(tmp_path):
    proc = displacement("export", str(tmp_path / "out"), env={"DISPLACEMENT_DB": str(tmp_path / "none.duckdb")})
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: no warehouse at") and "Traceback" not in proc.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    proc = displacement("export", str(busy), env={"DISPLACEMENT_DB": str(db)})
    assert proc.returncode == 1 and "is not empty" in proc.stderr
    assert (busy / "notes.txt").read_text() == "mine"
