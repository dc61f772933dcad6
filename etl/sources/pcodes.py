"""The HDX global p-code list: admin1 and admin2 names and parents for every country with a COD.

Columns `Location, Admin Level, P-Code, Name, Parent P-Code, Valid from date` (an HXL row may follow the header).
Read from settings.pcodes_url (a URL or a file) or --from-file; CSV or XLSX.
Also home of `fetch`, the download-or-read helper with an unchanged-input cursor that boundaries and feeds share.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from etl.sources.base import Source, SourceError
from etl.sources.http import HttpClient
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


def split(setting: str) -> list[str]:
    return [part.strip() for part in (setting or "").split(",") if part.strip()]


def is_url(location: str) -> bool:
    return urlsplit(str(location)).scheme in ("http", "https")


def file_name(url: str, content: bytes, default: str) -> str:
    """A local name for downloaded content: the URL's suffix, or the content's kind."""
    suffix = Path(urlsplit(url).path).suffix.lower()
    if content[:2] == b"PK":
        suffix = ".xlsx"
    return "download" + (suffix if suffix in (".csv", ".xlsx", ".json", ".geojson", ".xml") else default)


def fetch(ctx, location: str, save_as: str | None = None, http: HttpClient | None = None,
          params: dict | None = None) -> bytes | None:
    """The bytes of a URL or file, or None when they have not changed since the last successful load.

    URLs are asked conditionally (ETag / Last-Modified); files and servers without validators are compared by
    SHA-256. The cursors live in source_state and are only committed with the load, so a failed run retries.
    """
    key = hashlib.sha1(location.encode()).hexdigest()[:12]
    if is_url(location):
        http = http or HttpClient(ctx)
        headers = {}
        if not ctx.options.full:
            if ctx.get_state(f"etag:{key}"):
                headers["If-None-Match"] = ctx.get_state(f"etag:{key}")
            if ctx.get_state(f"modified:{key}"):
                headers["If-Modified-Since"] = ctx.get_state(f"modified:{key}")
        response = http.get(location, headers=headers, params=params)
        if response.status_code == 304:
            return None
        content = response.content
        if save_as and not Path(save_as).suffix:
            save_as += Path(urlsplit(location).path).suffix
        http.save(save_as, content)
        ctx.set_state(f"etag:{key}", response.headers.get("ETag"))
        ctx.set_state(f"modified:{key}", response.headers.get("Last-Modified"))
    else:
        path = Path(location).expanduser()
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"{ctx.source}: no such file {path}") from None
        except OSError as exc:
            raise SourceError(f"{ctx.source}: cannot read {path} ({exc.strerror})") from None
    digest = hashlib.sha256(content).hexdigest()
    if ctx.get_state(f"sha256:{key}") == digest and not ctx.options.full:
        return None
    ctx.set_state(f"sha256:{key}", digest)
    return content
