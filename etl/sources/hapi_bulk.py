"""HapiSource's CSV exports set-wise (see bulk.py, export_bulk.py): the same figures, rejects and reasons as
HapiSource.load_rows with each endpoint's `map`, in SQL."""

from __future__ import annotations

from etl.sources import bulk
from etl.sources import export_bulk as x


def load(ctx, source, table, path) -> bool:
    """Load `table`'s records set-wise for HAPI `source`; False when DuckDB's reader refuses the file."""
    mapping = {"hapi-idps": _idps, "hapi-conflict-events": _conflict_events}.get(source.name, _unhcr_pairs)
    cells = x.Cells.read(ctx, table, path)
    if cells is None:
        return False
    fields, reason, keep = mapping(cells, source)
    get = cells.get
    start = get("reference_period_start")
    detail = {"provider": f"to_json({x.literal(source.provider)})",
              "hdx_resource_id": x.text_json(get("resource_hdx_id")), **fields.pop("detail")}
    common = {"dataset": x.literal(f"hapi:{source.endpoint}"), "unit": "'people'",
              "claimed_by_org": f"COALESCE({cells.given('provider_name', 'dataset_hdx_provider_name', 'provider')},"
                                f" {x.literal(source.provider)})",
              "period_start": f"NULLIF({start}, '')", "period_end": f"NULLIF({get('reference_period_end')}, '')",
              "detail": x.detail(detail), "admin1_pcode": x.NULL, "admin2_pcode": x.NULL, "location_text": x.NULL}
    columns = {**common, **fields}
    figures = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    # check_figure's first check: a record mapped without a count
    missing = f"CASE WHEN ({columns['value']}) IS NULL THEN 'value is missing' END"
    cells.stage(figures, f"COALESCE({reason}, {missing})", f"WHERE {keep}")
    return True


def _count(cells, field: str) -> tuple[str, str]:
    """hapi._count: the count, and its reason ('FIELD 'x' is not a number' for any bad count)."""
    cell = cells.get(field)
    return bulk.count(cell), f"CASE WHEN {x.count_error(cell)} IS NOT NULL THEN '{field} ' || {bulk.repr_sql(cell)}" \
                             " || ' is not a number' END"


def _admin(cells) -> dict:
    get = cells.get
    return {"country_iso3": f"NULLIF({get('location_code')}, '')", "admin1_pcode": f"NULLIF({get('admin1_code')}, '')",
            "admin2_pcode": f"NULLIF({get('admin2_code')}, '')",
            "location_text": x.joined(", ", get("admin2_name"), get("admin1_name"), get("location_name"))}


def _place_key(cells) -> tuple:
    return (cells.get("location_code"), cells.given("admin1_code", "provider_admin1_name"),
            cells.given("admin2_code", "provider_admin2_name"))


def _start_day(cells) -> str:
    return f"left({cells.get('reference_period_start')}, 10)"


def _idps(cells, source):
    get = cells.get
    value, reason = _count(cells, "population")
    key = x.stable_key(*_place_key(cells), get("operation"), get("assessment_type"), get("reporting_round"),
                       _start_day(cells))
    return ({"metric": "'displaced'", "value": value, "stock_or_flow": "'stock'", **_admin(cells), "record_id": key,
             "detail": {"round": x.text_json(get("reporting_round")),
                        "assessment_type": x.text_json(get("assessment_type")),
                        "operation": x.text_json(get("operation"))}}, reason, "TRUE")


def _unhcr_pairs(cells, source):
    get = cells.get
    groups = " ".join(f"WHEN {x.literal(group)} THEN {x.literal(metric)}" for group, metric in source.groups.items())
    metric = f"(CASE upper({get('population_group')}) {groups} END)"
    total = " AND ".join(f"lower({get(name)}) IN ('all', '')" for name in ("gender", "age_range"))
    value, reason = _count(cells, "population")
    origin, asylum = get("origin_location_code"), get("asylum_location_code")
    key = x.stable_key(origin, asylum, get("population_group"), _start_day(cells))
    return ({"metric": metric, "value": value, "stock_or_flow": x.literal(source.stock_or_flow),
             "country_iso3": f"NULLIF({origin}, '')", "asylum_iso3": f"NULLIF({asylum}, '')",
             "location_text": f"NULLIF({get('origin_location_name')}, '')", "record_id": key,
             "detail": {"population_group": x.text_json(get("population_group")),
                        "asylum_name": x.text_json(get("asylum_location_name"))}},
            reason, f"{metric} IS NOT NULL AND {total}")  # other groups, and breakdowns by sex or age: no figure


def _conflict_events(cells, source):
    get = cells.get
    fatalities, fatalities_reason = _count(cells, "fatalities")
    events, events_reason = _count(cells, "events")
    key = x.stable_key(*_place_key(cells), get("event_type"), _start_day(cells))
    return ({"metric": "'killed'", "value": f"COALESCE({fatalities}, 0)", "stock_or_flow": "'flow'", **_admin(cells),
             "record_id": key,
             "detail": {"event_type": x.text_json(get("event_type")), "events": x.count_json(events),
                        "fatalities_reported": f"CASE WHEN {fatalities} IS NULL THEN 'false' END"}},
            f"COALESCE({fatalities_reason}, {events_reason})", "TRUE")
