"""The read-only HTTP API over real HTTP: /api/health, /api/figures, /api/sql."""

from __future__ import annotations

import csv
import dataclasses
import io
import threading

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from dashboard import api, sql_sandbox
from etl import warehouse

FIGURES = [
    # figure_id, source_type, doc_id, dataset, record_id, metric, value, org, country, admin1, admin2, start, end
    ("f1", "document", "doc1", None, None, "displaced", 80000, "United Nations", "SYR", "SY07", "SY0702",
     "2020-01-01", "2020-01-31"),
    ("f2", "document", "doc1", None, None, "killed", 12, "Syrian Observatory for Human Rights", "SYR", "SY07", None,
     "2020-02-10", "2020-02-10"),
    ("f3", "dataset", None, "hapi-idps", "r-17", "displaced", 950000, "IOM", "SYR", "SY07", None,
     "2019-12-01", "2020-02-28"),
    ("f4", "dataset", None, "hapi-idps", "r-18", "displaced", 4000, "IOM", "SYR", "SY02", None,
     "2020-06-01", "2020-06-30"),
    ("f5", "dataset", None, "unhcr", "r-1", "refugees", 5000000, "UNHCR", "TUR", None, None,
     "2018-01-01", "2018-12-31"),
]


def build_api_warehouse(settings) -> None:
    with warehouse.etl_lock(settings), warehouse.next_version(settings) as con:
        con.execute("INSERT INTO places VALUES ('SYR', 0, 'Syria', 'SYR', NULL, [], NULL, 't'),"
                    " ('SY07', 1, 'Idlib', 'SYR', 'SYR', [], NULL, 't'),"
                    " ('SY02', 1, 'Aleppo', 'SYR', 'SYR', [], NULL, 't'),"
                    " ('SY0702', 2, 'Ma''arrat An Nu''man', 'SYR', 'SY07', [], NULL, 't')")
        con.execute("INSERT INTO documents (doc_id, source, url, title, publisher, published, retrieved_at, text,"
                    " sha256, load_id) VALUES ('doc1', 'articles', 'https://news.example/idlib', 'Idlib',"
                    " 'Example News', DATE '2020-02-12', now(), 'text', 'sha', 1)")
        for (fid, stype, doc, dataset, record, metric, value, org, country, a1, a2, start, end) in FIGURES:
            con.execute(
                "INSERT INTO figures (figure_id, source, source_type, doc_id, dataset, record_id, load_id,"
                " content_hash, metric, value, qualifier, unit, claimed_by_org, country_iso3, admin1_pcode,"
                " admin2_pcode, period_start, period_end, evidence, char_start, char_end)"
                " VALUES (?, ?, ?, ?, ?, ?, 1, 'h', ?, ?, 'exact', 'people', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [fid, "articles" if doc else dataset, stype, doc, dataset, record, metric, value, org, country, a1,
                 a2, start, end, "about 80,000 fled" if doc else None, 6 if doc else None, 12 if doc else None],
            )


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    sql_sandbox.shutdown()


@pytest.fixture
def start():
    """start(settings) -> base URL of a bare Flask app with the API registered, on 127.0.0.1."""
    servers = []

    def _start(settings):
        app = Flask(__name__)
        reader = warehouse.reader_for(settings)
        api.register(app, settings, reader)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, reader))
        return f"http://127.0.0.1:{server.server_port}"

    yield _start
    for server, reader in servers:
        server.shutdown()
        reader.close()


@pytest.fixture
def base(settings, start):
    build_api_warehouse(settings)
    return start(dataclasses.replace(settings, sql_timeout=1.5, sql_row_cap=20, public_only="false"))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(f["figure_id"] for f in response.json()["figures"])


def test_health(base):
    body = requests.get(f"{base}/api/health", timeout=10).json()
    assert body["ok"] is True and body["figures"] == 5


def test_health_without_a_warehouse(settings, start):
    response = requests.get(f"{start(settings)}/api/health", timeout=10)
    assert response.status_code == 503 and response.json()["ok"] is False


def test_figures_all_with_provenance(base):
    body = requests.get(f"{base}/api/figures", timeout=10).json()
    assert body["count"] == 5 and body["truncated"] is False
    f1 = next(f for f in body["figures"] if f["figure_id"] == "f1")
    assert f1["url"] == "https://news.example/idlib" and f1["publisher"] == "Example News"
    assert f1["evidence"] == "about 80,000 fled" and (f1["char_start"], f1["char_end"]) == (6, 12)
    assert f1["doc_id"] == "doc1" and f1["admin1_name"] == "Idlib" and f1["period_start"] == "2020-01-01"
    f3 = next(f for f in body["figures"] if f["figure_id"] == "f3")
    assert (f3["dataset"], f3["record_id"], f3["source_type"]) == ("hapi-idps", "r-17", "dataset")


@pytest.mark.parametrize(("query", "expected"), [
    ("country=SYR", ["f1", "f2", "f3", "f4"]),
    ("country=syr,tur", ["f1", "f2", "f3", "f4", "f5"]),
    ("country=SYR&admin1=SY07", ["f1", "f2", "f3"]),
    ("admin1=SY07&admin2=SY0702", ["f1"]),
    ("admin1=SY07&admin2=", ["f1", "f2", "f3"]),
    ("metric=displaced", ["f1", "f3", "f4"]),
    ("metric=killed,refugees", ["f2", "f5"]),
    ("org=iom", ["f3", "f4"]),
    ("org=Example%20News", ["f1", "f2"]),  # the publisher of the document counts too
    ("org=100%25", []),  # LIKE wildcards are matched literally
    ("source_type=dataset", ["f3", "f4", "f5"]),
    ("source=hapi-idps", ["f3", "f4"]),
    ("country=SYR&admin1=SY07&metric=displaced&from=2019-12-01&to=2020-03-31", ["f1", "f3"]),
    ("from=2020-02-01", ["f2", "f3", "f4"]),
    ("to=2019-01-01", ["f5"]),
    ("from=2020-02-15&to=2020-02-20", ["f3"]),  # periods that overlap the range
    ("start=2020-02-15&end=2020-02-20", ["f3"]),  # the pages' names work too
    ("scope=wider", ["f5"]),  # tagged to no region, as /figures?scope=wider lists them
    ("country=SYR&scope=wider", []),
    ("country=TUR&scope=wider&from=2018-01-01&to=2018-12-31", ["f5"]),
])
def test_figures_filters(base, query, expected):
    assert ids(requests.get(f"{base}/api/figures?{query}", timeout=10)) == expected


def test_figures_limit_and_truncated(base):
    body = requests.get(f"{base}/api/figures?limit=2", timeout=10).json()
    assert body["count"] == 2 and body["truncated"] is True and body["limit"] == 2
    assert requests.get(f"{base}/api/figures?limit=5", timeout=10).json()["truncated"] is False


def test_figures_csv(base):
    response = requests.get(f"{base}/api/figures?metric=displaced&format=csv", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Truncated"] == "false"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["figure_id"] for r in rows) == ["f1", "f3", "f4"]
    assert list(rows[0])[:3] == ["figure_id", "metric", "value"]
    truncated = requests.get(f"{base}/api/figures?limit=1&format=csv", timeout=10)
    assert truncated.headers["X-Truncated"] == "true"


@pytest.mark.parametrize(("query", "named"), [
    ("from=2020-13-01", "from"),
    ("to=yesterday", "to"),
    ("from=2020-02-01&to=2020-01-01", "from"),
    ("country=Syria", "country"),
    ("country=SY'", "country"),
    ("admin1=SY07;DROP", "admin1"),
    ("metric=displace", "metric"),
    ("source_type=blog", "source_type"),
    ("limit=0", "limit"),
    ("limit=10001", "limit"),
    ("limit=ten", "limit"),
    ("format=xml", "format"),
    ("contry=SYR", "contry"),
    ("org=" + "x" * 201, "org"),
    ("scope=everywhere", "scope"),
    ("scope=wider&admin1=SY07", "scope"),
])
def test_figures_bad_parameters_are_400_json_naming_the_parameter(base, query, named):
    response = requests.get(f"{base}/api/figures?{query}", timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert f"'{named}'" in response.json()["error"]


def test_sql_json(base):
    response = requests.get(f"{base}/api/sql", params={"q": "SELECT metric, count(*) AS n FROM v_figures"
                                                             " GROUP BY metric ORDER BY metric"}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == ["metric", "n"] and body["truncated"] is False
    assert body["rows"] == [["displaced", 3], ["killed", 1], ["refugees", 1]]


def test_sql_truncated(base):
    body = requests.get(f"{base}/api/sql", params={"q": "SELECT * FROM range(100)"}, timeout=30).json()
    assert len(body["rows"]) == 20 and body["truncated"] is True


def test_sql_csv(base):
    response = requests.get(f"{base}/api/sql", params={"q": "SELECT 1 AS a, 'x,y' AS b, [1,2] AS c",
                                                       "format": "csv"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [["a", "b", "c"], ["1", "x,y", "[1, 2]"]]
    assert response.headers["X-Truncated"] == "false"


@pytest.mark.parametrize(("q", "status", "phrase"), [
    ("SELECT * FROM read_csv('/etc/passwd')", 400, "cannot read or write files"),
    ("COPY (SELECT 1) TO '/tmp/api-x.csv'", 400, "COPY statements are not allowed"),
    ("ATTACH '/tmp/api-x.duckdb'", 400, "ATTACH statements are not allowed"),
    ("INSTALL httpfs", 400, "INSTALL statements are not allowed"),
    ("SET threads = 64", 400, "SET statements are not allowed"),
    ("DROP TABLE figures", 400, "DROP statements are not allowed"),
    ("SELECT 1; SELECT 2", 400, "one statement at a time"),
    ("SELEC 1", 400, "syntax error"),
    ("SELECT count(*) FROM range(10000000000000)", 408, "stopped after 1.5 s"),
    ("", 400, "'q' is required"),
])
def test_sql_errors_are_json(base, q, status, phrase):
    response = requests.get(f"{base}/api/sql", params={"q": q}, timeout=30)
    assert response.status_code == status
    assert phrase in response.json()["error"]
    assert requests.get(f"{base}/api/sql", params={"q": "SELECT 7 AS x"}, timeout=30).json()["rows"] == [[7]]


def test_sql_bad_format(base):
    response = requests.get(f"{base}/api/sql", params={"q": "SELECT 1", "format": "xlsx"}, timeout=10)
    assert response.status_code == 400 and "'format'" in response.json()["error"]


def test_sql_disabled(settings, start):
    build_api_warehouse(settings)
    base = start(dataclasses.replace(settings, sql_enabled=False))
    response = requests.get(f"{base}/api/sql", params={"q": "SELECT 1"}, timeout=10)
    assert response.status_code == 403 and "turned off" in response.json()["error"]
    assert requests.get(f"{base}/api/figures", timeout=10).status_code == 200  # the rest of the API still works
