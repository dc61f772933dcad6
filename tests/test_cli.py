"""The `displacement` command from the user's side: a subprocess, its output and its exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.cli import cli

COMMANDS = [[], ["demo"], ["etl"], ["etl", "run"], ["etl", "status"], ["etl", "schedule"], ["extract"], ["sql"],
            ["serve"], ["settings"], ["review"], ["review", "export"]]


def displacement(*args, env=None, timeout=180):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "etl.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    proc = displacement("demo", "--no-serve", env={"DISPLACEMENT_DB": str(db)})
    assert proc.returncode == 0, proc.stderr
    assert "demo data loaded" in proc.stdout
    return {"DISPLACEMENT_DB": str(db)}


def sql_json(query, env):
    proc = displacement("sql", query, "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_demo_loads_the_seed_articles_two_headline_figures_in_idlib(demo_db):
    rows = sql_json(
        "SELECT value, qualifier, claimed_by_org, admin1_pcode, country_iso3, metric FROM v_figures"
        " WHERE doc_id = 'voa-idlib-2019-12-25' AND metric = 'displaced' AND value IN (80000, 100000)"
        " ORDER BY value", demo_db)
    assert [(r["value"], r["qualifier"], r["claimed_by_org"], r["admin1_pcode"]) for r in rows] == [
        (80000, "exact", "United Nations", "SY07"),
        (100000, "more_than", "Syrian Observatory for Human Rights", "SY07"),
    ]


def test_demo_loads_the_curated_table_gazetteer_and_claims(demo_db):
    [row] = sql_json(
        "SELECT (SELECT count(*) FROM v_figures WHERE source = 'curated') AS curated,"
        " (SELECT count(*) FROM v_places WHERE country_iso3 = 'SYR' AND admin_level = 1) AS governorates,"
        " (SELECT count(*) FROM v_places WHERE admin_level = 0) AS countries,"
        " (SELECT max(n_figures) FROM v_claims WHERE claimed_by_org = 'United Nations' AND value = 80000) AS un",
        demo_db)
    assert row["curated"] == 25
    assert row["governorates"] == 14
    assert row["countries"] > 150
    assert row["un"] == 2  # the article's sentence and the curated citation are one claim


def test_a_second_demo_run_adds_nothing(demo_db):
    query = "SELECT (SELECT count(*) FROM figures) f, (SELECT count(*) FROM claims) c, (SELECT count(*) FROM places) p"
    before = sql_json(query, demo_db)
    assert displacement("demo", "--no-serve", env=demo_db).returncode == 0
    assert sql_json(query, demo_db) == before


def test_sql_formats(demo_db):
    csv_out = displacement("sql", "SELECT 1 AS a, 'x' AS b", "--format", "csv", env=demo_db)
    assert csv_out.stdout == "a,b\n1,x\n"  # plain newlines, so `tail -1` in a shell gives the bare value
    table = displacement("sql", "SELECT 42 AS answer", env=demo_db)
    assert "answer" in table.stdout and "42" in table.stdout


def test_sql_cannot_write_the_warehouse(demo_db):
    proc = displacement("sql", "DELETE FROM figures", env=demo_db)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "read-only" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_etl_status_lists_sources(demo_db):
    proc = displacement("etl", "status", "--format", "json", env=demo_db)
    assert proc.returncode == 0, proc.stderr
    status = {r["source"]: r for r in json.loads(proc.stdout)}
    assert {"articles", "curated", "gazetteer"} <= set(status)
    assert status["curated"]["last_success"] and status["curated"]["last_error"] is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["extract", "nope.txt"], "error: no such file or folder: nope.txt"),
        (["etl", "run", "nosuch"], "error: unknown source 'nosuch'"),
        (["etl", "run", "curated", "articles", "--from-file", "x.csv"], "error: --from-file needs exactly one SOURCE"),
        (["sql", "SELEC 1"], "error: Parser Error"),
    ],
)
def test_bad_input_gets_a_one_line_error(args, message, demo_db):
    proc = displacement(*args, env=demo_db)
    assert proc.returncode != 0
    assert proc.stderr.startswith(message), proc.stderr
    assert "Traceback" not in proc.stderr


def test_sql_without_a_warehouse_says_how_to_make_one(tmp_path):
    proc = displacement("sql", "SELECT 1", env={"DISPLACEMENT_DB": str(tmp_path / "none.duckdb")})
    assert proc.returncode == 1 and "run `displacement demo`" in proc.stderr


def test_a_bad_setting_is_named(tmp_path):
    proc = displacement("sql", "SELECT 1", env={"DISPLACEMENT_PORT": "eighty"})
    assert proc.returncode == 1 and "DISPLACEMENT_PORT='eighty' is not a valid int" in proc.stderr


def test_a_bad_csv_row_is_rejected_with_its_line_and_the_rest_loads(tmp_path):
    csv_path = tmp_path / "figures.csv"
    csv_path.write_text(
        "record_id,metric,value,qualifier,claimed_by_org,publisher,published,period_end\n"
        "a,killed,12,exact,OCHA,OCHA,2020-01-02,2020-01-01\n"
        "b,killed,7,exact,OCHA,OCHA,2020-01-02,01/02/2020x\n"
    )
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb")}
    proc = displacement("etl", "run", "curated", "--from-file", str(csv_path), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "rejected     1" in proc.stdout
    [reject] = sql_json("SELECT location, reason FROM v_rejects", env)
    assert reject == {"location": "figures.csv:3", "reason": "bad date '01/02/2020x' (want YYYY-MM-DD)"}


def test_extract_json_follows_the_contract(tmp_path):
    doc = tmp_path / "note.txt"
    doc.write_text("Fighting in Idlib displaced 80,000 people this week, the U.N. said.")
    proc = displacement("extract", str(doc), "--json")
    assert proc.returncode == 0, proc.stderr
    [fig] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert fig["doc_id"] == "note" and fig["value"] == 80000 and fig["metric"] == "displaced"
    assert doc.read_text()[fig["char_start"]:fig["char_end"]] == fig["quantity_text"] == "80,000"


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "displacement")
def test_every_command_has_help(path):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_extract_reports_bad_files_and_lines_and_keeps_the_rest(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff binary")
    (tmp_path / "docs.jsonl").write_text(
        '{"id": "a", "text": "Floods displaced 5,000 people in Idlib, OCHA said.", "published": "2020-01-02"}\n'
        "not json\n"
    )
    proc = displacement("extract", str(tmp_path), "--json", env={"DISPLACEMENT_DB": str(tmp_path / "no.duckdb")})
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["value"] for line in proc.stdout.splitlines()] == [5000]
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("error: ") for e in errors)
    assert "binary.txt" in proc.stderr and "docs.jsonl:2" in proc.stderr


def test_extract_uses_the_warehouse_gazetteer_once_pcodes_are_loaded(tmp_path):
    doc = tmp_path / "kabul.txt"
    doc.write_text("Floods displaced 5,000 people in Kabul on Monday, officials said.")
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb")}
    before = json.loads(displacement("extract", str(doc), "--json", env=env).stdout)
    assert (before["country_iso3"], before["admin1_pcode"]) == ("AFG", "AF01")  # the bundled HDX list
    pcodes = Path(__file__).parent / "fixtures" / "pcodes" / "global_pcodes.csv"
    assert displacement("etl", "run", "pcodes", "--from-file", str(pcodes), env=env).returncode == 0
    after = json.loads(displacement("extract", str(doc), "--json", env=env).stdout)
    assert (after["country_iso3"], after["admin1_pcode"]) == ("AFG", "AF01")


def test_the_articles_source_rejects_a_bad_file_and_loads_the_others(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "bad.txt").write_bytes(b"\x00\x00\x00")
    (articles / "good.txt").write_text("Shelling killed 12 civilians in Idlib on Monday, the White Helmets said.")
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb"), "DISPLACEMENT_ARTICLES_DIR": str(articles)}
    proc = displacement("etl", "run", "articles", env=env)
    assert proc.returncode == 0, proc.stderr
    [row] = sql_json("SELECT value, claimed_by_org, admin1_pcode FROM v_figures", env)
    assert row == {"value": 12, "claimed_by_org": "White Helmets", "admin1_pcode": "SY07"}
    [reject] = sql_json("SELECT location, reason FROM v_rejects", env)
    assert reject["location"].endswith("bad.txt") and "binary" in reject["reason"]
