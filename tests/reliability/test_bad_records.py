"""One bad record costs one reject with its reason: never its source, never the publish, never a NULL."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
import sys

import duckdb
from helpers import query

from etl import runner
from etl.sources.base import Options

HEADER = ["record_id", "metric", "value", "value_low", "value_high", "qualifier", "claimed_by_org", "publisher",
          "published", "period_start", "period_end"]
GOOD = ["good-1", "displaced", "80000", "", "", "exact", "United Nations", "VOA", "2019-12-25", "2019-12-01",
        "2019-12-25"]


def write_curated(path, *bad_rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(GOOD)
        for i, row in enumerate(bad_rows):
            writer.writerow([f"bad-{i}", *row])
    return path


def bad(**changes):
    row = dict(zip(HEADER[1:], GOOD[1:]))
    row.update(changes)
    return [row[c] for c in HEADER[1:]]


def rejects(settings, source):
    return query(settings, "SELECT location, reason FROM rejects WHERE source = ? ORDER BY location", [source])


def test_each_bad_curated_record_is_one_reject_with_its_reason_and_the_rest_loads(settings, tmp_path):
    path = write_curated(
        tmp_path / "figures.csv",
        bad(value="500", value_low="900", value_high="100", qualifier="range"),  # inverted interval
        bad(value="10000000000000000000"),  # 10^19: more than a BIGINT holds
        bad(value="inf"),
        bad(value="nan"),
        bad(value="1e400"),
        bad(value="1000000000000000000"),  # 10^18 people: implausible
        bad(period_start="2099-01-01", period_end="2099-01-31"),  # implausible date
        bad(published="0000-00-00"),  # no date at all
        bad(period_start="1066-10-14", period_end="1066-10-14"),
        bad(value="10", value_low="20", value_high="30", qualifier="range"),  # value outside its interval
    )
    [result] = runner.run(settings, ["curated"], Options(from_file=path))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("ok", 1, 10), result.error
    assert query(settings, "SELECT record_id, value FROM v_figures") == [("good-1", 80000)]
    reasons = dict(rejects(settings, "curated"))
    assert "value_low 900 is above value_high 100" in reasons["figures.csv:3"]
    assert "too large" in reasons["figures.csv:4"]
    assert "finite" in reasons["figures.csv:5"] and "finite" in reasons["figures.csv:6"]
    assert "finite" in reasons["figures.csv:7"]
    assert "implausible for displaced" in reasons["figures.csv:8"]
    assert "period_start 2099-01-01 is implausible" in reasons["figures.csv:9"]
    assert "bad date '0000-00-00'" in reasons["figures.csv:10"]
    assert "1066-10-14 is implausible" in reasons["figures.csv:11"]
    assert "outside value_low..value_high" in reasons["figures.csv:12"]
    status = query(settings, "SELECT status, rows_rejected FROM etl_runs WHERE source = 'curated'")
    assert status == [("ok", 10)]


def test_plausibility_bounds_are_settings(settings, tmp_path):
    path = write_curated(tmp_path / "figures.csv", bad(metric="killed", value="5000"))
    strict = dataclasses.replace(settings, plausible_values="killed=1000;*=1000000", plausible_dates="2000-01-01..+0")
    [result] = runner.run(strict, ["curated"], Options(from_file=path))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("ok", 1, 1)
    assert "implausible for killed (more than 1,000)" in rejects(strict, "curated")[0][1]


def test_an_article_with_an_impossible_number_loses_that_figure_only(settings):
    settings.articles_dir.mkdir()
    (settings.articles_dir / "huge.txt").write_text(
        "The UN said 10,000,000,000,000,000,000 people were displaced in Idlib. "
        "The UN said 5,000 people were killed in Aleppo."
    )
    (settings.articles_dir / "plain.txt").write_text("The UN said 3,000 people were displaced in Idlib.")
    [result] = runner.run(settings, ["articles"])
    assert result.status == "ok", result.error
    values = {v for (v,) in query(settings, "SELECT value FROM v_figures")}
    assert {5000, 3000} <= values and 10**22 not in values
    assert any("too large" in reason for _, reason in rejects(settings, "articles"))


def test_a_feed_item_dated_0000_00_00_is_a_reject_and_the_other_items_load(settings, tmp_path):
    feed = tmp_path / "news.rss"
    feed.write_text(
        "<rss><channel><title>News</title>"
        "<item><link>https://example.org/a</link><title>a</title><pubDate>0000-00-00</pubDate>"
        "<description>The UN said 4,000 people were displaced in Idlib.</description></item>"
        "<item><link>https://example.org/b</link><title>b</title><pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate>"
        "<description>The UN said 7,000 people were displaced in Idlib.</description></item>"
        "</channel></rss>"
    )
    [result] = runner.run(settings, ["feeds"], Options(from_file=feed))
    assert (result.status, result.rows_rejected) == ("ok", 1), result.error
    assert query(settings, "SELECT url FROM v_documents") == [("https://example.org/b",)]
    assert "0000-00-00" in rejects(settings, "feeds")[0][1]


def test_a_truncated_file_is_a_failed_load_that_keeps_the_last_good_rows(settings, tmp_path):
    path = write_curated(tmp_path / "figures.csv", bad(value="1000"))
    [first] = runner.run(settings, ["curated"], Options(from_file=path))
    assert first.rows_loaded == 2
    whole = path.read_text()
    path.write_text(whole + "bad-9,displaced,70")  # a third record cut short, mid-row
    [cut] = runner.run(settings, ["curated"], Options(from_file=path))
    assert cut.status == "failed" and "truncated" in cut.error
    path.write_text(whole + 'bad-9,displaced,70,,,exact,"United Nat')  # cut inside a quoted field
    [cut] = runner.run(settings, ["curated"], Options(from_file=path))
    assert cut.status == "failed" and "truncated" in cut.error
    assert query(settings, "SELECT count(*) FROM v_figures") == [(2,)]


def test_idmc_idu_rejects_a_bad_date_instead_of_storing_null_over_the_good_one(settings, tmp_path):
    event = {"id": 7, "iso3": "SYR", "figure": 1200, "qualifier": "total", "displacement_date": "2023-02-06",
             "displacement_start_date": "2023-02-06", "displacement_end_date": "2023-02-10",
             "event_name": "Syria: Earthquake - Aleppo - 06/02/2023", "created_at": "2023-02-07"}
    path = tmp_path / "idus.json"
    path.write_text(json.dumps([event]))
    [first] = runner.run(settings, ["idmc-idu"], Options(from_file=path))
    assert (first.status, first.rows_loaded) == ("ok", 1), first.error
    path.write_text(json.dumps([{**event, "displacement_start_date": "0000-00-00",
                                 "displacement_end_date": "2023-02-31"}]))
    [second] = runner.run(settings, ["idmc-idu"], Options(from_file=path))
    assert (second.status, second.rows_rejected) == ("ok", 1), second.error
    assert query(settings, "SELECT period_start, period_end FROM v_figures")[0] == (
        __import__("datetime").date(2023, 2, 6), __import__("datetime").date(2023, 2, 10))
    assert "displacement_start_date '0000-00-00' is not a date" in rejects(settings, "idmc-idu")[0][1]


def test_a_refused_publish_is_recorded_in_etl_runs_and_shown_by_etl_status(settings, tmp_path):
    path = write_curated(tmp_path / "figures.csv")
    [first] = runner.run(settings, ["curated"], Options(from_file=path))
    assert first.status == "ok"
    con = duckdb.connect(str(settings.db))  # a warehouse-level fault: a row no check would have let in
    con.execute("UPDATE figures SET value_low = 10, value_high = 1")
    con.close()
    [refused] = runner.run(settings, ["curated"], Options(from_file=path))
    assert refused.status == "failed" and refused.error.startswith("publish refused: 1 figures")
    assert query(settings, "SELECT status, error FROM etl_runs WHERE run_id = 2") == [("failed", refused.error)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env["DISPLACEMENT_DB"] = str(settings.db)
    proc = subprocess.run([sys.executable, "-m", "etl.cli", "etl", "status", "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    [row] = json.loads(proc.stdout)
    assert row["last_error"].startswith("publish refused") and row["last_failure"]


def test_twenty_thousand_rejects_are_all_kept(settings, tmp_path):
    path = write_curated(tmp_path / "figures.csv", *[bad(value=f"-{i + 1}") for i in range(20_000)])
    [result] = runner.run(settings, ["curated"], Options(from_file=path))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("ok", 1, 20_000)
    assert query(settings, "SELECT count(*), count(DISTINCT location) FROM rejects") == [(20_000, 20_000)]
