"""CSV and XLSX files as providers publish them: preamble lines, an HXL hashtag row, odd encodings."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from etl.sources.base import SourceError

PREAMBLE_LINES = 60


@dataclass
class Table:
    path: Path
    columns: list[str]
    rows: list[dict]  # each row also carries "_line": the file line (CSV) or sheet row (XLSX)
    hxl: dict[str, str] = field(default_factory=dict)  # column -> hashtag with attributes, lower case

    def column_for_tag(self, *tags: str) -> str | None:
        """The first column whose HXL tag starts with one of `tags` (e.g. '#adm1+code')."""
        for tag in tags:
            parts = tag.lower().split("+")
            for column, hashtag in self.hxl.items():
                have = hashtag.split("+")
                if have[0] == parts[0] and all(p in have[1:] for p in parts[1:]):
                    return column
        return None

    def require(self, columns, source: str) -> None:
        missing = [c for c in columns if c not in self.columns]
        if missing:
            raise SourceError(
                f"{source}: {self.path.name} lacks column(s) {', '.join(missing)} (schema drift?);"
                f" found: {', '.join(self.columns[:20])}"
            )


def read_table(path, source: str, required=(), sheet: str | None = None) -> Table:
    """Read a CSV or XLSX; the header is the first row holding every `required` column (preambles skipped)."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{source}: no such file {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raw_rows = _xlsx_rows(path, source, sheet)
    else:
        raw_rows = _csv_rows(path, source)
    return _table(path, raw_rows, source, required)


def _csv_rows(path: Path, source: str):
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise SourceError(f"{source}: {path.name} is binary, not CSV")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", PREAMBLE_LINES)[-1][:5000] or sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    return [(i + 1, row) for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect))]


def _xlsx_rows(path: Path, source: str, sheet: str | None):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(f"{source}: {path.name} is not a readable XLSX ({exc})") from None
    if sheet and sheet not in book.sheetnames:
        raise SourceError(f"{source}: {path.name} has no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = []
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        rows.append((i + 1, ["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in row]))
    book.close()
    return rows


def _is_hxl_row(row: list[str]) -> bool:
    cells = [c.strip() for c in row if c and c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def _table(path: Path, raw_rows, source: str, required) -> Table:
    required = list(required)
    header_at = None
    for index, (_, row) in enumerate(raw_rows[:PREAMBLE_LINES]):
        cells = [c.strip() for c in row]
        if required and all(r in cells for r in required):
            header_at = index
            break
        if not required and sum(1 for c in cells if c) > 1:
            header_at = index
            break
    if header_at is None:
        want = f"header with {', '.join(required)}" if required else "header row"
        raise SourceError(f"{source}: {path.name} has no {want} in its first {PREAMBLE_LINES} lines")
    columns = [c.strip() for c in raw_rows[header_at][1]]
    hxl = {}
    start = header_at + 1
    if _is_hxl_row(columns):  # a file tagged but without text headers: tags are the columns
        hxl = {c: c.lower().replace(" ", "") for c in columns if c}
    elif start < len(raw_rows) and _is_hxl_row(raw_rows[start][1]):
        tags = raw_rows[start][1]
        hxl = {col: tag.strip().lower().replace(" ", "") for col, tag in zip(columns, tags) if tag.strip()}
        start += 1
    rows = []
    for line, row in raw_rows[start:]:
        if not any(c.strip() for c in row):
            continue
        record = {col: (row[i].strip() if i < len(row) else "") for i, col in enumerate(columns) if col}
        record["_line"] = line
        # Cells beyond the header, or missing: a broken line (an unquoted comma or quote), not an empty field.
        extra = [c for c in row[len(columns):] if c.strip()]
        record["_broken"] = len(row) != len(columns) and (len(row) < len(columns) or bool(extra))
        record["_cells"] = len(row)
        rows.append(record)
    return Table(path=path, columns=[c for c in columns if c], rows=rows, hxl=hxl)
