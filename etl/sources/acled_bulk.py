"""AcledSource's events export set-wise (see bulk.py, export_bulk.py): the same figures, rejects and reasons as
AcledSource.event, in SQL. Admin names become p-codes through the same _Places look-up, once per distinct name."""

from __future__ import annotations

import pandas as pd

from etl.sources import bulk
from etl.sources import export_bulk as x

PLACES = "acled_bulk_places"


def load(ctx, table, path, places, dataset: str) -> bool:
    """Load `table`'s events set-wise; False when DuckDB's reader refuses the file (nothing staged then)."""
    cells = x.Cells.read(ctx, table, path)
    if cells is None:
        return False
    get = cells.get
    event_id = get("event_id_cnty")
    iso3 = (f"COALESCE(NULLIF({get('iso3')}, ''), CASE WHEN regexp_full_match(left({event_id}, 3), '\\p{{L}}+')"
            f" THEN upper(left({event_id}, 3)) END)")
    admin1, admin2 = get("admin1"), get("admin2")
    joins = ""
    pcodes = "CAST(NULL AS VARCHAR) AS admin1_pcode, CAST(NULL AS VARCHAR) AS admin2_pcode"
    if places.index:
        _place_table(ctx.con, places, iso3, admin1, admin2)
        joins = (f"LEFT JOIN {PLACES} ON _iso3 IS NOT DISTINCT FROM {iso3} AND _admin1 = {admin1}"
                 f" AND _admin2 = {admin2}")
        pcodes = "admin1_pcode, admin2_pcode"
    day = f"left({get('event_date')}, 10)"
    detail = {"event_type": x.text_json(get("event_type")), "sub_event_type": x.text_json(get("sub_event_type")),
              "events": "'1'", "disorder_type": x.text_json(get("disorder_type")), "admin1": x.text_json(admin1),
              "admin2": x.text_json(admin2), "location": x.text_json(get("location"))}
    figures = (
        f"'killed' AS metric, {bulk.count(get('fatalities'))} AS value, 'people' AS unit, 'flow' AS stock_or_flow,"
        f" 'ACLED' AS claimed_by_org, {x.literal(dataset)} AS dataset, {event_id} AS record_id,"
        f" {iso3} AS country_iso3, {pcodes},"
        f" {x.joined(', ', get('location'), admin2, admin1, get('country'))} AS location_text,"
        f" {day} AS period_start, {day} AS period_end, {x.detail(detail)} AS detail"
    )
    cells.stage(figures, x.dated_count_reason(cells, "fatalities", "event_date"), joins)
    ctx.con.execute(f"DROP TABLE IF EXISTS {PLACES}")
    return True


def _place_table(con, places, iso3: str, admin1: str, admin2: str) -> None:
    """The p-codes of each distinct (country, admin1, admin2) of the file, as AcledSource.event finds them."""
    found = []
    for country, name1, name2 in con.execute(f"SELECT DISTINCT {iso3}, {admin1}, {admin2} FROM {x.CELLS}").fetchall():
        pcode1 = places.find(country, 1, name1)
        found.append((country, name1, name2, pcode1, places.find(country, 2, name2, parent=pcode1)))
    frame = pd.DataFrame(found, columns=["iso3", "admin1", "admin2", "admin1_pcode", "admin2_pcode"], dtype=object)
    con.register("acled_found_places", frame)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {PLACES} AS SELECT CAST(iso3 AS VARCHAR) AS _iso3,"
                " CAST(admin1 AS VARCHAR) AS _admin1, CAST(admin2 AS VARCHAR) AS _admin2,"
                " CAST(admin1_pcode AS VARCHAR) AS admin1_pcode, CAST(admin2_pcode AS VARCHAR) AS admin2_pcode"
                " FROM acled_found_places")
    con.unregister("acled_found_places")
