"""DtmSource's CSV exports set-wise (see bulk.py, export_bulk.py): the same figures, rejects and reasons as
DtmSource.record, in SQL."""

from __future__ import annotations

from etl.sources import bulk
from etl.sources import export_bulk as x


def load(ctx, table, path, level: int, org: str) -> bool:
    """Load `table`'s records of admin `level` set-wise; False when DuckDB's reader refuses the file."""
    cells = x.Cells.read(ctx, table, path)
    if cells is None:
        return False
    get = cells.get
    day = f"left({get('reportingDate')}, 10)"
    admin1 = get("admin1Pcode") if level >= 1 else x.NULL
    admin2 = get("admin2Pcode") if level >= 2 else x.NULL
    origin = cells.given("idpOriginAdmin1Pcode", "idpOriginAdmin1Name")  # v3 splits by origin
    detail = {"admin_level": f"'{int(level)}'", "round": x.text_json(get("roundNumber")),
              "operation": x.text_json(get("operation")), "assessment_type": x.text_json(get("assessmentType")),
              "displacement_reason": x.text_json(get("displacementReason")), "males": x.text_json(get("numberMales")),
              "females": x.text_json(get("numberFemales")), "origin_admin1": x.text_json(origin)}
    key = x.stable_key(get("admin0Pcode"), admin1, admin2, get("operation"), get("roundNumber"), day,
                       get("displacementReason"), origin)
    figures = (
        f"'displaced' AS metric, {bulk.count(get('numPresentIdpInd'))} AS value, 'people' AS unit,"
        f" 'stock' AS stock_or_flow, {x.literal(org)} AS claimed_by_org, 'dtm:admin{int(level)}' AS dataset,"
        f" {key} AS record_id, NULLIF({get('admin0Pcode')}, '') AS country_iso3,"
        f" NULLIF({admin1}, '') AS admin1_pcode, NULLIF({admin2}, '') AS admin2_pcode,"
        f" {x.joined(', ', *(get(f'admin{n}Name') for n in range(level, -1, -1)))} AS location_text,"
        f" {day} AS period_start, {day} AS period_end, {x.detail(detail)} AS detail"
    )
    cells.stage(figures, x.dated_count_reason(cells, "numPresentIdpInd", "reportingDate"))
    return True
