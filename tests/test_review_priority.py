"""review_priority after refreshes: a refresh scores only the partitions it touched, yet every figure ends with the
priority a scoring of the whole warehouse gives (a new disagreeing figure raises its neighbours')."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from etl import runner
from etl.review import priority

HEADER = ("record_id,metric,value,qualifier,unit,claimed_by_org,country_iso3,admin1_pcode,period_end,publisher,"
          "published\n")


def csv_rows(rows) -> str:
    return HEADER + "".join(f"{r},displaced,{v},exact,people,{org},SYR,{admin1},{month}-15,{org},2020-03-01\n"
                            for r, v, org, admin1, month in rows)


def priorities(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT record_id, review_priority FROM figures").fetchall())
    finally:
        con.close()


def scored_from_scratch(settings, tmp_path) -> dict:
    copy = tmp_path / "scratch.duckdb"
    copy.write_bytes(Path(os.path.realpath(settings.db)).read_bytes())
    con = duckdb.connect(str(copy))
    try:
        con.execute("UPDATE figures SET review_priority = NULL")
        priority.update(con)
    finally:
        con.close()
    return priorities(copy)


def test_a_refresh_rescores_the_partitions_it_touches_as_a_full_scoring_would(settings, tmp_path):
    first = [("a", 100, "OCHA", "SY07", "2020-01"), ("b", 5000, "OCHA", "SY02", "2020-01"),
             ("c", 70, "UNHCR", "", "2020-02")]
    settings.curated_csv.write_text(csv_rows(first))
    assert all(r.status == "ok" for r in runner.run(settings, ["curated"]))
    before = priorities(settings.db)
    # another organisation reports ten times figure a's value for the same place and month: a disagreement
    settings.curated_csv.write_text(csv_rows(first + [("d", 1000, "UNHCR", "SY07", "2020-01"),
                                                      ("e", 90, "IOM", "", "2020-02")]))
    assert all(r.status == "ok" for r in runner.run(settings, ["curated"]))
    after = priorities(settings.db)
    assert after["a"] == before["a"] + priority.DISAGREE
    assert after["b"] == before["b"]  # another place: not touched, not changed
    assert after == scored_from_scratch(settings, tmp_path)
