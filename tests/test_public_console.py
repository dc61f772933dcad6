"""With DISPLACEMENT_PUBLIC_ONLY on, no SQL sent to /api/sql, the /sql page or `displacement sql` reaches a row of a
source whose terms forbid redistribution, or its count: the console reads a copy that does not hold them."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import sql_sandbox as sb
from dashboard.app import create_app
from etl import warehouse

ROOT = Path(__file__).resolve().parent.parent
SECRET = "SECRET-ROW"  # in every text field of the restricted rows
RESTRICTED_VALUE = 777_001  # restricted figures' values start here
N_RESTRICTED, N_PUBLIC = 311, 3  # counts no timestamp or id in a reply holds by chance


def publish(settings, n_public: int = N_PUBLIC, n_restricted: int = N_RESTRICTED) -> None:
    """A warehouse with n_public figures of `curated` and n_restricted of `acled` (no redistribution), with their
    documents, runs, rejects and source state; claims and the other derived tables built from all of them."""
    with warehouse.etl_lock(settings), warehouse.next_version(settings, claims=True) as con:
        for table in ("figures", "documents", "places", "sources", "etl_runs", "rejects", "source_state"):
            con.execute(f"DELETE FROM {table}")
        con.execute("INSERT INTO sources VALUES ('curated', 'dataset', 'hand-kept', 'CC-BY', NULL),"
                    f" ('acled', 'dataset', '{SECRET}', 'ACLED terms', 'https://acleddata.com/{SECRET}')")
        con.execute("INSERT INTO places VALUES ('SYR', 0, 'Syria', 'SYR', NULL, [], NULL, 'gazetteer'),"
                    " ('SY07', 1, 'Idlib', 'SYR', 'SYR', [], NULL, 'gazetteer')")
        con.execute("INSERT INTO etl_runs VALUES (1, 'curated', now(), now(), 'ok', 3, 3, 1, NULL),"
                    f" (2, 'acled', now(), now(), 'ok', {n_restricted}, {n_restricted}, 1, '{SECRET}')")
        con.execute("INSERT INTO rejects VALUES ('r1', 'curated', 1, 'line 4', 'no value', 'x'),"
                    f" ('r2', 'acled', 2, '{SECRET}', '{SECRET}', '{SECRET}')")
        con.execute(f"INSERT INTO source_state VALUES ('acled', 'cursor', '{SECRET}', now())")
        con.execute("INSERT INTO documents (doc_id, source, url, title, publisher, published, retrieved_at, text,"
                    f" sha256, load_id) VALUES ('d-acled', 'acled', 'https://x/{SECRET}', '{SECRET}', '{SECRET}',"
                    f" DATE '2020-02-01', now(), '{SECRET}', 'abc', 2)")
        insert = (
            "INSERT INTO figures (figure_id, source, source_type, doc_id, load_id, content_hash, metric, value,"
            " qualifier, unit, claimed_by_org, country_iso3, admin1_pcode, period_start, period_end, evidence,"
            " quantity_text) SELECT ? || range, ?, 'dataset', ?, 1, 'h', 'displaced', ? + ? * range, 'exact',"
            " 'people', ?, 'SYR', 'SY07', DATE '2020-01-01', DATE '2020-02-01', ?, ? FROM range(?)")
        con.execute(insert, ["pub", "curated", None, 1000, 1000, "UN OCHA", "Some people fled.", "some", n_public])
        con.execute(insert, ["sec", "acled", "d-acled", RESTRICTED_VALUE, 1, SECRET, SECRET, SECRET, n_restricted])


HOSTILE = [
    "SELECT * FROM v_figures",
    "SELECT * FROM figures",
    "SELECT * FROM main.figures",
    "SELECT * FROM query_table('figures')",
    "SELECT * FROM query('SELECT * FROM figures')",
    "SELECT * FROM v_figure_facts",
    "SELECT * FROM figure_facts",
    "SELECT * FROM v_figure_months",
    "SELECT * FROM v_claims",
    "SELECT * FROM claims",
    "SELECT * FROM v_documents",
    "SELECT * FROM v_document_text",
    "SELECT * FROM documents",
    "SELECT * FROM v_rejects",
    "SELECT * FROM rejects",
    "SELECT * FROM v_etl_runs",
    "SELECT * FROM etl_runs",
    "SELECT * FROM v_sources",
    "SELECT * FROM sources",
    "SELECT * FROM source_state",
    "SELECT * FROM v_review_overlay",
    "SUMMARIZE figures",
    "SUMMARIZE v_figure_facts",
    "SELECT max(value), count(*) FROM figures",
    "SELECT sum(n), max(value_max), max(latest_key) FROM v_figure_months",
    "SELECT sum(n_figures), max(value), list(figure_ids) FROM v_claims",
    "SELECT sum(figures), sum(last_rows_loaded) FROM v_sources",
    "SELECT sum(rows_loaded), sum(rows_read) FROM v_etl_runs",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM duckdb_columns()",
    "SELECT * FROM duckdb_views()",
    "SELECT * FROM duckdb_databases()",
    "SELECT * FROM duckdb_constraints()",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM pragma_storage_info('figures')",
    "SELECT * FROM pragma_storage_info('figure_facts')",
    "SELECT * FROM pragma_database_size()",
    "SELECT * FROM pragma_table_info('figures')",
    "ATTACH '{db}' AS live (READ_ONLY)",
    "SELECT * FROM '{db}'",
    "SELECT * FROM read_text('{db}')",
    "SELECT * FROM duckdb_secrets()",
]


def _statements(settings) -> list[str]:
    """The battery, plus every table and view named with its catalog (whatever that catalog is called)."""
    result = sb.run(settings, "SELECT table_catalog, table_schema, table_name FROM information_schema.tables"
                              " WHERE table_catalog NOT IN ('system', 'temp')")
    qualified = [f'SELECT * FROM "{c}"."{s}"."{t}"' for c, s, t in result.rows]
    return [q.format(db=os.path.realpath(settings.db)) for q in HOSTILE] + qualified


def _revealed(text: str) -> list[str]:
    """What in `text` gives away a restricted row: its text, its values, its source's name or its count."""
    found = [word for word in (SECRET, "acled") if word in text]
    # Whole numbers only: a hex hash in a file or catalog name may hold any digits.
    values = rf"(?<![\w.])({RESTRICTED_VALUE // 1000}\d{{3}})(?!\d)"
    counts = rf"(?<![\w.:-])({N_RESTRICTED}|{N_RESTRICTED + N_PUBLIC})(?![\w.:])"
    return found + re.findall(values, text) + re.findall(counts, text)


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    sb.shutdown()


@pytest.fixture
def public(settings):
    publish(settings)
    assert settings.restricted  # the default: public-only on when basic auth is off
    return dataclasses.replace(settings, sql_timeout=60.0)  # a loaded machine is slow, not wrong


@pytest.fixture
def client(public):
    app = create_app(public)
    yield app.server.test_client()
    app.close_resources()


def test_api_sql_reveals_no_restricted_row_or_count(public, client):
    statements = _statements(public)
    assert len(statements) > len(HOSTILE) + 10  # the qualified names of the public copy's tables and views
    for query in statements:
        reply = client.post("/api/sql", data={"q": query})
        text = reply.get_data(as_text=True)
        assert reply.status_code in (200, 400), (query, text)
        assert not _revealed(text), (query, _revealed(text), text[:500])


def test_public_rows_and_the_views_stay_queryable(public, client):
    def ask(query):
        reply = client.post("/api/sql", data={"q": query})
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return reply.get_json()["rows"]

    assert ask("SELECT count(*), sum(value) FROM v_figures") == [[N_PUBLIC, 6000]]
    assert ask("SELECT count(*) FROM figures") == [[N_PUBLIC]]
    assert ask("SELECT sum(n) FROM v_figure_months") == [[N_PUBLIC]]
    assert ask("SELECT count(*) FROM v_figure_facts") == [[N_PUBLIC]]
    assert ask("SELECT sum(n_figures) FROM v_claims") == [[N_PUBLIC]]
    assert ask("SELECT source, figures FROM v_sources") == [["curated", N_PUBLIC]]
    assert ask("SELECT source FROM v_etl_runs") == [["curated"]]
    assert ask("SELECT location FROM v_rejects") == [["line 4"]]
    assert ask("SELECT name FROM v_places ORDER BY pcode") == [["Idlib"], ["Syria"]]
    views = ask("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'v\\_%' ESCAPE '\\'"
                " ORDER BY 1")
    assert [v[0] for v in views] == ["v_claims", "v_document_text", "v_documents", "v_etl_runs", "v_figure_facts",
                                     "v_figure_months", "v_figures", "v_places", "v_rejects", "v_review_overlay",
                                     "v_sources"]
    # the data dictionary travels with the views
    assert ask("SELECT comment FROM duckdb_views() WHERE view_name = 'v_figures'")[0][0].startswith("One row per")
    assert ask("SELECT comment FROM duckdb_columns() WHERE table_name = 'v_figures' AND column_name = 'licence'"
               )[0][0].startswith("Licence")


def _console(app, query: str) -> dict:
    """Run the /sql page's Run button through Dash's callback endpoint, as the browser does."""
    output = next(key for key in app.callback_map if "sql-grid.rowData" in key)
    body = {
        "output": output,
        "outputs": [{"id": part.split(".")[0], "property": part.split(".")[1]}
                    for part in output.strip(".").split("...")],
        "inputs": [{"id": "sql-run", "property": "n_clicks", "value": 1}],
        "state": [{"id": "sql-query", "property": "value", "value": query}],
        "changedPropIds": ["sql-run.n_clicks"],
    }
    reply = app.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                          content_type="application/json")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()["response"]


def test_the_sql_page_reveals_no_restricted_row(public):
    app = create_app(public)
    try:
        for query in _statements(public):
            response = _console(app, query)
            assert not _revealed(json.dumps(response)), query
        response = _console(app, "SELECT count(*) AS n FROM v_figures")
        assert list(response["sql-grid"]["rowData"][0].values()) == [N_PUBLIC]
    finally:
        app.close_resources()


def displacement(*args, settings, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    environ.update(PYTHONPATH=str(ROOT), DISPLACEMENT_DB=str(settings.db), **env)
    return subprocess.run([sys.executable, "-m", "etl.cli", *args], capture_output=True, text=True, timeout=300,
                          env=environ)


def test_displacement_sql_follows_the_setting(public):
    for query in _statements(public):
        proc = displacement("sql", query, "--format", "json", settings=public)
        assert proc.returncode in (0, 1), (query, proc.stderr)
        assert not _revealed(proc.stdout + proc.stderr), (query, proc.stdout[:300])
    count = "SELECT count(*) AS n FROM v_figures"
    assert displacement("sql", count, "--format", "csv", settings=public).stdout.split() == ["n", str(N_PUBLIC)]
    everything = displacement("sql", count, "--format", "csv", "--all-rows", settings=public)
    assert everything.stdout.split() == ["n", str(N_PUBLIC + N_RESTRICTED)]  # the operator's explicit choice
    off = displacement("sql", count, "--format", "csv", settings=public, DISPLACEMENT_PUBLIC_ONLY="false")
    assert off.stdout.split() == ["n", str(N_PUBLIC + N_RESTRICTED)]
    auth = displacement("sql", count, "--format", "csv", settings=public, DISPLACEMENT_BASIC_AUTH="a:b")
    assert auth.stdout.split() == ["n", str(N_PUBLIC + N_RESTRICTED)]  # `auto`: off behind basic auth


def test_public_only_off_shows_every_row(public):
    off = dataclasses.replace(public, public_only="false")
    app = create_app(off)
    try:
        reply = app.server.test_client().post("/api/sql", data={"q": "SELECT count(*) FROM figures WHERE"
                                                                      " source = 'acled'"})
        assert reply.get_json()["rows"] == [[N_RESTRICTED]]
        response = _console(app, f"SELECT evidence FROM v_figures WHERE evidence = '{SECRET}' LIMIT 1")
        assert SECRET in json.dumps(response)
    finally:
        app.close_resources()


def test_after_a_publish_the_console_serves_the_new_public_rows(public, client):
    def count():
        return client.post("/api/sql", data={"q": "SELECT count(*) FROM v_figures"}).get_json()["rows"]

    assert count() == [[N_PUBLIC]]
    publish(public, n_public=5, n_restricted=20)
    deadline = time.monotonic() + 120  # the new copy is built in the background; the old one answers meanwhile
    answer = count()
    while answer != [[5]] and time.monotonic() < deadline:
        assert answer == [[N_PUBLIC]]  # never a restricted row while waiting
        time.sleep(0.5)
        answer = count()
    assert answer == [[5]]
    text = client.post("/api/sql", data={"q": "SELECT * FROM figures"}).get_data(as_text=True)
    assert SECRET not in text
    copies = sorted(p.name for p in (public.db.parent / "warehouse.versions" / "public").glob("p-*.duckdb"))
    assert len(copies) == 2  # the new copy and the previous one, no more


def test_a_public_export_holds_no_restricted_row_or_count(public, tmp_path):
    for fmt in ("parquet", "csv"):
        out = tmp_path / f"out-{fmt}"
        proc = displacement("export", str(out), "--format", fmt, settings=public)
        assert proc.returncode == 0, proc.stderr
        data = [p for p in out.rglob(f"*.{fmt}")]
        texts = "".join(p.read_bytes().decode("latin-1") for p in data if fmt == "csv")
        assert fmt == "parquet" or not _revealed(texts), _revealed(texts)
        for path in data:
            con = __import__("duckdb").connect()
            rows = con.execute(f"SELECT * FROM '{path}'").fetchall()
            assert not _revealed(json.dumps(rows, default=str)), (path, _revealed(json.dumps(rows, default=str)))
    figures = (tmp_path / "out-parquet" / "figures")
    n = __import__("duckdb").connect().execute(
        f"SELECT count(*) FROM read_parquet('{figures}/**/*.parquet', hive_partitioning = true)").fetchall()[0][0]
    assert n == N_PUBLIC
