"""One-line errors from the command line: serve on a busy port, extract of an empty or unsupported file, curated
rows with an unknown place code or a broken CSV line (rejected with the right reason, the good rows loaded)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from test_cli import displacement

ROOT = Path(__file__).resolve().parent.parent
HEADER = (ROOT / "data" / "curated" / "idlib_figures.csv").read_text().splitlines()[0]
GOOD = ('ok-1,displaced,80000,80000,80000,exact,"80,000",people,the U.N.,United Nations,Idlib,SYR,SY07,,'
        "2019-12-01,2019-12-25,flow,VOA,2019-12-25,,a good row")


def one_line_error(proc) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_serve_on_a_busy_port_says_so(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = displacement("serve", "--port", str(port), env={"DISPLACEMENT_DB": str(tmp_path / "w.duckdb")},
                            timeout=60)
    line = one_line_error(proc)
    assert line.startswith("error: ") and f":{port}" in line and "in use" in line


def test_extract_of_an_empty_or_unsupported_file_fails_with_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    assert one_line_error(displacement("extract", str(empty))) == f"error: {empty}: empty file"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    line = one_line_error(displacement("extract", str(pdf)))
    assert line.startswith(f"error: {pdf}: unsupported file type .pdf")


def test_curated_rows_with_unknown_codes_or_broken_lines_are_rejected_with_the_reason(tmp_path):
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb")}
    assert displacement("etl", "run", "gazetteer", env=env).returncode == 0
    csv = tmp_path / "curated.csv"
    csv.write_text("\n".join([
        HEADER, GOOD,
        GOOD.replace("ok-1", "bad-code").replace(",SY07,", ",SY99,"),
        GOOD.replace("ok-1", "bad-country").replace(",SYR,", ",XXX,"),
        GOOD.replace("ok-1", "broken").replace('"80,000"', "80,000"),  # an unquoted comma
        'cut-off,displaced,5000,5000,5000,exact,"5,000",people',
    ]) + "\n")
    proc = displacement("etl", "run", "curated", "--from-file", str(csv), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "loaded       1  rejected     4" in proc.stdout
    assert "rejected: curated.csv:3: unknown place code: admin1_pcode 'SY99'" in proc.stdout
    rejects = json.loads(displacement("sql", "SELECT location, reason FROM v_rejects ORDER BY location",
                                      "--format", "json", env=env).stdout)
    reasons = {r["location"]: r["reason"] for r in rejects}
    assert reasons["curated.csv:3"].startswith("unknown place code: admin1_pcode 'SY99'")
    assert reasons["curated.csv:4"].startswith("unknown place code: country_iso3 'XXX'")
    assert reasons["curated.csv:5"].startswith("broken CSV line: 22 cells where the header has 21")
    assert reasons["curated.csv:6"].startswith("broken CSV line: 8 cells where the header has 21")
    assert not any("empty metric" in r for r in reasons.values())


def test_sql_with_an_empty_query_fails_with_one_line(tmp_path):
    env = {"DISPLACEMENT_DB": str(tmp_path / "w.duckdb")}
    assert displacement("etl", "run", "gazetteer", env=env).returncode == 0
    for query in ("", "   "):
        assert one_line_error(displacement("sql", query, env=env)).startswith("error: the query is empty")
