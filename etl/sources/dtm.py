"""IOM DTM API v3 (https://dtm.iom.int/data-and-analysis/dtm-api): IDP counts by admin level and round.

`displacement/admin0`, `admin1`, `admin2` per country (Admin0Pcode, ISO3 codes of DISPLACEMENT_DTM_COUNTRIES or
else DISPLACEMENT_HAPI_COUNTRIES), key in the `Ocp-Apim-Subscription-Key` header. The API answers
`{"isSuccess": true, "result": [...]}` in one piece (no pages); reruns ask from the last loaded reporting date on
(source_state `last_reporting_date`). --from-file: a saved response (JSON) or a CSV/XLSX export with the API's
columns.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from etl.sources import bulk
from etl.sources.base import Source, SourceError
from etl.sources.http import HttpClient, load_json_file
from etl.sources.hxl import dated_count, read_required, stable_key

BASE_URL = "https://dtmapi.iom.int/v3/displacement/"
LEVELS = (0, 1, 2)
FIELDS = {  # fields every record of a level carries; a missing one is schema drift
    0: ("admin0Pcode", "numPresentIdpInd", "reportingDate", "roundNumber"),
    1: ("admin0Pcode", "admin1Pcode", "numPresentIdpInd", "reportingDate", "roundNumber"),
    2: ("admin0Pcode", "admin1Pcode", "admin2Pcode", "numPresentIdpInd", "reportingDate", "roundNumber"),
}


IOM = "International Organization for Migration"


class DtmSource(Source):
    name = "dtm"
    kind = "dataset"
    description = "IOM DTM IDP counts by country, admin1 and admin2 and assessment round (DTM API v3)"
    licence = (
        "IOM DTM Terms and Conditions: non-commercial use, no redistribution. "
        "Attribution: \"International Organization for Migration (IOM), Displacement Tracking Matrix (DTM)\""
    )
    url = "https://dtm.iom.int/"
    requires = ("dtm_subscription_key",)

    def load(self, ctx) -> None:
        if ctx.options.from_file:
            self.load_file(ctx, Path(ctx.options.from_file))
            return
        client = HttpClient(ctx, auth_settings=self.requires)
        headers = {"Ocp-Apim-Subscription-Key": ctx.settings.dtm_subscription_key}
        since = None if ctx.options.full else ctx.get_state("last_reporting_date")
        codes = getattr(ctx.settings, "dtm_countries", "") or ctx.settings.hapi_countries
        newest = since
        for country in [c.strip().upper() for c in codes.split(",") if c.strip()]:
            for level in LEVELS:
                params = {"Admin0Pcode": country}
                if since:
                    params["FromReportingDate"] = since  # the last loaded date again: a rerun changes nothing
                payload = client.get_json(BASE_URL + f"admin{level}", params=params, headers=headers,
                                          save_as=f"admin{level}-{country}")
                rows = _result(payload, f"displacement/admin{level}")
                _check(rows, level, f"displacement/admin{level}")
                for i, row in enumerate(rows):
                    day = self.record(ctx, row, level, f"displacement/admin{level}?Admin0Pcode={country}#{i + 1}")
                    newest = max(newest or day or "", day or "") or None
        if newest:
            ctx.set_state("last_reporting_date", newest)

    def load_file(self, ctx, path: Path) -> None:
        if path.suffix.lower() == ".json":
            rows = _result(load_json_file(path, self.name), path.name)
            located = [(row, f"{path.name}#{i + 1}") for i, row in enumerate(rows)]
        else:  # read as iterated: a large export is never whole in memory
            table = read_required(path, self.name, required=("admin0Pcode", "numPresentIdpInd"))
            located = ((row, f"{path.name}:{row['_line']}") for row in table.rows)
            rows = list(itertools.islice(table.rows, 1))
        if not rows:
            return
        level = _level(rows[0])
        _check(rows, level, path.name)
        if path.suffix.lower() != ".json" and bulk.suitable(table):
            from etl.sources import dtm_bulk

            if dtm_bulk.load(ctx, table, path, level, IOM):
                return
        for row, where in located:
            self.record(ctx, row, level, where)

    def record(self, ctx, row: dict, level: int, where: str) -> str | None:
        """See _record; a record short of a field (the first and last of a page were checked) is rejected."""
        try:
            return self._record(ctx, row, level, where)
        except KeyError as exc:
            ctx.reject(f"missing field {exc}", {k: v for k, v in row.items() if k != "_line"}, where)
            return None

    def _record(self, ctx, row: dict, level: int, where: str) -> str | None:
        """One DTM record: `displaced` (stock) at its place and reporting date. Returns the reporting date."""
        ctx.advance()
        row = {k: ("" if v is None else str(v).strip()) for k, v in row.items() if k != "_line"}
        counted = dated_count(ctx, row, "numPresentIdpInd", "reportingDate", where)
        if counted is None:
            return None
        value, day = counted
        admin1 = row.get("admin1Pcode") if level >= 1 else None
        admin2 = row.get("admin2Pcode") if level >= 2 else None
        names = [row.get(f"admin{n}Name") for n in range(level, -1, -1)]
        origin = row.get("idpOriginAdmin1Pcode") or row.get("idpOriginAdmin1Name")  # v3 splits by origin
        detail = {"admin_level": level, "round": row["roundNumber"], "operation": row.get("operation"),
                  "assessment_type": row.get("assessmentType"), "displacement_reason": row.get("displacementReason"),
                  "males": row.get("numberMales"), "females": row.get("numberFemales"),
                  "origin_admin1": origin}
        ok = ctx.figure(
            location=where, metric="displaced", value=value, stock_or_flow="stock", claimed_by_org=IOM,
            dataset=f"dtm:admin{level}",
            record_id=stable_key(row["admin0Pcode"], admin1, admin2, row.get("operation"), row["roundNumber"], day,
                                 row.get("displacementReason"), origin),
            country_iso3=row["admin0Pcode"] or None, admin1_pcode=admin1 or None, admin2_pcode=admin2 or None,
            location_text=", ".join(n for n in names if n) or None, period_start=day, period_end=day,
            detail={k: v for k, v in detail.items() if v not in (None, "")},
        )
        return day if ok else None


def _result(payload, where: str) -> list[dict]:
    if isinstance(payload, list):
        return payload
    if not isinstance(payload, dict):
        raise SourceError(f"dtm: {where} is not a DTM API response (schema drift?)")
    if payload.get("isSuccess") is False:
        messages = payload.get("errorMessages") or ["no reason given"]
        raise SourceError(f"dtm: {where} refused the query: {str(messages[0])[:200]}")
    rows = payload.get("result")
    if not isinstance(rows, list):
        raise SourceError(f"dtm: {where} has no `result` list (schema drift?)")
    return rows


def _level(row: dict) -> int:
    return 2 if "admin2Pcode" in row else 1 if "admin1Pcode" in row else 0


def _check(rows: list[dict], level: int, where: str) -> None:
    for row in rows[:1] + rows[-1:]:
        missing = [f for f in FIELDS[level] if f not in row]
        if missing:
            raise SourceError(f"dtm: {where} lacks field(s) {', '.join(missing)} (schema drift?);"
                              f" found: {', '.join(list(row)[:20])}")
