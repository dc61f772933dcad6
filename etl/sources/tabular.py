"""CSV and XLSX files as providers publish them: preamble lines, an HXL hashtag row, odd encodings."""

from __future__ import annotations

import codecs
import csv
import itertools
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


def read_table(path, source: str, required=(), sheet: str | None = None, stream: bool = False) -> Table:
    """Read a CSV or XLSX; the header is the first row holding every `required` column (preambles skipped).

    `stream=True` gives a CSV's rows as an iterable read from the file as it is iterated (bounded memory for
    large files) instead of a list.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{source}: no such file {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _table(path, _xlsx_rows(path, source, sheet), source, required, stream=False)
    return _table(path, CsvRows(path, source), source, required, stream)


class CsvRows:
    """(line, cells) of a CSV file, read lazily; checked whole first (encoding, binary, cut short)."""

    CHUNK = 1 << 20

    def __init__(self, path: Path, source: str):
        self.path, self.source = path, source
        quotes, last = self._scan()
        with open(path, "rb") as handle:
            sample = handle.read(80_000).decode(self.encoding, "ignore")[:20000]
        try:
            self.dialect = csv.Sniffer().sniff(sample.split("\n", PREAMBLE_LINES)[-1][:5000] or sample, ",;\t")
        except csv.Error:
            self.dialect = csv.excel
        quote = getattr(self.dialect, "quotechar", '"') or '"'
        if quotes.get(quote, 0) % 2:
            raise SourceError(f"{source}: {path.name} ends inside a quoted field (truncated file?)")
        if last not in (b"\n", b"\r", b""):
            self._check_last_row()

    def _scan(self) -> tuple[dict, bytes]:
        """One pass in C-speed chunks: the encoding, quote counts and the last byte."""
        decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "cp1252")}
        quotes, last, first = {'"': 0, "'": 0}, b"", True
        with open(self.path, "rb") as handle:
            while chunk := handle.read(self.CHUNK):
                if first and b"\x00" in chunk[:4096]:
                    raise SourceError(f"{self.source}: {self.path.name} is binary, not CSV")
                first = False
                for name, decoder in list(decoders.items()):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        del decoders[name]
                quotes['"'] += chunk.count(b'"')
                quotes["'"] += chunk.count(b"'")
                last = chunk[-1:]
        self.encoding = "utf-8-sig" if "utf-8" in decoders else "cp1252" if "cp1252" in decoders else "latin-1"
        return quotes, last

    def _check_last_row(self) -> None:
        size = self.path.stat().st_size
        with open(self.path, "rb") as handle:
            handle.seek(max(0, size - 65536))
            tail = handle.read().decode(self.encoding, "replace")
        lines = tail.split("\n")[(1 if size > 65536 else 0):]
        rows = [r for r in csv.reader(lines[-50:], self.dialect)]
        if not rows:
            return
        last = rows[-1]
        widths = [len(r) for r in rows[:-1] if len(r) > 1]
        if widths and len(last) < max(set(widths), key=widths.count):
            raise SourceError(f"{self.source}: {self.path.name}'s last line has {len(last)} of {max(widths)} fields"
                              " and no line end (truncated file?)")

    def __iter__(self):
        with open(self.path, encoding=self.encoding, newline="") as handle:
            for i, row in enumerate(csv.reader(handle, self.dialect)):
                yield i + 1, row


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


def _table(path: Path, raw_rows, source: str, required, stream: bool = False) -> Table:
    required = list(required)
    head = list(itertools.islice(iter(raw_rows), PREAMBLE_LINES + 1))
    header_at = None
    for index, (_, row) in enumerate(head[:PREAMBLE_LINES]):
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
    columns = [c.strip() for c in head[header_at][1]]
    hxl = {}
    start = header_at + 1
    if _is_hxl_row(columns):  # a file tagged but without text headers: tags are the columns
        hxl = {c: c.lower().replace(" ", "") for c in columns if c}
    elif start < len(head) and _is_hxl_row(head[start][1]):
        tags = head[start][1]
        hxl = {col: tag.strip().lower().replace(" ", "") for col, tag in zip(columns, tags) if tag.strip()}
        start += 1
    rows = Records(raw_rows, start, columns)
    return Table(path=path, columns=[c for c in columns if c], rows=rows if stream else list(rows), hxl=hxl)


class Records:
    """The records after the header, as dicts with "_line"; iterable again and again (each pass reads anew)."""

    def __init__(self, raw_rows, skip: int, columns: list[str]):
        self.raw_rows, self.skip, self.columns = raw_rows, skip, columns

    def __iter__(self):
        named = [(i, col) for i, col in enumerate(self.columns) if col]
        for line, row in itertools.islice(iter(self.raw_rows), self.skip, None):
            if not any(c.strip() for c in row):
                continue
            record = {col: (row[i].strip() if i < len(row) else "") for i, col in named}
            record["_line"] = line
            yield record

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None
