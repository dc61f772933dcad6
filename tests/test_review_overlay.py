"""Reviews overlaid at publish: corrections and rejections survive re-runs, claims use them, orphans are reported."""

from __future__ import annotations

import csv
import io
import json

from etl import runner
from tests.review_helpers import figures, save
from tests.test_cli import displacement


def _publish(settings):
    results = runner.run(settings)
    assert all(r.status == "ok" for r in results), [(r.source, r.error) for r in results]


def test_a_correction_and_a_rejection_survive_two_runs_and_reach_claims(demo_warehouse):
    settings = demo_warehouse
    docs = figures(settings, "doc_id IS NOT NULL AND metric = 'displaced'")
    fixed, wrong = docs[0], docs[1]
    save(settings, fixed, "corrected", changes={"value": 123457, "value_low": 123457, "value_high": 123457,
                                               "qualifier": "exact", "admin1_pcode": "SY07", "country_iso3": "SYR"},
         note="the article says 123,457")
    save(settings, wrong, "rejected", reviewer="bob", reason="not_a_figure")
    for _ in range(2):
        _publish(settings)
        now = {f["figure_id"]: f for f in figures(settings)}
        assert now[fixed["figure_id"]]["value"] == 123457
        assert now[fixed["figure_id"]]["orig_value"] == fixed["value"]
        assert now[fixed["figure_id"]]["review_status"] == "corrected"
        assert now[wrong["figure_id"]]["review_status"] == "rejected"
        rows = _sql(settings, "SELECT reviewed_by, review_note, original_fields, admin1_pcode FROM v_figures"
                              " WHERE figure_id = ?", [fixed["figure_id"]])
        assert rows[0][:2] == ("alice", "the article says 123,457") and rows[0][3] == "SY07"
        assert json.loads(rows[0][2])["value"] == fixed["value"]
        claimed = _sql(settings, "SELECT value FROM v_claims WHERE list_contains(figure_ids, ?)", [fixed["figure_id"]])
        assert claimed == [(123457,)]
        assert _sql(settings, "SELECT count(*) FROM v_claims WHERE list_contains(figure_ids, ?)",
                    [wrong["figure_id"]]) == [(0,)]
        assert _sql(settings, "SELECT review_status FROM v_figure_facts WHERE figure_id = ?",
                    [wrong["figure_id"]]) == [("rejected",)]


def test_a_changed_review_replaces_the_last_one(demo_warehouse):
    settings = demo_warehouse
    fig = figures(settings, "doc_id IS NOT NULL")[0]
    save(settings, fig, "corrected", changes={"value": 5})
    _publish(settings)
    save(settings, fig, "corrected", changes={"metric": "killed"}, expected_version=1)
    _publish(settings)
    now = figures(settings, "figure_id = ?", [fig["figure_id"]])[0]
    assert (now["value"], now["metric"], now["orig_value"]) == (fig["value"], "killed", fig["value"])
    save(settings, fig, "accepted", expected_version=2)
    _publish(settings)
    now = figures(settings, "figure_id = ?", [fig["figure_id"]])[0]
    assert (now["value"], now["metric"], now["review_status"]) == (fig["value"], fig["metric"], "accepted")


def test_orphaned_and_impossible_reviews_are_reported_not_published(demo_warehouse):
    settings = demo_warehouse
    fig = figures(settings, "doc_id IS NOT NULL")[0]
    gone = fig | {"char_start": 999999, "char_end": 999999}
    save(settings, gone, "corrected", changes={"value": 1})
    save(settings, fig, "corrected", changes={"value_low": 10, "value_high": 5, "qualifier": "range"})
    _publish(settings)
    assert figures(settings, "figure_id = ?", [fig["figure_id"]])[0]["value"] == fig["value"]
    env = {"DISPLACEMENT_DB": str(settings.db)}
    proc = displacement("etl", "status", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "orphaned: 1" in proc.stdout
    assert "orphaned corrected by alice" in proc.stdout and "|999999|999999|" in proc.stdout
    problems = _sql(settings, "SELECT problem FROM v_review_overlay WHERE NOT orphaned")
    assert problems and "value_low" in problems[0][0]


def test_review_export_lists_every_change(demo_warehouse, tmp_path):
    settings = demo_warehouse
    fig = figures(settings)[0]
    save(settings, fig, "rejected", reason="duplicate", note="same as the UN figure")
    save(settings, fig, "accepted", reviewer="bob", expected_version=1)
    env = {"DISPLACEMENT_DB": str(settings.db)}
    proc = displacement("review", "export", env=env)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["reviewed_by"], r["status_before"], r["status"]) for r in rows] == [
        ("bob", "rejected", "accepted"), ("alice", "unreviewed", "rejected")]
    assert rows[1]["note"] == "same as the UN figure" and rows[1]["figure_id"] == fig["figure_id"]
    out = tmp_path / "audit.json"
    assert displacement("review", "export", "--format", "json", "-o", str(out), env=env).returncode == 0
    assert len(json.loads(out.read_text())) == 2
    bad = displacement("review", "export", "-o", str(tmp_path / "no" / "such" / "x.csv"), env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("error: cannot write")


def test_flags_are_in_the_figure_contract_output(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Fighting displaced tens of thousands of people in Idlib, the UN said on Monday.\n")
    proc = displacement("extract", str(article), "--json")
    assert proc.returncode == 0, proc.stderr
    figure = json.loads(proc.stdout.splitlines()[0])
    assert "vague_amount" in figure["flags"]


def _sql(settings, query, params=None):
    from etl.warehouse import reader_for

    reader = reader_for(settings)
    try:
        return [tuple(r) for r in reader.query(query, params)[1]]
    finally:
        reader.close()


def test_an_unreadable_review_store_stops_the_publish_with_one_line(demo_warehouse):
    settings = demo_warehouse
    before = settings.db.read_bytes()
    settings.review_path.write_bytes(b"this is not a SQLite database" * 100)
    proc = displacement("etl", "run", env={"DISPLACEMENT_DB": str(settings.db)})
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: cannot read the review store") and "Traceback" not in proc.stderr
    assert settings.db.read_bytes() == before
