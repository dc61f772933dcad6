"""The HDX global p-code list: admin1 and admin2 names and parents for every country with a COD.

Columns `Location, Admin Level, P-Code, Name, Parent P-Code, Valid from date` (an HXL row may follow the header).
Read from settings.pcodes_url (a URL or a file) or --from-file; CSV or XLSX.
Also home of `fetch`, the download-or-read helper with an unchanged-input cursor that boundaries and feeds share.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from etl.sources.base import Source, SourceError
from etl.sources.http import fetch, file_name, is_url, split
from etl.sources.tabular import read_table

# field -> (column, HXL tag used when the column was renamed)
COLUMNS = {
    "country": ("Location", "#country+code"),
    "level": ("Admin Level", "#adm+level"),
    "pcode": ("P-Code", "#adm+code"),
    "name": ("Name", "#adm+name"),
    "parent": ("Parent P-Code", "#adm+code+parent"),
}


class PcodesSource(Source):
    name = "pcodes"
    kind = "dataset"
    description = "OCHA global p-codes: admin1 and admin2 names, p-codes and parents for every country with a COD"
    licence = "CC BY — OCHA, Global P-codes (https://data.humdata.org/dataset/global-pcodes), via HDX"
    url = "https://data.humdata.org/dataset/global-pcodes"
    requires = ()

    def configured(self, settings) -> bool:
        return bool(settings.pcodes_url)

    def load(self, ctx) -> None:
        if ctx.options.from_file:
            return self.load_table(ctx, Path(ctx.options.from_file))
        if not ctx.settings.pcodes_url:
            raise SourceError(f"{self.name}: set DISPLACEMENT_PCODES_URL to a URL or file of the global p-code list")
        for location in split(ctx.settings.pcodes_url):
            content = fetch(ctx, location, save_as="global-pcodes")
            if content is None:
                continue  # unchanged since the last load
            if is_url(location):
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / file_name(location, content, ".csv")
                    path.write_bytes(content)
                    self.load_table(ctx, path)
            else:
                self.load_table(ctx, Path(location))

    def load_table(self, ctx, path: Path) -> None:
        table = read_table(path, self.name)
        columns = {}
        for field, (column, tag) in COLUMNS.items():
            columns[field] = column if column in table.columns else table.column_for_tag(tag)
        missing = [COLUMNS[f][0] for f, c in columns.items() if c is None and f != "parent"]
        table.require(missing, self.name)
        seen: dict[str, int] = {}
        for row in table.rows:
            ctx.advance()
            location = f"{path.name}:{row['_line']}"
            values = {f: (row.get(c) or "").strip() if c else "" for f, c in columns.items()}
            pcode, country = values["pcode"], values["country"].upper()
            try:
                level = int(float(values["level"]))
            except ValueError:
                level = -1
            if not 1 <= level <= 5:
                ctx.reject(f"admin level {values['level']!r} is not 1 to 5", _raw(row), location)
            elif not pcode or not values["name"]:
                ctx.reject("p-code or name missing", _raw(row), location)
            elif len(country) != 3 or not country.isalpha():
                ctx.reject(f"location {values['country']!r} is not an ISO3 code", _raw(row), location)
            elif pcode in seen:
                ctx.reject(f"duplicate p-code {pcode} (already at admin level {seen[pcode]})", _raw(row), location)
            else:
                seen[pcode] = level
                ctx.place(pcode, level, values["name"], country, values["parent"] or None)


def _raw(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "_line"}
