"""HDX HAPI v2 (https://hapi.humdata.org/docs): IDPs, refugees, returnees and conflict events.

One base class pages through an endpoint (limit/offset, JSON `{"data": [...]}`) per country of
DISPLACEMENT_HAPI_COUNTRIES, or reads the endpoint's own output saved as JSON or CSV (--from-file).
Each subclass maps a record to figure fields.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from etl.sources import bulk
from etl.sources.base import Source, SourceError
from etl.sources.http import HttpClient, load_json_file
from etl.sources.hxl import read_required, stable_key, to_count

BASE_URL = "https://hapi.humdata.org/api/v2/"
PAGE_SIZE = 10000  # the API's maximum `limit`
OUTPUT_FORMAT = "json"  # or "csv"
HAPI_LICENCE = (
    "HDX HAPI (OCHA Centre for Humanitarian Data) passes on its provider's terms: {licence}. "
    "Attribution: \"{attribution}, via HDX HAPI (hapi.humdata.org)\""
)


class HapiSource(Source):
    kind = "dataset"
    requires = ("hapi_app_identifier",)
    endpoint = ""  # path under BASE_URL
    provider = ""  # the organisation HAPI takes the records from (kept in detail)
    provider_licence = ""
    attribution = ""
    required: tuple[str, ...] = ()  # fields every record carries; a missing one is schema drift
    country_params: tuple[str, ...] = ("location_code",)  # query parameters set to each country

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.endpoint:  # plain class attributes, readable without an instance
            cls.url = "https://hapi.humdata.org/api/v2/" + cls.endpoint
            cls.licence = HAPI_LICENCE.format(licence=cls.provider_licence, attribution=cls.attribution)

    def load(self, ctx) -> None:
        if ctx.options.from_file:
            self.load_rows(ctx, self.read_file(Path(ctx.options.from_file), ctx))
            return
        newest = self.load_rows(ctx, self.fetch(ctx))
        old = ctx.get_state("reference_period_start")
        if newest and (not old or newest > old):
            ctx.set_state("reference_period_start", newest)

    # --- reading -----------------------------------------------------------------------------------

    def fetch(self, ctx):
        """(record, location) for every record of every page, for each country and country parameter."""
        client = HttpClient(ctx, auth_settings=self.requires)
        since = None if ctx.options.full else ctx.get_state("reference_period_start")
        countries = [c.strip().upper() for c in ctx.settings.hapi_countries.split(",") if c.strip()]
        slug = self.endpoint.replace("/", "-")
        for country in countries:
            for param in self.country_params:
                offset = 0
                while True:
                    params = {"app_identifier": ctx.settings.hapi_app_identifier, param: country,
                              "output_format": OUTPUT_FORMAT, "limit": PAGE_SIZE, "offset": offset}
                    if since:
                        params["start_date"] = since  # reference periods from the last loaded one on
                    rows = self._page(client, params, f"{slug}-{param}-{country}-{offset:06d}")
                    for i, row in enumerate(rows):
                        yield row, f"{self.endpoint}?{param}={country}&offset={offset + i}"
                    if len(rows) != PAGE_SIZE:  # a short page is the last (so is one ignoring `limit`)
                        break
                    offset += PAGE_SIZE

    def _page(self, client: HttpClient, params: dict, save_as: str) -> list[dict]:
        if OUTPUT_FORMAT == "csv":
            response = client.get(BASE_URL + self.endpoint, params=params)
            client.save(save_as, response.content, ".csv")
            rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            payload = client.get_json(BASE_URL + self.endpoint, params=params, save_as=save_as)
            rows = _data(payload, self.name, self.endpoint)
        self._check(rows, self.endpoint)
        return rows

    def read_file(self, path: Path, ctx=None):
        """The endpoint's output saved as JSON (`{"data": [...]}`) or CSV; a large CSV is loaded set-wise into `ctx`
        instead (no records left to map then)."""
        if path.suffix.lower() == ".json":
            rows = _data(load_json_file(path, self.name), self.name, path.name)
            self._check(rows, path.name)
            return ((row, f"{path.name}#{i + 1}") for i, row in enumerate(rows))
        table = read_required(path, self.name, required=self.required)
        if ctx is not None and bulk.suitable(table):
            from etl.sources import hapi_bulk

            if hapi_bulk.load(ctx, self, table, path):
                return ()
        return ((row, f"{path.name}:{row['_line']}") for row in table.rows)

    def _check(self, rows: list[dict], where: str) -> None:
        for row in rows[:1] + rows[-1:]:
            missing = [f for f in self.required if f not in row]
            if missing:
                raise SourceError(f"{self.name}: {where} lacks field(s) {', '.join(missing)} (schema drift?);"
                                  f" found: {', '.join(list(row)[:20])}")

    # --- mapping -----------------------------------------------------------------------------------

    def load_rows(self, ctx, rows) -> str | None:
        """Stage a figure per mappable record; returns the newest reference_period_start seen."""
        newest = None
        for raw, where in rows:
            ctx.advance()
            row = {k: ("" if v is None else str(v).strip()) for k, v in raw.items() if k != "_line"}
            try:
                fields = self.map(row)
            except ValueError as exc:
                ctx.reject(str(exc), row, where)
                continue
            except KeyError as exc:  # a record short of a field the first and last ones had
                ctx.reject(f"missing field {exc}", row, where)
                continue
            if fields is None:
                continue  # a record this source does not load (e.g. a sub-total by sex or age)
            detail = {"provider": self.provider, "hdx_resource_id": row.get("resource_hdx_id") or None,
                      **fields.pop("detail", {})}
            staged = ctx.figure(
                location=where,
                dataset=f"hapi:{self.endpoint}",
                claimed_by_org=_provider(row, self.provider),
                period_start=row.get("reference_period_start") or None,
                period_end=row.get("reference_period_end") or None,
                detail={k: v for k, v in detail.items() if v not in (None, "")},
                **fields,
            )
            start = row.get("reference_period_start", "")[:10]
            if staged and start:  # only a valid figure moves the cursor
                newest = max(newest or start, start)
        return newest

    def map(self, row: dict) -> dict | None:
        """Figure fields for one record (metric, value, place, record_id, detail), None to skip it."""
        raise NotImplementedError


def _data(payload, source: str, where: str) -> list[dict]:
    rows = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        raise SourceError(f"{source}: {where} has no `data` list (schema drift?)")
    return rows


def _provider(row: dict, default: str) -> str:
    """The provider the record names, else the one HAPI documents for the endpoint."""
    for field in ("provider_name", "dataset_hdx_provider_name", "provider"):
        if row.get(field):
            return row[field]
    return default


def _count(row: dict, field: str) -> int | None:
    try:
        return to_count(row.get(field))
    except ValueError:
        raise ValueError(f"{field} {row.get(field)!r} is not a number") from None


def _admin(row: dict) -> dict:
    return {
        "country_iso3": row.get("location_code") or None,
        "admin1_pcode": row.get("admin1_code") or None,
        "admin2_pcode": row.get("admin2_code") or None,
        "location_text": ", ".join(
            n for n in (row.get("admin2_name"), row.get("admin1_name"), row.get("location_name")) if n
        ) or None,
    }


def _place_key(row: dict) -> tuple:
    """Codes when given, else the provider's names (a few records lack p-codes)."""
    return (row.get("location_code"), row.get("admin1_code") or row.get("provider_admin1_name"),
            row.get("admin2_code") or row.get("provider_admin2_name"))


def _is_total(row: dict) -> bool:
    return row.get("gender", "all").lower() in ("all", "") and row.get("age_range", "all").lower() in ("all", "")


class HapiIdps(HapiSource):
    name = "hapi-idps"
    description = "IDP stocks by admin1/admin2 and DTM round (IOM DTM via HDX HAPI)"
    endpoint = "affected-people/idps"
    provider = "International Organization for Migration"
    provider_licence = "IOM DTM terms and conditions (non-commercial use, no redistribution)"
    attribution = "International Organization for Migration (IOM), Displacement Tracking Matrix (DTM)"
    required = ("location_code", "admin1_code", "admin2_code", "population", "reporting_round",
                "assessment_type", "reference_period_start", "reference_period_end")

    def map(self, row):
        return {
            "metric": "displaced", "value": _count(row, "population"), "stock_or_flow": "stock", **_admin(row),
            "record_id": stable_key(*_place_key(row), row.get("operation"), row["assessment_type"],
                                    row["reporting_round"], row["reference_period_start"][:10]),
            "detail": {"round": row["reporting_round"], "assessment_type": row["assessment_type"],
                       "operation": row.get("operation")},
        }


class _UnhcrPairs(HapiSource):
    """Refugees and returnees: UNHCR records by country of origin and of asylum."""

    provider = "UNHCR"
    provider_licence = "CC BY 4.0"
    attribution = "UNHCR Refugee Data Finder"
    country_params = ("origin_location_code", "asylum_location_code")
    required = ("origin_location_code", "asylum_location_code", "population_group", "gender", "age_range",
                "population", "reference_period_start", "reference_period_end")
    groups: dict[str, str] = {}  # population_group -> metric
    stock_or_flow = "stock"

    def map(self, row):
        metric = self.groups.get(row["population_group"].upper())
        if metric is None or not _is_total(row):
            return None  # other population groups; sex/age breakdowns of a total we load
        return {
            "metric": metric, "value": _count(row, "population"), "stock_or_flow": self.stock_or_flow,
            "country_iso3": row["origin_location_code"] or None, "asylum_iso3": row["asylum_location_code"] or None,
            "location_text": row.get("origin_location_name") or None,
            "record_id": stable_key(row["origin_location_code"], row["asylum_location_code"],
                                    row["population_group"], row["reference_period_start"][:10]),
            "detail": {"population_group": row["population_group"],
                       "asylum_name": row.get("asylum_location_name")},
        }


class HapiRefugees(_UnhcrPairs):
    name = "hapi-refugees"
    description = "Refugees by country of origin (country_iso3) and asylum (asylum_iso3), UNHCR via HDX HAPI"
    endpoint = "affected-people/refugees-persons-of-concern"
    groups = {"REF": "refugees", "ROC": "refugees"}  # refugees, people in refugee-like situations


class HapiReturnees(_UnhcrPairs):
    name = "hapi-returnees"
    description = "Returnees by country returned to (country_iso3) and from (asylum_iso3), UNHCR via HDX HAPI"
    endpoint = "affected-people/returnees"
    groups = {"RET": "returned", "RDP": "returned"}  # returned refugees, returned IDPs
    stock_or_flow = "flow"


class HapiConflictEvents(HapiSource):
    name = "hapi-conflict-events"
    description = "Conflict events and fatalities by month, event type and admin2 (ACLED via HDX HAPI)"
    endpoint = "coordination-context/conflict-events"
    provider = "ACLED"
    provider_licence = "ACLED Terms of Use & Attribution Policy (acleddata.com/terms-of-use)"
    attribution = "Armed Conflict Location & Event Data (ACLED), www.acleddata.com"
    required = ("location_code", "admin1_code", "admin2_code", "event_type", "events", "fatalities",
                "reference_period_start", "reference_period_end")

    def map(self, row):
        fatalities = _count(row, "fatalities")
        detail = {"event_type": row["event_type"], "events": _count(row, "events")}
        if fatalities is None:
            detail["fatalities_reported"] = False  # ACLED gives no fatalities for demonstrations
        return {
            "metric": "killed", "value": fatalities or 0, "stock_or_flow": "flow", **_admin(row),
            "record_id": stable_key(*_place_key(row), row["event_type"], row["reference_period_start"][:10]),
            "detail": detail,
        }
