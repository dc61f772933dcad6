"""Large CSV files set-wise: DuckDB parses the body and the per-record checks run in SQL.

Rows never pass through Python, so a file of millions of rows loads at the speed of DuckDB's reader and within its
memory limit (tables spill to disk). A source maps the body to figure columns in SQL (see hxl_bulk.py); `stage`
adds the contract's checks, sends each failing record to rejects with its reason and stages the rest. The results
equal the per-record path's (tests/reliability/test_large_files.py); smaller files, and files DuckDB's reader refuses
(ragged rows, other encodings), take the per-record path.
"""

from __future__ import annotations

from etl.model import BIGINT_LIMIT, METRICS
from etl.phases import phase

BULK_BYTES = 4_000_000  # files at least this large go set-wise
BODY = "bulk_rows"
FIGURE_FIELDS = ("admin1_pcode", "admin2_pcode", "claimed_by_org", "country_iso3", "dataset", "detail",
                 "location_text", "metric", "period_end", "period_start", "record_id", "stock_or_flow", "unit", "value")


def suitable(table) -> bool:
    """A CSV in UTF-8 large enough to be worth it, read by the per-record reader's checks (truncation) already."""
    raw = getattr(table.rows, "raw_rows", None)
    return (getattr(raw, "encoding", None) == "utf-8-sig" and table.path.stat().st_size >= BULK_BYTES
            and table.path.suffix.lower() not in (".xlsx", ".xlsm") and not _blank_lines(table.path))


def _blank_lines(path) -> bool:
    """True when a blank line comes before the file's end: DuckDB's reader skips it, so later line numbers (the
    rejects' locations) would be off by one."""
    with open(path, "rb") as handle:
        before = b""
        while chunk := handle.read(1 << 22):
            text = before + chunk
            if len(chunk) < 1 << 22:
                text = text.rstrip(b"\r\n") + b"x"
            if b"\n\n" in text or b"\n\r\n" in text:
                return True
            before = chunk[-2:]
    return False


def read_body(con, table) -> list[str] | None:
    """Parse the rows after the header into temp table bulk_rows (`_line` and one VARCHAR column per header cell);
    returns the SQL name of each named column, or None when DuckDB refuses the file (the caller reads it per record)."""
    import duckdb

    if hasattr(con, "heavy"):  # the publish journal (versions.Recorder): replaying this would read the file again
        con.heavy = True
    raw, records = table.rows.raw_rows, table.rows
    dialect = raw.dialect
    width = len(records.columns)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    quote = getattr(dialect, "quotechar", '"') or '"'
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {BODY} AS SELECT * FROM read_csv({_text(str(table.path))},"
            f" skip = {int(records.skip)}, header = false, all_varchar = true, columns = {columns},"
            f" delim = {_text(dialect.delimiter)}, quote = {_text(quote)}, escape = {_text(quote)},"
            " auto_detect = false, strict_mode = true)"
        )
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {BODY}")
        return None
    return [f"c{i}" for i, name in enumerate(records.columns) if name]


def line_sql(table) -> str:
    """The record's number in the file, as the per-record reader counts it (blank lines aside)."""
    return f"(rowid + {int(table.rows.skip) + 1})"


def text(sql: str) -> str:
    """A cell as the per-record reader gives it: stripped, '' when missing."""
    return f"coalesce(trim({sql}, ' \t\r\n'), '')"


def count(sql: str) -> str:
    """hxl.to_count in SQL over a stripped cell: DOUBLE, NULL when blank (the reason is count_reason's)."""
    return f"CASE WHEN NOT {blank(sql)} THEN TRY_CAST({_count_text(sql)} AS DOUBLE) END"  # 'nan' is blank


def blank(sql: str) -> str:
    return f"(lower({_count_text(sql)}) IN ('', 'nan', 'null', 'none'))"


def count_reason(sql: str) -> str:
    """hxl.to_count's ValueError message for a non-blank cell, else NULL."""
    number = count(sql)
    return (f"CASE WHEN {blank(sql)} THEN NULL WHEN {number} IS NULL THEN {repr_sql(sql)} || ' is not a number'"
            f" WHEN NOT isfinite({number}) OR {number} < 0 OR {number} <> floor({number})"
            f" THEN {repr_sql(sql)} || ' is not a whole non-negative number' END")


def _count_text(sql: str) -> str:
    return f"replace(replace({sql}, ',', ''), chr(160), '')"


def repr_sql(sql: str) -> str:
    """Python's repr of a str, for the usual cases."""
    return f"CASE WHEN contains({sql}, '''') AND NOT contains({sql}, '\"') THEN '\"' || {sql} || '\"'" \
           f" ELSE '''' || replace({sql}, '''', '\\''') || '''' END"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def stage(ctx, mapped: str) -> None:
    """Check and stage the figures of `mapped`, a SELECT giving metric, value (DOUBLE), unit, stock_or_flow,
    period_start and period_end (text), dataset, record_id, the other figure columns it fills, and _line, _where,
    _raw (JSON text) and _reason (NULL when the source found nothing wrong): failing records go to rejects."""
    con = ctx.con
    with phase("checks and rejects"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE bulk_checked AS SELECT *, {_reason_sql(ctx.bounds)} AS _why"
                    f" FROM ({mapped})")
        # a record the source refused keeps its row; a figure the contract refuses, its fields (as per record)
        fields = ", ".join(f"'{c}', {c}" for c in FIGURE_FIELDS)
        rejects = con.execute(f"SELECT _why, CASE WHEN _reason IS NULL THEN CAST(json_object({fields}) AS VARCHAR)"
                              " ELSE _raw END, _where FROM bulk_checked WHERE _why IS NOT NULL ORDER BY _line")
        while batch := rejects.fetchmany(50_000):
            ctx.rejects += [{"reason": why, "raw": raw, "location": where} for why, raw, where in batch]
    have = {row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE bulk_checked)").fetchall()}
    asylum = " upper(asylum_iso3) AS asylum_iso3," if "asylum_iso3" in have else ""
    ctx.stage_sql(
        "SELECT metric, CAST(value AS BIGINT) AS value, CAST(value AS BIGINT) AS value_low,"
        " CAST(value AS BIGINT) AS value_high, 'exact' AS qualifier, unit, claimed_by_org, location_text,"
        " upper(country_iso3) AS country_iso3, admin1_pcode, admin2_pcode,"
        f" {_day('period_start')} AS period_start, {_day('period_end')} AS period_end,"
        f" stock_or_flow, dataset, record_id,{asylum} detail, _line FROM bulk_checked WHERE _why IS NULL"
    )  # two records with one key: the runner keeps the last (by _line), as when staged per record
    con.execute("DROP TABLE bulk_checked")
    con.execute(f"DROP TABLE IF EXISTS {BODY}")


def _day(name: str) -> str:
    """model.parse_date: the first ten characters as YYYY-MM-DD, else NULL."""
    return f"CASE WHEN regexp_full_match(left({name}, 10), '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')" \
           f" THEN TRY_CAST(left({name}, 10) AS DATE) END"


def _reason_sql(bounds) -> str:
    """model.check_figure's checks, in its order, for the columns a dataset figure has."""
    most = " ".join(f"WHEN '{m}' THEN {bounds.max_value(m)}" for m in METRICS)
    limit = f"(CASE metric {most} END)"
    earliest, latest = bounds.earliest.isoformat(), bounds.latest().isoformat()
    start, end = _day("period_start"), _day("period_end")
    checks = [
        "_reason",
        f"CASE WHEN value >= {float(BIGINT_LIMIT)} THEN 'value ' || printf('%.0f', value)"
        " || ' is too large to store (2^63 or more)' END",
    ]
    for name, typed in (("period_start", start), ("period_end", end)):
        checks.append(f"CASE WHEN {name} IS NOT NULL AND {typed} IS NULL"
                      f" THEN 'bad date ' || {repr_sql(name)} || ' (want YYYY-MM-DD)' END")
    checks.append(f"CASE WHEN {start} > {end} THEN 'period_start ' || {start} || ' is after period_end ' || {end} END")
    checks.append(f"CASE WHEN value > {limit} THEN 'value ' || format('{{:,}}', TRY_CAST(value AS BIGINT))"
                  f" || ' is implausible for ' || metric || ' (more than ' || format('{{:,}}', {limit}) || ')' END")
    for name, typed in (("period_start", start), ("period_end", end)):
        checks.append(f"CASE WHEN {typed} NOT BETWEEN DATE '{earliest}' AND DATE '{latest}' THEN '{name} ' || {typed}"
                      f" || ' is implausible (outside {earliest}..{latest})' END")
    return "COALESCE(" + ", ".join(checks) + ")"
