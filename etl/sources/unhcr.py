"""UNHCR refugee statistics: refugees, asylum-seekers, IDPs and returnees by origin, asylum and year.

Three inputs give the same figures with the same record ids, so they merge rather than duplicate:
the population API (https://api.unhcr.org/population/v1/population/), the Refugee Data Finder export
(CSV/XLSX with a ~14-line preamble) and the HDX layout (ISO3CoO, ISO3CoA, REF, IDP, ASY…).
Figures are end-of-year stocks; country_iso3 is the country of ORIGIN, asylum_iso3 the country of asylum.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from etl.sources.base import Source, SourceError
from etl.sources.http import HttpClient, load_json_file
from etl.sources.tabular import read_table

# population type -> contract metric; the contract counts asylum-seekers as `refugees`.
METRIC = {
    "refugees": "refugees",
    "asylum_seekers": "refugees",
    "idps": "displaced",
    "returned_refugees": "returned",
    "returned_idps": "returned",
}
# Refugee Data Finder column (normalised: lower case, straight apostrophe) -> population type
FINDER_COLUMNS = {
    "refugees under unhcr's mandate": "refugees",
    "asylum-seekers": "asylum_seekers",
    "idps of concern to unhcr": "idps",
    "returned refugees": "returned_refugees",
    "returned idps": "returned_idps",
}
HDX_COLUMNS = {"REF": "refugees", "ASY": "asylum_seekers", "IDP": "idps", "RET": "returned_refugees",
               "RDP": "returned_idps"}
FINDER_KEYS = ("Year", "Country of origin (ISO)", "Country of asylum (ISO)")
HDX_KEYS = ("Year", "ISO3CoO", "ISO3CoA")
PAGE_SIZE = 1000
ISO3 = re.compile(r"^[A-Z]{3}$")


class UnhcrPopulation(Source):
    name = "unhcr-population"
    kind = "dataset"
    description = "UNHCR end-year refugees, asylum-seekers, IDPs and returnees by origin, asylum country and year"
    licence = "CC BY 4.0 — UNHCR Refugee Data Finder (https://www.unhcr.org/refugee-statistics/), © UNHCR"
    url = "https://www.unhcr.org/refugee-statistics/"
    api = "https://api.unhcr.org/population/v1/population/"
    requires = ()

    def load(self, ctx) -> None:
        if ctx.options.from_file:
            self.load_file(ctx, Path(ctx.options.from_file))
        else:
            self.load_api(ctx)

    # -- API ---------------------------------------------------------------------------------------
    def load_api(self, ctx) -> None:
        first, last = parse_years(ctx.settings.unhcr_years)
        done = ctx.get_state("through_year")
        if not ctx.options.full and done and ctx.get_state("years") == ctx.settings.unhcr_years:
            first = max(first, int(done) - 1)  # UNHCR revises the latest years; older ones are loaded
        http = HttpClient(ctx)
        page, pages, newest = 1, 1, None
        while page <= pages:
            params = {"page": page, "limit": PAGE_SIZE, "yearFrom": first, "yearTo": last,
                      "coo_all": "true", "coa_all": "true", "cf_type": "ISO"}
            body = http.get_json(self.api, save_as=f"population-{first}-{last}-page{page:04d}", params=params)
            items = _items(body, self.name, f"{self.api} page {page}")
            pages = int(body.get("maxPages") or page) if isinstance(body, dict) else page
            for item in items:
                year = stage_item(ctx, item, f"api page {page}")
                newest = max(newest or 0, year or 0) or None
            if not items:
                break
            page += 1
        ctx.set_state("years", ctx.settings.unhcr_years)
        if newest:
            ctx.set_state("through_year", max(newest, int(done or 0)))

    # -- files -------------------------------------------------------------------------------------
    def load_file(self, ctx, path: Path) -> None:
        if path.suffix.lower() == ".json":
            body = load_json_file(path, self.name)
            for i, item in enumerate(_items(body, self.name, path.name)):
                stage_item(ctx, item, f"{path.name}:item {i + 1}")
            return
        table = read_table(path, self.name, required=("Year",))
        if "ISO3CoO" in table.columns or "ISO3CoA" in table.columns:
            table.require(HDX_KEYS, self.name)
            keys, types = HDX_KEYS, {c: HDX_COLUMNS[c] for c in table.columns if c in HDX_COLUMNS}
        else:
            table.require(FINDER_KEYS, self.name)
            keys = FINDER_KEYS
            types = {c: FINDER_COLUMNS[_norm(c)] for c in table.columns if _norm(c) in FINDER_COLUMNS}
        if not types:
            wanted = ", ".join(list(HDX_COLUMNS) if keys == HDX_KEYS else ["Refugees under UNHCR’s mandate",
                                                                          "IDPs of concern to UNHCR"])
            raise SourceError(f"{self.name}: {path.name} lacks every population column ({wanted}) (schema drift?)")
        names = ("Country of origin", "Country of asylum")
        for row in table.rows:
            values = {types[c]: row.get(c) for c in types}
            stage(ctx, row[keys[0]], row[keys[1]], row[keys[2]], values,
                  row.get(names[0]), row.get(names[1]), f"{path.name}:{row['_line']}")


def stage_item(ctx, item: dict, location: str) -> int | None:
    """One API item (a year, origin and asylum country) -> up to five figures; returns its year."""
    values = {k: item.get(k) for k in METRIC}
    coo = item.get("coo_iso") or item.get("coo")
    coa = item.get("coa_iso") or item.get("coa")
    return stage(ctx, item.get("year"), coo, coa, values, item.get("coo_name"), item.get("coa_name"), location)


def stage(ctx, year, coo, coa, values: dict, coo_name, coa_name, location: str) -> int | None:
    ctx.advance()
    raw = {"year": year, "origin": coo, "asylum": coa, **values}
    try:
        year = int(str(year).strip())
        if not 1950 <= year <= 2100:
            raise ValueError
    except ValueError:
        ctx.reject(f"year {year!r} is not a year", raw, location)
        return None
    coo, coa = _iso(coo), _iso(coa)
    if not (coo or coa):
        ctx.reject("neither origin nor asylum country is an ISO3 code", raw, location)
        return year
    for ptype, value in values.items():
        value = _count(value)
        if value is None:
            continue
        crossed = ptype in ("refugees", "asylum_seekers", "returned_refugees") and coa != coo
        ctx.figure(
            location=location,
            metric=METRIC[ptype],
            value=value,
            qualifier="exact",
            unit="people",
            claimed_by="UNHCR",
            claimed_by_org="UNHCR",
            country_iso3=coo or (None if crossed else coa),
            asylum_iso3=coa if crossed else None,
            location_text=coo_name if not crossed else None,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            stock_or_flow="stock",
            dataset="population",
            record_id=f"{year}:{coo or '-'}:{coa or '-'}:{ptype}",
            detail={"population_type": ptype, "origin": coo_name or None, "asylum": coa_name or None},
        )
    return year


def parse_years(text: str) -> tuple[int, int]:
    """'2014-2024', '2019' or '2014-' (to this year) -> (first, last)."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})?)?\s*", text or "")
    if not match:
        raise SourceError(f"unhcr-population: DISPLACEMENT_UNHCR_YEARS={text!r} is not a year range like 2014-2024")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else (date.today().year if "-" in text else first)
    if last < first:
        raise SourceError(f"unhcr-population: DISPLACEMENT_UNHCR_YEARS={text!r} ends before it starts")
    return first, last


def _items(body, source: str, where: str) -> list:
    if isinstance(body, list):
        return body
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise SourceError(f"{source}: {where} lacks field items (schema drift?)")
    return body["items"]


def _count(value):
    """A count as published: None for blank, '-' and 0 (UNHCR's 'nothing here'); other text is kept for checks."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "")
    if text in ("", "-", "*", "..", "NA"):
        return None
    try:
        if float(text) == 0:
            return None
    except ValueError:
        pass  # not a number: the figure check rejects it with the reason
    return text


def _iso(code) -> str | None:
    code = str(code or "").strip().upper()
    return code if ISO3.match(code) else None


def _norm(column: str) -> str:
    return " ".join(column.replace("’", "'").replace("‘", "'").lower().split())
