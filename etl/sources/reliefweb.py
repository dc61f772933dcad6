"""ReliefWeb reports (API v2): humanitarian reports as documents, with the figures extracted from their text.

POST https://api.reliefweb.int/v2/reports?appname=… with a JSON query: full-text `query`, a `filter` on
country.iso3 and date.created, `fields.include`, sorted oldest first and paged with limit/offset.
The newest date.created loaded is the cursor (source_state `cursor`): the next run asks from there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.model import Document
from etl.sources.base import Source, SourceError
from etl.sources.feeds import DocumentStager, clean_url, html_to_text
from etl.sources.http import HttpClient, load_json_file

FIELDS = ["title", "body", "url_alias", "date.created", "source.name", "country.iso3"]
PAGE_SIZE = 100
MAX_PAGES = 20  # per run; the cursor carries on next time


class ReliefWebSource(Source):
    name = "reliefweb"
    kind = "documents"
    description = "ReliefWeb reports (OCHA) matching the configured query and countries, with extracted figures"
    licence = ("Each report's own terms (most UN/NGO content may be reused with attribution); via ReliefWeb, a"
               " service of OCHA (https://reliefweb.int), which remains the reference")
    url = "https://reliefweb.int"
    api = "https://api.reliefweb.int/v2/reports"
    requires = ("reliefweb_appname",)

    def load(self, ctx) -> None:
        stager = DocumentStager(ctx)
        if ctx.options.from_file:
            path = Path(ctx.options.from_file)
            self.stage_page(ctx, stager, load_json_file(path, self.name), path.name)
            stager.flush()
            return
        http = HttpClient(ctx, auth_settings=self.requires)
        since = None if ctx.options.full else ctx.get_state("cursor")
        since = since or _from_date(ctx.settings.reliefweb_from)
        offset, newest = 0, since
        for page in range(MAX_PAGES):
            body = query(ctx.settings, since, offset)
            response = http.request("POST", self.api, params={"appname": ctx.settings.reliefweb_appname},
                                    json=body)
            http.save(f"reports-{page:04d}", response.content, ".json")
            try:
                data = response.json()
            except ValueError:
                raise SourceError(f"{self.name}: {self.api} did not return JSON") from None
            items, newest_here = self.stage_page(ctx, stager, data, f"page {page}")
            newest = max(filter(None, (newest, newest_here)), default=None)
            offset += items
            if not items or offset >= int(data.get("totalCount") or 0):
                break
        stager.flush()
        if newest:
            ctx.set_state("cursor", newest)

    def stage_page(self, ctx, stager: DocumentStager, data, where: str) -> tuple[int, str | None]:
        """Stage one API page; returns (items on it, newest date.created)."""
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise SourceError(f"{self.name}: {where} lacks field data (schema drift?)")
        newest = None
        for i, item in enumerate(data["data"]):
            ctx.advance()
            fields = (item or {}).get("fields") or {}
            location = f"{where}:item {i + 1}"
            created = str((fields.get("date") or {}).get("created") or "")
            text = html_to_text(fields.get("body") or "") or (fields.get("title") or "").strip()
            if not item.get("id") or not text:
                ctx.reject("report without an id or text", {"id": item.get("id"), "title": fields.get("title")},
                           location)
                continue
            sources = [s.get("name") for s in fields.get("source") or [] if s.get("name")]
            doc = Document(
                doc_id=f"reliefweb-{item['id']}",
                text=text,
                url=clean_url(fields.get("url_alias") or fields.get("url") or f"https://reliefweb.int/node/{item['id']}"),
                title=(fields.get("title") or "").strip() or None,
                publisher=sources[0] if sources else "ReliefWeb",
                published=_day(created),
            )
            stager.add(doc)
            newest = max(newest or "", created) or None
        return len(data["data"]), newest


def query(settings, since: str | None, offset: int) -> dict:
    """The JSON body of one /v2/reports request."""
    conditions = []
    countries = [c.strip().lower() for c in (settings.reliefweb_countries or "").split(",") if c.strip()]
    if countries:
        conditions.append({"field": "country.iso3", "value": countries, "operator": "OR"})
    if since:
        conditions.append({"field": "date.created", "value": {"from": since}})
    body = {"fields": {"include": FIELDS}, "sort": ["date.created:asc"], "limit": PAGE_SIZE, "offset": offset}
    if settings.reliefweb_query:
        body["query"] = {"value": settings.reliefweb_query, "operator": "AND"}
    if conditions:
        body["filter"] = {"operator": "AND", "conditions": conditions}
    return body


def _from_date(text: str) -> str | None:
    """DISPLACEMENT_RELIEFWEB_FROM (YYYY-MM-DD) as the API's ISO 8601 timestamp."""
    text = (text or "").strip()
    if not text:
        return None
    if _day(text) is None:
        raise SourceError(f"reliefweb: DISPLACEMENT_RELIEFWEB_FROM={text!r} is not a date (YYYY-MM-DD)")
    return f"{text[:10]}T00:00:00+00:00"


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
