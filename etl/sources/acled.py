"""ACLED (https://acleddata.com/api-documentation): conflict events and fatalities.

API: an OAuth password grant gives a bearer token (24 h) and a refresh token; `acled/read` pages by `page`/`limit`
over an `event_date` window starting LOOKBACK_DAYS before the last loaded date (source_state `last_event_date`),
since ACLED adds events late; `deleted/read` lists events ACLED removed since the last check (source_state
`last_deleted_timestamp`), deleted here too.
Tokens live in memory only: source_state is readable from the SQL console.

--from-file: a saved `acled/read` page (JSON), an ACLED export (CSV/XLSX with event_id_cnty), or HDX's monthly
ACLED aggregates (CSV/XLSX with Month, Year, Events, Fatalities; every sheet of the workbook).
"""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from etl.sources import bulk
from etl.sources.base import Source, SourceError
from etl.sources.http import HttpClient, load_json_file
from etl.sources.hxl import dated_count, month_period, read_required, stable_key, to_count

TOKEN_URL = "https://acleddata.com/oauth/token"
READ_URL = "https://acleddata.com/api/acled/read"
DELETED_URL = "https://acleddata.com/api/deleted/read"
PAGE_SIZE = 5000
START_DATE = "2018-01-01"  # the first load's window start
LOOKBACK_DAYS = 30  # ACLED publishes events days or weeks after they happen: reread that far back
EVENT_FIELDS = ("event_id_cnty", "event_date", "event_type", "country", "admin1", "admin2", "fatalities")
HDX_FIELDS = ("Country", "Month", "Year", "Events", "Fatalities")
EVENTS = "acled:events"
HDX_MONTHLY = "acled:hdx-monthly"
CREDENTIALS = ("acled_username", "acled_password")


class AcledSource(Source):
    name = "acled"
    kind = "dataset"
    description = "ACLED conflict events and fatalities by date, admin1/admin2 (events API, deletions, HDX aggregates)"
    licence = (
        "ACLED Terms of Use & Attribution Policy (acleddata.com/terms-of-use): no redistribution of the raw events. "
        "Attribution: \"Armed Conflict Location & Event Data (ACLED), www.acleddata.com\""
    )
    url = "https://acleddata.com/"
    requires = CREDENTIALS

    def load(self, ctx) -> None:
        places = _Places(ctx.con)
        if ctx.options.from_file:
            self.load_file(ctx, Path(ctx.options.from_file), places)
            return
        client = HttpClient(ctx, auth_settings=CREDENTIALS)
        token = _Token(client, ctx.settings)
        self.load_events(ctx, client, token, places)
        self.load_deletions(ctx, client, token)

    # --- API ---------------------------------------------------------------------------------------

    def load_events(self, ctx, client, token, places) -> None:
        since = None if ctx.options.full else ctx.get_state("last_event_date")
        start = (date.fromisoformat(since) - timedelta(days=LOOKBACK_DAYS)).isoformat() if since else START_DATE
        window = f"{start}|{date.today().isoformat()}"  # rereading known events changes nothing
        newest = since
        countries = [c.strip() for c in ctx.settings.acled_countries.split(",") if c.strip()]
        for country in countries:
            for page in range(1, 100_000):
                params = {"_format": "json", "country": country, "event_date": window,
                          "event_date_where": "BETWEEN", "page": page, "limit": PAGE_SIZE}
                rows = _get_rows(client, token, READ_URL, params, f"read-{_slug(country)}-{page:04d}")
                _check(rows, EVENT_FIELDS, "acled/read")
                for i, row in enumerate(rows):
                    day = self.event(ctx, row, f"acled/read?country={country}&page={page}#{i + 1}", places)
                    newest = max(newest or day or "", day or "") or None
                if len(rows) != PAGE_SIZE:  # a short page is the last
                    break
        if newest:
            ctx.set_state("last_event_date", newest)

    def load_deletions(self, ctx, client, token) -> None:
        since = ctx.get_state("last_deleted_timestamp")
        if since is None or ctx.options.full:
            since = int(datetime.fromisoformat(START_DATE).replace(tzinfo=UTC).timestamp())
        newest = int(since)
        for page in range(1, 100_000):
            params = {"_format": "json", "deleted_timestamp": since, "deleted_timestamp_where": ">=",
                      "page": page, "limit": PAGE_SIZE}
            rows = _get_rows(client, token, DELETED_URL, params, f"deleted-{page:04d}")
            _check(rows, ("event_id_cnty", "deleted_timestamp"), "deleted/read")
            for row in rows:
                ctx.delete_record(EVENTS, str(row["event_id_cnty"]))
                newest = max(newest, int(float(row["deleted_timestamp"] or 0)))
            if len(rows) != PAGE_SIZE:
                break
        ctx.set_state("last_deleted_timestamp", newest)

    # --- files -------------------------------------------------------------------------------------

    def load_file(self, ctx, path: Path, places) -> None:
        if path.suffix.lower() == ".json":
            rows = _data(load_json_file(path, self.name), path.name)
            _check(rows, EVENT_FIELDS, path.name)
            for i, row in enumerate(rows):
                self.event(ctx, row, f"{path.name}#{i + 1}", places)
            return
        tables = _tables(path)
        if not tables:
            raise SourceError(f"acled: {path.name} has no header with event_id_cnty (ACLED export) or"
                              f" {', '.join(HDX_FIELDS)} (HDX aggregates) (schema drift?)")
        for table in tables:
            aggregate = "event_id_cnty" not in table.columns
            table.require(HDX_FIELDS if aggregate else EVENT_FIELDS, self.name)
            event_type = _event_type_from_name(path.name) if aggregate else None
            if not aggregate and bulk.suitable(table):
                from etl.sources import acled_bulk

                if acled_bulk.load(ctx, table, path, places, EVENTS):
                    continue
            for row in table.rows:
                sheet = f"{table.sheet}:" if len(tables) > 1 else ""
                where = f"{path.name}:{sheet}{row['_line']}"
                if aggregate:
                    self.monthly(ctx, row, where, places, event_type)
                else:
                    self.event(ctx, row, where, places)

    # --- mapping -----------------------------------------------------------------------------------

    def event(self, ctx, row: dict, where: str, places) -> str | None:
        """See _event; a record short of a field (the first and last of a page were checked) is rejected."""
        try:
            return self._event(ctx, row, where, places)
        except KeyError as exc:
            ctx.reject(f"missing field {exc}", {k: v for k, v in row.items() if k != "_line"}, where)
            return None

    def _event(self, ctx, row: dict, where: str, places) -> str | None:
        """One ACLED event: `killed` = its fatalities on its date. Returns the event date."""
        ctx.advance()
        row = {k: ("" if v is None else str(v).strip()) for k, v in row.items() if k != "_line"}
        event_id = row["event_id_cnty"]
        counted = dated_count(ctx, row, "fatalities", "event_date", where)
        if counted is None:
            return None
        fatalities, day = counted
        iso3 = row.get("iso3") or (event_id[:3].upper() if event_id[:3].isalpha() else None)
        detail = {"event_type": row["event_type"], "sub_event_type": row.get("sub_event_type"), "events": 1,
                  "disorder_type": row.get("disorder_type"), "admin1": row["admin1"], "admin2": row["admin2"],
                  "location": row.get("location")}
        admin1 = places.find(iso3, 1, row["admin1"])
        ok = ctx.figure(
            location=where, metric="killed", value=fatalities, stock_or_flow="flow", claimed_by_org="ACLED",
            dataset=EVENTS, record_id=event_id, country_iso3=iso3, admin1_pcode=admin1,
            admin2_pcode=places.find(iso3, 2, row["admin2"], parent=admin1),
            location_text=", ".join(n for n in (row.get("location"), row["admin2"], row["admin1"], row["country"]) if n)
            or None,
            period_start=day, period_end=day, detail={k: v for k, v in detail.items() if v not in (None, "")},
        )
        return day if ok else None

    def monthly(self, ctx, row: dict, where: str, places, event_type: str | None) -> None:
        """One row of HDX's monthly aggregates: fatalities and events for a country or admin2 and month."""
        ctx.advance()
        raw = {k: v for k, v in row.items() if k != "_line"}
        try:
            start, end = month_period(row["Year"], row["Month"])
            events, fatalities = to_count(row["Events"]), to_count(row["Fatalities"])
        except ValueError as exc:
            ctx.reject(str(exc), raw, where)
            return
        iso3 = row.get("ISO3") or places.find(None, 0, row["Country"])
        detail = {"event_type": event_type, "events": events, "admin1": row.get("Admin1"), "admin2": row.get("Admin2")}
        if fatalities is None:
            detail["fatalities_reported"] = False
        admin1 = _pcode(row.get("Admin1 Pcode")) or places.find(iso3, 1, row.get("Admin1"))
        admin2 = _pcode(row.get("Admin2 Pcode")) or places.find(iso3, 2, row.get("Admin2"), parent=admin1)
        # names too: the workbooks hold "NA" p-codes and a few p-codes shared by two districts
        place = (admin1, row.get("Admin1"), admin2, row.get("Admin2"))
        ctx.figure(
            location=where, metric="killed", value=fatalities or 0, stock_or_flow="flow", claimed_by_org="ACLED",
            dataset=HDX_MONTHLY, record_id=stable_key(iso3 or row["Country"], *place, start.isoformat(), event_type),
            country_iso3=iso3, admin1_pcode=admin1, admin2_pcode=admin2,
            location_text=", ".join(n for n in (row.get("Admin2"), row.get("Admin1"), row["Country"]) if n),
            period_start=start, period_end=end, detail={k: v for k, v in detail.items() if v not in (None, "")},
        )


class _Token:
    """OAuth password grant, refreshed with the refresh token when it expires or the API answers 401."""

    def __init__(self, client: HttpClient, settings):
        self.client, self.settings = client, settings
        self.access = self.refresh_token = None
        self.expires_at = 0.0

    def header(self) -> dict:
        if not self.access:
            self._grant({"grant_type": "password", "username": self.settings.acled_username,
                         "password": self.settings.acled_password, "scope": "authenticated"})
        elif time.monotonic() >= self.expires_at:
            self.refresh()
        return {"Authorization": f"Bearer {self.access}"}

    def refresh(self) -> None:
        if self.refresh_token and self._grant(
            {"grant_type": "refresh_token", "refresh_token": self.refresh_token}, fallback=True
        ):
            return
        self.access = None  # the refresh token expired too: sign in again
        self.header()

    def _grant(self, data: dict, fallback: bool = False) -> bool:
        response = self.client.request("POST", TOKEN_URL, data={**data, "client_id": "acled"},
                                       passthrough=(400, 401, 403))
        if response.status_code != 200:
            if fallback:
                return False
            raise SourceError(f"acled: {TOKEN_URL} refused the sign-in (HTTP {response.status_code});"
                              " check DISPLACEMENT_ACLED_USERNAME and DISPLACEMENT_ACLED_PASSWORD")
        try:
            body = response.json()
            self.access = body["access_token"]
        except (ValueError, KeyError, TypeError):
            raise SourceError(f"acled: {TOKEN_URL} answered without an access_token") from None
        self.refresh_token = body.get("refresh_token") or self.refresh_token
        self.expires_at = time.monotonic() + float(body.get("expires_in") or 86400) - 60
        return True


def _get_rows(client: HttpClient, token: _Token, url: str, params: dict, save_as: str) -> list[dict]:
    response = client.get(url, params=params, headers=token.header(), passthrough=(401,))
    if response.status_code == 401:  # the token expired under us
        token.refresh()
        response = client.get(url, params=params, headers=token.header())
    client.save(save_as, response.content, ".json")
    try:
        payload = response.json()
    except ValueError:
        raise SourceError(f"acled: {url} did not return JSON") from None
    if isinstance(payload, dict) and payload.get("success") is False:
        message = payload.get("error") or payload.get("messages") or "no reason given"
        raise SourceError(f"acled: {url} refused the query: {str(message)[:200]}")
    return _data(payload, url.rsplit("/api/", 1)[-1])


def _data(payload, where: str) -> list[dict]:
    rows = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        raise SourceError(f"acled: {where} has no `data` list (schema drift?)")
    return rows


def _check(rows: list[dict], fields, where: str) -> None:
    for row in rows[:1] + rows[-1:]:
        missing = [f for f in fields if f not in row]
        if missing:
            raise SourceError(f"acled: {where} lacks field(s) {', '.join(missing)} (schema drift?);"
                              f" found: {', '.join(list(row)[:20])}")


def _tables(path: Path) -> list:
    """The file's tables of events or monthly aggregates: for a workbook, every sheet holding one."""
    sheets = [None]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True)
            sheets = book.sheetnames
            book.close()
        except Exception as exc:
            raise SourceError(f"acled: {path.name} is not a readable XLSX ({exc})") from None
    tables = []
    for sheet in sheets:
        for required in (("event_id_cnty",), ("Month", "Year")):
            try:
                table = read_required(path, "acled", required=required, sheet=sheet)
            except SourceError:
                continue
            table.sheet = sheet
            tables.append(table)
            break
    return tables


def _event_type_from_name(name: str) -> str | None:
    """HDX publishes one workbook per ACLED aggregate: political violence, civilian targeting, demonstrations."""
    name = name.lower().replace("-", "_")
    for word, event_type in (("civilian", "civilian_targeting"), ("demonstration", "demonstration"),
                             ("political_violence", "political_violence")):
        if word in name:
            return event_type
    return None


def _pcode(value) -> str | None:
    return None if not value or value.strip().upper() in ("NA", "N/A", "#N/A") else value.strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


class _Places:
    """ACLED names its admin areas: look the names up in the warehouse's places to add p-codes, when unambiguous."""

    def __init__(self, con):
        self.index: dict[tuple, str | None] = {}
        self.countries: dict[str, str] = {}
        try:
            rows = con.execute(
                "SELECT pcode, admin_level, name, country_iso3, parent_pcode, alt_names FROM places"
            ).fetchall() if con is not None else []
        except Exception:
            rows = []  # no gazetteer loaded
        for pcode, level, name, iso3, parent, alt_names in rows:
            for label in [name, *(alt_names or [])]:
                if level == 0:
                    self.countries.setdefault(_fold(label), pcode)
                for key in ((iso3, level, _fold(label)), (iso3, level, _fold(label), parent)):
                    self.index[key] = pcode if self.index.get(key, pcode) == pcode else None  # ambiguous: None

    def find(self, iso3, level: int, name: str, parent: str | None = None) -> str | None:
        if not name:
            return None
        if level == 0:
            return self.countries.get(_fold(name))
        if parent:
            return self.index.get((iso3, level, _fold(name), parent))
        return self.index.get((iso3, level, _fold(name)))
