"""IDMC: the Global Internal Displacement Database (GIDD) and the Internal Displacement Updates (IDU).

GIDD (https://helix-tools-api.idmcdb.org/external-api/gidd/…): country-year new displacements (flows) and
people displaced at year end (stocks) from the `displacements` and `conflicts` endpoints, and disaster events
from `disasters`; paginated `count/next/previous/results`. The same country-year figure from `displacements`
and `conflicts` (or the HDX CSV) gets the same record id, so loading both changes nothing.
IDU (…/idus/last-180-days/, or …/idus/all/ for the first load and --full): one figure per event with its sentence.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from datetime import date
from pathlib import Path

from etl.sources.base import Source, SourceError
from etl.sources.http import HttpClient, load_json_file
from etl.sources.tabular import read_table

API = "https://helix-tools-api.idmcdb.org/external-api"
PAGE_SIZE = 1000
CAUSES = ("conflict", "disaster")
# Column names of IDMC's own GIDD export (xlsx) -> API field names.
EXPORT_COLUMNS = {
    "ISO3": "iso3", "Name": "country_name", "Year": "year",
    "Conflict Internal Displacements (Raw)": "conflict_new_displacement",
    "Conflict Stock Displacement (Raw)": "conflict_total_displacement",
    "Disaster Internal Displacements (Raw)": "disaster_new_displacement",
    "Disaster Stock Displacement (Raw)": "disaster_total_displacement",
}
QUALIFIERS = {"total": "exact", "exact": "exact", "approximately": "approximately", "about": "approximately",
              "more than": "more_than", "over": "more_than", "at least": "at_least", "less than": "less_than",
              "up to": "up_to"}
IDU_FIELDS = ("id", "iso3", "figure")
NUMERIC = ("new_displacement", "new_displacement_rounded", "total_displacement", "total_displacement_rounded",
           "hazard_category", "hazard_sub_category", "hazard_type", "hazard_sub_type")


class IdmcGidd(Source):
    name = "idmc-gidd"
    kind = "dataset"
    description = "IDMC GIDD: new internal displacements and people internally displaced, by country and year"
    licence = ("CC BY-IGO — Internal Displacement Monitoring Centre (IDMC), Global Internal Displacement Database,"
               " https://www.internal-displacement.org/database")
    url = "https://www.internal-displacement.org/database/displacement-data"
    api = API + "/gidd/"
    endpoints = ("displacements", "conflicts", "disasters")
    requires = ("idmc_client_id",)

    def load(self, ctx) -> None:
        if ctx.options.from_file:
            return self.load_file(ctx, Path(ctx.options.from_file))
        http = HttpClient(ctx, auth_settings=self.requires)
        for endpoint in self.endpoints:
            url = f"{self.api}{endpoint}/"
            params = {"client_id": ctx.settings.idmc_client_id, "format": "json", "limit": PAGE_SIZE}
            page, seen = 0, ctx.get_state(f"{endpoint}.last_updated")
            while url:
                body = _get_json(http, url, params, f"{endpoint}-{page:04d}", ctx.settings.idmc_client_id)
                if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise SourceError(f"{self.name}: {endpoint} page {page} lacks field results (schema drift?)")
                updated = body.get("last_updated")
                if page == 0 and updated and updated == seen and not ctx.options.full:
                    break  # IDMC has not published anything since the last load
                stage_gidd(ctx, body["results"], f"{endpoint} page {page}", endpoint)
                url, params, page = body.get("next"), None, page + 1  # `next` carries every parameter
            if page and body.get("last_updated"):
                ctx.set_state(f"{endpoint}.last_updated", body["last_updated"])

    def load_file(self, ctx, path: Path) -> None:
        if path.suffix.lower() == ".json":
            body = load_json_file(path, self.name)
            rows = body.get("results") if isinstance(body, dict) else body
            if not isinstance(rows, list):
                raise SourceError(f"{self.name}: {path.name} lacks field results (schema drift?)")
            return stage_gidd(ctx, rows, path.name)
        table = read_table(path, self.name, required=())
        rows = []
        for row in table.rows:
            record = {EXPORT_COLUMNS.get(k, k): v for k, v in row.items()}
            record["_line"] = row["_line"]
            rows.append(record)
        columns = {EXPORT_COLUMNS.get(c, c) for c in table.columns}
        if "iso3" not in columns or "year" not in columns:
            table.require(("iso3", "year"), self.name)
        stage_gidd(ctx, rows, path.name, columns=columns)


def stage_gidd(ctx, rows: list, where: str, endpoint: str | None = None, columns=None) -> None:
    """Stage GIDD rows of any endpoint; the fields tell which (`event_name`: disasters)."""
    if not rows:
        return
    columns = columns or set().union(*(r.keys() for r in rows[:50] if isinstance(r, dict)))
    missing = [c for c in ("iso3", "year") if c not in columns]
    if missing:
        raise SourceError(f"{ctx.source}: {where} lacks field(s) {', '.join(missing)} (schema drift?)")
    events = "event_name" in columns or endpoint == "disasters"
    if not events and not ({"new_displacement", "conflict_new_displacement"} & columns):
        raise SourceError(f"{ctx.source}: {where} lacks field new_displacement (schema drift?)")
    occurrences: dict[str, int] = {}  # events that share name, country and start (IDMC has such twins)
    for i, row in enumerate(rows):
        location = f"{where}:{row.get('_line', i + 1)}" if isinstance(row, dict) else f"{where}:{i + 1}"
        if not isinstance(row, dict):
            ctx.advance()
            ctx.reject("not a JSON object", row, location)
            continue
        row = {k: v for k, v in row.items() if k != "_line"}
        ctx.advance()
        year = _year(row.get("year"))
        iso3 = str(row.get("iso3") or "").strip().upper()
        if year is None or not re.fullmatch(r"[A-Z0-9]{3}", iso3):
            ctx.reject("year or iso3 missing or malformed", row, location)
            continue
        bad = next((c for c in NUMERIC if not _numeric(row.get(c))), None)
        if bad:
            ctx.reject(f"malformed row: {bad} {row[bad]!r} is not a number (fields shifted?)", row, location)
            continue
        if events:
            _stage_event(ctx, row, iso3, year, location, occurrences)
        elif "conflict_new_displacement" in row or "disaster_new_displacement" in row:
            for cause in CAUSES:
                _stage_country_year(ctx, row, iso3, year, cause, f"{cause}_", location)
        else:  # the `conflicts` endpoint and the HDX conflict CSV
            _stage_country_year(ctx, row, iso3, year, "conflict", "", location)


def _stage_country_year(ctx, row, iso3, year, cause, prefix, location) -> None:
    _stage_new_and_total(
        ctx, row, prefix, iso3=iso3, location=location, start=date(year, 1, 1), end=date(year, 12, 31),
        dataset="gidd", record=f"{iso3}:{year}:{cause}",
        detail=lambda kind: {"cause": cause, "figure": "new displacements" if kind == "new" else "IDPs at year end",
                             "rounded": row.get(f"{prefix}{kind}_displacement_rounded")},
    )


def _stage_new_and_total(ctx, row, prefix, *, iso3, location, start, end, dataset, record, detail) -> None:
    """IDMC's two figures of a record: new displacements (flow) and IDPs at its end (stock)."""
    for kind, flow in (("new", "flow"), ("total", "stock")):
        value = _count(row.get(f"{prefix}{kind}_displacement"))
        if value is None:
            continue
        ctx.figure(
            location=location, metric="displaced", value=value, qualifier="exact", unit="people",
            claimed_by="IDMC", claimed_by_org="IDMC", country_iso3=iso3, location_text=row.get("country_name"),
            period_start=start, period_end=end, stock_or_flow=flow, dataset=dataset, record_id=f"{record}:{kind}",
            detail=detail(kind),
        )


def _stage_event(ctx, row, iso3, year, location, occurrences: dict) -> None:
    start, end = _date(row.get("start_date")), _date(row.get("end_date"))
    record = f"{iso3}:{row.get('event_name') or ''}:{row.get('start_date') or year}"
    occurrences[record] = occurrences.get(record, 0) + 1
    if occurrences[record] > 1:
        record += f"#{occurrences[record]}"
    detail = {k: row.get(k) for k in ("event_name", "hazard_category_name", "hazard_sub_category_name",
                                      "hazard_type_name", "hazard_sub_type_name", "hazard_subtype_name",
                                      "start_date", "end_date", "start_date_accuracy", "end_date_accuracy",
                                      "event_codes") if row.get(k) not in (None, "", [], "[]")}
    if start and end and end < start:  # IDMC has some day/month swaps: keep the figure, over its year
        start = end = None
    _stage_new_and_total(
        ctx, row, "", iso3=iso3, location=location, start=start or date(year, 1, 1),
        end=end or start or date(year, 12, 31), dataset="gidd-disaster-events", record=record,
        detail=lambda kind: {"cause": "disaster", **detail},
    )


class IdmcIdu(Source):
    name = "idmc-idu"
    kind = "dataset"
    description = "IDMC Internal Displacement Updates: recent displacement events, each with its sentence and source"
    licence = ("CC BY-IGO — Internal Displacement Monitoring Centre (IDMC), Internal Displacement Updates,"
               " https://www.internal-displacement.org/database/idu")
    url = "https://www.internal-displacement.org/database/idu"
    api = API + "/idus/"
    requires = ("idmc_client_id",)

    def load(self, ctx) -> None:
        if ctx.options.from_file:
            path = Path(ctx.options.from_file)
            if path.suffix.lower() == ".json":
                return self.stage(ctx, load_json_file(path, self.name), path.name)
            table = read_table(path, self.name, required=("id",))
            table.require(IDU_FIELDS, self.name)
            return self.stage(ctx, table.rows, path.name)
        # The first load (or --full) reads the whole history; later ones the rolling 180 days.
        window = "all" if ctx.options.full or not ctx.get_state("newest_created_at") else "last-180-days"
        http = HttpClient(ctx, auth_settings=self.requires)
        response = http.get(f"{self.api}{window}/", params={"client_id": ctx.settings.idmc_client_id})
        content = response.content
        if content[:2] == b"\x1f\x8b":  # the S3 file behind the redirect may be gzip without a header saying so
            content = gzip.decompress(content)
        http.save(f"idus-{window}", _redact(content, ctx.settings.idmc_client_id), ".json")
        try:
            events = json.loads(content)
        except ValueError:
            raise SourceError(f"{self.name}: {self.api}{window}/ did not return JSON") from None
        self.stage(ctx, events, f"idus/{window}")

    def stage(self, ctx, events, where: str) -> None:
        if isinstance(events, dict):
            events = events.get("results", events.get("data"))
        if not isinstance(events, list):
            raise SourceError(f"{self.name}: {where} is not a list of events (schema drift?)")
        if events and isinstance(events[0], dict):
            missing = [f for f in IDU_FIELDS if f not in events[0]]
            if missing:
                raise SourceError(f"{self.name}: {where} lacks field(s) {', '.join(missing)} (schema drift?)")
        newest = ctx.get_state("newest_created_at") or ""
        for i, event in enumerate(events):
            ctx.advance()
            location = f"{where}:{event.get('_line', i + 1)}" if isinstance(event, dict) else f"{where}:{i + 1}"
            if not isinstance(event, dict) or not event.get("id"):
                ctx.reject("event without an id", event, location)
                continue
            event = {k: v for k, v in event.items() if k != "_line"}
            sentence, source_name, link = popup_parts(event)
            raw_qualifier = str(event.get("qualifier") or "total").strip().lower()
            qualifier = QUALIFIERS.get(raw_qualifier, "exact")
            value = _count(event.get("figure"), keep_zero=True)
            try:  # a date that does not parse rejects the event: never NULL over the stored good one
                day, start, end = (_strict_date(event, k) for k in IDU_DATES)
            except ValueError as exc:
                ctx.reject(str(exc), event, location)
                continue
            ctx.figure(
                location=location, metric="displaced", value=value, qualifier=qualifier,
                value_low=value if qualifier in ("exact", "approximately", "at_least", "more_than") else None,
                value_high=value if qualifier in ("exact", "approximately", "less_than", "up_to") else None,
                unit="people", claimed_by="IDMC", claimed_by_org="IDMC",
                country_iso3=(event.get("iso3") or None), location_text=event_place(event.get("event_name")),
                period_start=start or day, period_end=end or day,
                stock_or_flow="flow", evidence=sentence,
                dataset="idu", record_id=str(event["id"]),
                detail={k: v for k, v in {
                    "displacement_type": event.get("displacement_type"), "qualifier": raw_qualifier,
                    "event_name": event.get("event_name"), "category": event.get("category"),
                    "type": event.get("type"), "latitude": event.get("latitude"),
                    "longitude": event.get("longitude"), "source": source_name, "source_url": link,
                    "created_at": event.get("created_at")}.items() if v not in (None, "")},
            )
            newest = max(newest, str(event.get("created_at") or ""))
        if newest and not ctx.options.from_file:  # a file may hold one country: it is no cursor for the API
            ctx.set_state("newest_created_at", newest)


def event_place(name: str | None) -> str | None:
    """The place in an IDU event name, `Country: Hazard - Place - dd/mm/yyyy` -> `Place`."""
    parts = [p.strip() for p in (name or "").split(" - ")]
    if len(parts) >= 3 and re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", parts[-1]):
        return " - ".join(parts[1:-1]) or None
    return None


def _get_json(http: HttpClient, url: str, params, save_as: str, secret: str):
    """GET JSON; the copy kept by --save has the client_id masked (GIDD's `next` links carry it)."""
    response = http.get(url, params=params)
    http.save(save_as, _redact(response.content, secret), ".json")
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{http.source}: {url.split('?')[0]} did not return JSON") from None


def _redact(content: bytes, secret: str) -> bytes:
    return content.replace(secret.encode(), b"***") if secret else content


def popup_parts(event: dict) -> tuple[str | None, str | None, str | None]:
    """(sentence, source name, source link) from an IDU event's standard_popup_text or description/link."""
    popup = event.get("standard_popup_text")
    if popup:
        parts = [p for p in re.split(r"<br\s*/?>", popup, flags=re.I) if p.strip()]
        link = re.search(r'href="([^"]+)"', popup)
        texts = [_text(p) for p in parts]
        anchors = [_text(p) for p in parts if "<a " in p.lower()]
        body = [t for p, t in zip(parts, texts, strict=True) if "<a " not in p.lower() and "<b>" not in p.lower()]
        sentence = " ".join(body) or (texts[0] if texts else None)
        return sentence or None, (anchors[0] if anchors else None), (link.group(1) if link else None)
    description = _text(event.get("description") or "")
    if not description:
        return None, None, event.get("link") or None
    # The CSV's description is the headline, a full stop, then the sentence.
    headline = _text(event.get("standard_info_text") or "")
    sentence = description[len(headline):].strip(" .") if headline and description.startswith(headline) else None
    if not sentence:
        match = re.match(r"^.*?\d{1,2} \w+ ?- ?\d{1,2} \w+\.\s+(.*)$", description)
        sentence = match.group(1) if match else description
    return sentence, None, event.get("link") or None


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _count(value, keep_zero: bool = False):
    if value is None:
        return None
    text = str(value).strip().replace(",", "")
    if text in ("", "-", "null", "None"):
        return None
    try:
        if float(text) == 0 and not keep_zero:
            return None
    except ValueError:
        pass  # the figure check rejects it with the reason
    return text


def _numeric(value) -> bool:
    """Blank or a number: a CSV row whose quoting broke shifts text into numeric columns."""
    if value is None or str(value).strip() in ("", "null"):
        return True
    try:
        float(str(value).replace(",", ""))
        return True
    except ValueError:
        return False


def _year(value) -> int | None:
    try:
        year = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 else None


IDU_DATES = ("displacement_date", "displacement_start_date", "displacement_end_date")


def _strict_date(record: dict, key: str) -> date | None:
    """The record's date at `key`; blank is None, anything else that is no date raises ValueError."""
    value = record.get(key)
    if value in (None, ""):
        return None
    parsed = _date(value)
    if parsed is None:
        raise ValueError(f"{key} {value!r} is not a date (want YYYY-MM-DD)")
    return parsed


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None
