"""HxlSource.load_file's wide format set-wise (see bulk.py): the same figures, rejects and reasons, in SQL."""

from __future__ import annotations

from etl.phases import phase
from etl.sources import bulk
from etl.sources.hxl import tag_columns

HAS_EVENTS = f"(_events IS NOT NULL AND NOT {bulk.blank('_events')})"  # hxl: "events" in the detail


def load(ctx, table, path, metrics: dict, tags: dict, key_columns: list[str]) -> bool:
    """Load `table`'s rows set-wise; False when DuckDB's reader refuses the file (nothing staged then)."""
    with phase("parse (read_csv)"):
        if bulk.read_body(ctx.con, table) is None:
            return False
    index = {name: i for i, name in enumerate(table.rows.columns) if name}  # a repeated header: the last wins
    cell = {name: f"v{i}" for name, i in index.items()}
    con = ctx.con
    cells = ", ".join(f"{bulk.text(f'c{i}')} AS v{i}" for i in sorted(set(index.values())))
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW hxl_cells AS SELECT {bulk.line_sql(table)} AS _line, {cells}"
        f" FROM {bulk.BODY} WHERE NOT ({' AND '.join(f'v{i} = {chr(39) * 2}' for i in sorted(set(index.values())))})"
    )
    ctx.advance(con.execute("SELECT count(*) FROM hxl_cells").fetchall()[0][0])

    def exact(tag: str) -> str:
        return f"NULLIF({cell[tags[tag]]}, '')" if tag in tags else "NULL"

    def tagged(*wanted: str) -> str:
        found = [f"NULLIF({cell[c]}, '')" for c in tag_columns(tags, *wanted)]
        return f"COALESCE({', '.join(found)})" if found else "CAST(NULL AS VARCHAR)"

    key = f"NULLIF(concat_ws('|', {', '.join(cell[c] for c in key_columns)}), '')" if key_columns else "NULL"
    names = [tagged(t) for t in ("#loc+name", "#adm3+name", "#adm2+name", "#adm1+name", "#country+name")]
    raw = ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}', {cell[name]}" for name in sorted(cell))
    record_id = f"COALESCE({key}, 'line ' || _line)"
    with phase("map HXL columns"):
        # a row repeating an earlier row's key is a reject: keys seen twice, with the first line of each (few or none,
        # so a join instead of a window over every row)
        con.execute(f"CREATE OR REPLACE TEMP TABLE hxl_repeats AS SELECT record_id, min(_line) AS _first FROM"
                    f" (SELECT {record_id if key_columns else 'NULL'} AS record_id, _line FROM hxl_cells)"
                    " WHERE record_id IS NOT NULL GROUP BY record_id HAVING count(*) > 1")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE hxl_rows AS SELECT *,"
            " COALESCE(CASE WHEN _line > _first"
            " THEN 'duplicate row (same place, period and dimensions as an earlier row)' END,"
            "  CASE WHEN _year IS NOT NULL AND _start IS NULL AND _end IS NULL"
            "   AND NOT regexp_full_match(left(_year, 4), '[0-9]+') THEN '#date+year ' || "
            f"{bulk.repr_sql('_year')} || ' is not a year' END,"
            f"  {bulk.count_reason('_events')})"
            " AS _row_reason FROM ("
            " SELECT i.*, r._first FROM ("
            f"  SELECT *, {record_id} AS record_id,"
            f"   COALESCE({exact('#date+start')}, {exact('#date')}, {exact('#date+reported')}) AS _start,"
            f"   COALESCE({exact('#date+end')}, {exact('#date')}, {exact('#date+reported')}) AS _end,"
            f"   {exact('#date+year')} AS _year, {tagged('#event+num')} AS _events,"
            f"   {tagged('#event+type')} AS _event_type, {tagged('#population+group', '#group')} AS _group,"
            f"   {tagged('#round')} AS _round, {tagged('#meta+resource_id')} AS _resource,"
            f"   {tagged('#country+code')} AS country_iso3, {tagged('#adm1+code')} AS admin1_pcode,"
            f"   {tagged('#adm2+code')} AS admin2_pcode,"
            f" NULLIF(concat_ws(', ', {', '.join(names)}), '') AS location_text,"
            f"   {tagged('#meta+source', '#org+name', '#org')} AS claimed_by_org,"
            f"   'hxl' || COALESCE(':' || {tagged('#meta+dataset_id')}, '') AS dataset,"
            f"   '{_quoted(path.name)}:' || _line AS _where"
            "  FROM hxl_cells) i LEFT JOIN hxl_repeats r ON r.record_id = i.record_id)"
        )
    con.execute("DROP VIEW hxl_cells")
    con.execute("DROP TABLE hxl_repeats")
    con.execute(f"DROP TABLE {bulk.BODY}")
    year_only = "_year IS NOT NULL AND _start IS NULL AND _end IS NULL"
    raw_json = f"CAST(json_object({raw}) AS VARCHAR)"  # the row as read, for rejects only
    values = ", ".join(sorted(set(cell.values())))  # the cells raw_json reads
    common = (f"_line, _where, record_id, dataset, country_iso3, admin1_pcode, admin2_pcode, location_text,"
              f" claimed_by_org, CASE WHEN {year_only} THEN left(_year, 4) || '-01-01' ELSE _start END AS period_start,"
              f" CASE WHEN {year_only} THEN left(_year, 4) || '-12-31' ELSE _end END AS period_end")
    parts = [f"SELECT {common}, NULL::VARCHAR AS metric, NULL::DOUBLE AS value, NULL::VARCHAR AS unit,"
             f" NULL::VARCHAR AS stock_or_flow, NULL::VARCHAR AS detail, _row_reason AS _reason, {raw_json} AS _raw"
             " FROM hxl_rows WHERE _row_reason IS NOT NULL"]
    for (metric, unit), (column, stock_or_flow) in metrics.items():
        value = cell[column]
        no_count = f"({bulk.blank(value)} AND {HAS_EVENTS})" if metric == "killed" else "FALSE"
        parts.append(
            f"SELECT * EXCLUDE ({values}),"
            f" CASE WHEN _reason IS NOT NULL THEN {raw_json} END AS _raw FROM ("
            f"SELECT {common}, {values}, '{metric}' AS metric,"
            f" CASE WHEN {no_count} THEN 0 ELSE {bulk.count(value)} END AS value,"
            f" '{unit}' AS unit, '{stock_or_flow}' AS stock_or_flow, {_detail(no_count)} AS detail,"
            f" '{_quoted(table.hxl[column])}: ' || {bulk.count_reason(value)} AS _reason"
            f" FROM hxl_rows WHERE _row_reason IS NULL AND (NOT {bulk.blank(value)} OR {no_count}))"
        )
    bulk.stage(ctx, " UNION ALL ".join(parts))
    con.execute("DROP TABLE hxl_rows")
    return True


def _detail(no_count: str) -> str:
    """The figure's detail as hxl._common_fields makes it (JSON with sorted keys, None left out)."""
    events = "printf('%.0f', " + bulk.count("_events") + ")"
    fields = [("event_type", "to_json(_event_type)", "_event_type"),
              ("events", events, f"CASE WHEN {HAS_EVENTS} THEN 1 END"),
              ("fatalities_reported", "'false'", f"CASE WHEN {no_count} THEN 1 END"),
              ("hdx_resource_id", "to_json(_resource)", "_resource"),
              ("population_group", "to_json(_group)", "_group"), ("round", "to_json(_round)", "_round")]
    items = ", ".join(f"CASE WHEN {test} IS NOT NULL THEN '\"{name}\": ' || {value} END"
                      for name, value, test in fields)
    return f"'{{' || concat_ws(', ', {items}) || '}}'"


def _quoted(text: str) -> str:
    return text.replace("'", "''")
