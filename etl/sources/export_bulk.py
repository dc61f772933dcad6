"""What the set-wise mappings of provider exports share (acled_bulk, dtm_bulk, hapi_bulk; see bulk.py): the named,
stripped cells of a large CSV in SQL, and the per-record helpers (hxl.to_count, dated_count, stable_key, the
detail JSON) as SQL expressions that give the same values and reasons."""

from __future__ import annotations

from etl.sources import bulk

CELLS = "export_cells"
NULL = "CAST(NULL AS VARCHAR)"


class Cells:
    """The records of a CSV's body as temp view export_cells: `_line`, `_where` (file:line) and one stripped text
    column per named header cell (a repeated name: the last, as per record); `raw` is the record as JSON text."""

    def __init__(self, ctx, table, path):
        self.ctx, self.con = ctx, ctx.con
        self.index = {name: i for i, name in enumerate(table.rows.columns) if name}
        width = len(table.rows.columns)
        used = sorted(set(self.index.values()))
        cells = ", ".join(f"{bulk.text(f'c{i}')} AS v{i}" for i in used)
        blank = " AND ".join(f"{bulk.text(f'c{i}')} = ''" for i in range(width))  # the reader skips blank records
        pairs = ", ".join(f"{literal(name)}, v{i}" for name, i in sorted(self.index.items()))
        self.raw = f"CAST(json_object({pairs}) AS VARCHAR)"  # only for rejects: costly on every row
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {CELLS} AS SELECT *, {literal(path.name + ':')} || _line AS _where"
            f" FROM (SELECT {bulk.line_sql(table)} AS _line, {cells}"
            f" FROM {bulk.BODY} WHERE NOT ({blank}))"
        )
        ctx.advance(self.con.execute(f"SELECT count(*) FROM {CELLS}").fetchall()[0][0])

    @classmethod
    def read(cls, ctx, table, path) -> Cells | None:
        """The file's cells, or None when DuckDB's reader refuses the file (the caller reads it per record)."""
        return cls(ctx, table, path) if bulk.read_body(ctx.con, table) is not None else None

    def get(self, name: str) -> str:
        """row.get(name): the column, NULL when the header lacks it."""
        return f"v{self.index[name]}" if name in self.index else NULL

    def given(self, *names: str) -> str:
        """`row.get(a) or row.get(b) or …`, None when all are blank (a blank last one gives '' per record: the
        callers treat both alike)."""
        return f"COALESCE({', '.join(f'NULLIF({self.get(n)}, {chr(39) * 2})' for n in names)}, {NULL})"

    def stage(self, figures: str, reason: str, joins: str = "") -> None:
        """bulk.stage of `figures` (every figure column, as SQL over export_cells and `joins`, which may end in a
        WHERE) with `_line`, `_where`, `_reason` (`reason`: the source's reject reason, NULL for none) and, for a
        rejected record, `_raw`."""
        bulk.stage(self.ctx, f"SELECT {figures}, _line, _where, _reason, CASE WHEN _reason IS NOT NULL"
                             f" THEN {self.raw} END AS _raw FROM (SELECT *, {reason} AS _reason FROM {CELLS} {joins})")
        self.con.execute(f"DROP VIEW IF EXISTS {CELLS}")
        self.con.execute(f"DROP TABLE IF EXISTS {bulk.BODY}")


def literal(value) -> str:
    if value is None:
        return NULL
    return "'" + str(value).replace("'", "''") + "'"


def count_error(cell: str) -> str:
    """hxl.to_count's ValueError message (NULL when the cell is a count or blank)."""
    return bulk.count_reason(cell)


def dated_count_reason(cells: Cells, count_field: str, date_field: str) -> str:
    """hxl.dated_count's reject reason for a record (NULL when it has a count and a date)."""
    count, day = cells.get(count_field), cells.get(date_field)
    return (f"CASE WHEN {bulk.blank(count)} THEN '{count_field}: is blank'"
            f" WHEN {count_error(count)} IS NOT NULL THEN '{count_field}: ' || {count_error(count)}"
            f" WHEN {day} = '' THEN '{date_field} is blank' END")


def stable_key(*parts: str) -> str:
    """hxl.stable_key of SQL expressions (NULL counts as '')."""
    return f"concat_ws('|', {', '.join(f'coalesce({p}, {chr(39) * 2})' for p in parts)})"


def joined(separator: str, *parts: str) -> str:
    """`separator.join(p for p in parts if p) or None`."""
    return f"NULLIF(concat_ws({literal(separator)}, {', '.join(f'NULLIF({p}, {chr(39) * 2})' for p in parts)}), '')"


def text_json(sql: str) -> str:
    """A text value in the detail JSON, left out (NULL) when blank or missing."""
    return f"to_json(NULLIF({sql}, ''))"


def count_json(sql: str) -> str:
    """A whole number from bulk.count in the detail JSON, left out when NULL."""
    return f"printf('%.0f', {sql})"


def detail(items: dict) -> str:
    """json.dumps(detail, sort_keys=True) of {key: SQL giving JSON text, or NULL to leave the key out}."""
    parts = ", ".join(f"{literal(f'{chr(34)}{key}{chr(34)}: ')} || ({items[key]})" for key in sorted(items))
    return f"'{{' || concat_ws(', ', {parts}) || '}}'"
