"""Any CSV or XLSX tagged with HXL hashtags (HDX files): one figure per row and figure tag.

Also holds small helpers the other dataset sources share: counts, month periods, files with a required header.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from etl.sources import bulk
from etl.sources.base import Source, SourceError
from etl.sources.tabular import Table, read_table

# Figure tags: (hashtag with attributes, metric, stock_or_flow). A column matches when its tag has these attributes.
METRIC_TAGS = (
    ("#affected+killed", "killed", "flow"),
    ("#fatality", "killed", "flow"),
    ("#affected+injured", "injured", "flow"),
    ("#affected+missing", "missing", "flow"),
    ("#affected+idps", "displaced", "stock"),
    ("#affected+displaced", "displaced", "stock"),
    ("#affected+refugees", "refugees", "stock"),
    ("#affected+returnees", "returned", "flow"),
    ("#inneed", "in_need", "stock"),
)
NUMBER_TAGS = ("#fatality", "#affected", "#inneed", "#population", "#value", "#event+num", "#meta")


# --- helpers shared by the dataset sources -------------------------------------------------------------


def to_count(value) -> int | None:
    """'1,234', '12.0' or 7 -> int; '' or None -> None; anything else raises ValueError."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "").replace("\u00a0", "")
    if text == "" or text.lower() in ("nan", "null", "none"):
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise ValueError(f"{value!r} is not a whole non-negative number")
    return int(number)


def dated_count(ctx, row: dict, count_field: str, date_field: str, where: str) -> tuple[int, str] | None:
    """A record's required count and day (YYYY-MM-DD); None after rejecting a blank or bad one."""
    try:
        value = to_count(row[count_field])
        if value is None:
            raise ValueError("is blank")
    except ValueError as exc:
        ctx.reject(f"{count_field}: {exc}", row, where)
        return None
    if not row[date_field]:
        ctx.reject(f"{date_field} is blank", row, where)
        return None
    return value, row[date_field][:10]


def month_period(year, month) -> tuple[date, date]:
    """(first day, last day) of a month given as 1-12 or an English month name."""
    year = int(str(year).strip()[:4])
    text = str(month).strip()
    if text.isdigit():
        number = int(text)
    else:
        names = [m.lower() for m in calendar.month_name]
        number = names.index(text.lower()) if text.lower() in names else 0
    if not 1 <= number <= 12:
        raise ValueError(f"bad month {month!r}")
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def read_required(path, source: str, required=(), sheet: str | None = None) -> Table:
    """Read a CSV/XLSX whose header must hold `required`; a drifted header names the missing column(s).

    A CSV's rows are read as they are iterated (bounded memory), each pass anew."""
    try:
        return read_table(path, source, required=required, sheet=sheet, stream=True)
    except SourceError:
        if not required or not Path(path).exists():
            raise
        table = read_table(path, source, sheet=sheet)  # the first wide row as header
        table.require(required, source)
        raise


def stable_key(*parts) -> str:
    return "|".join("" if p is None else str(p).strip() for p in parts)


# --- the source ----------------------------------------------------------------------------------------


class HxlSource(Source):
    name = "hxl"
    kind = "dataset"
    description = "Any CSV/XLSX tagged with HXL hashtags (e.g. HDX files): one figure per row and figure tag"
    licence = "As published by each file's provider (HDX datasets: see the dataset page); attribute the provider"
    url = "https://hxlstandard.org/"

    def configured(self, settings) -> bool:
        return bool(settings.hxl_url)

    def load(self, ctx) -> None:
        target = ctx.options.from_file or ctx.settings.hxl_url
        if not target:
            raise SourceError("hxl: set DISPLACEMENT_HXL_URL or pass --from-file")
        text = str(target)
        if text.startswith(("http://", "https://")):
            with tempfile.TemporaryDirectory() as folder:
                path = self._download(ctx, text, Path(folder))
                if path is not None:
                    self.load_file(ctx, path)
            return
        self.load_file(ctx, Path(text))

    def _download(self, ctx, url: str, folder: Path) -> Path | None:
        from etl.sources.http import HttpClient

        response = HttpClient(ctx).get(url)
        digest = hashlib.sha256(response.content).hexdigest()
        if digest == ctx.get_state("sha256") and not ctx.options.full:
            return None  # unchanged since the last run: nothing to do
        ctx.set_state("sha256", digest)
        suffix = Path(urlsplit(url).path).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".xlsm"):
            kind = response.headers.get("Content-Type", "")
            suffix = ".xlsx" if "spreadsheet" in kind or response.content[:2] == b"PK" else ".csv"
        ctx.save_raw(f"hxl{suffix}", response.content)
        path = folder / f"download{suffix}"
        path.write_bytes(response.content)
        return path

    def load_file(self, ctx, path: Path) -> None:
        table = read_table(path, self.name, stream=True)
        if not table.hxl:
            raise SourceError(f"hxl: {path.name} has no HXL hashtag row (e.g. #adm1+code, #affected+idps)")
        metrics = _metric_columns(table)
        long = _long_columns(table)
        if long and not metrics:
            return self._load_long(ctx, table, path, long)
        if not metrics:
            raise SourceError(
                f"hxl: {path.name} has no figure column tagged "
                f"{', '.join(t for t, _, _ in METRIC_TAGS)} (schema drift?); tags: {', '.join(table.hxl.values())}"
            )
        tags = {tag: column for column, tag in reversed(list(table.hxl.items()))}  # first column wins
        key_columns = [c for c, t in table.hxl.items() if _is_dimension(t)]
        if bulk.suitable(table):
            from etl.sources import hxl_bulk

            if hxl_bulk.load(ctx, table, path, metrics, tags, key_columns):
                return
        seen = set()
        for row in table.rows:
            ctx.advance()
            where = f"{path.name}:{row['_line']}"
            record_id = stable_key(*(row.get(c) for c in key_columns)) or f"line {row['_line']}"
            if record_id in seen:
                ctx.reject("duplicate row (same place, period and dimensions as an earlier row)", _raw(row), where)
                continue
            seen.add(record_id)
            try:
                common = _common_fields(row, tags)
            except ValueError as exc:
                ctx.reject(str(exc), _raw(row), where)
                continue
            # Identity from content, never from the file's name: the same file renamed adds nothing.
            dataset_id = _tag_value(row, tags, "#meta+dataset_id")
            dataset = f"hxl:{dataset_id}" if dataset_id else "hxl"
            for (metric, unit), (column, stock_or_flow) in metrics.items():
                try:
                    value = to_count(row.get(column))
                except ValueError as exc:
                    ctx.reject(f"{table.hxl[column]}: {exc}", _raw(row), where)
                    continue
                fields = dict(common)
                if value is None and metric == "killed" and "events" in common["detail"]:
                    # events without a fatality count (ACLED demonstrations): keep the events, 0 killed, flagged
                    value, fields["detail"] = 0, {**common["detail"], "fatalities_reported": False}
                if value is None:
                    continue  # a blank cell is no figure
                ctx.figure(location=where, metric=metric, value=value, unit=unit, stock_or_flow=stock_or_flow,
                           dataset=dataset, record_id=record_id, **fields)


    def _load_long(self, ctx, table: Table, path: Path, long: dict) -> None:
        """Long format (this project's own exports): one figure per row, its metric in `#indicator+code`."""
        from etl.model import METRICS

        tags = {tag: column for column, tag in reversed(list(table.hxl.items()))}
        for row in table.rows:
            ctx.advance()
            where = f"{path.name}:{row['_line']}"
            metric = (row.get(long["#indicator+code"]) or "").strip()
            try:
                if metric not in METRICS:
                    raise ValueError(f"#indicator+code {metric!r} is not a metric")
                value = to_count(row.get(long["#indicator+value+num"]))
                common = _common_fields(row, tags)
            except ValueError as exc:
                ctx.reject(str(exc), _raw(row), where)
                continue
            if value is None:
                continue
            unit = _exact(row, tags, "#indicator+unit")
            flow = _exact(row, tags, "#indicator+type")
            common["claimed_by_org"] = _exact(row, tags, "#org+name")
            ctx.figure(location=where, metric=metric, value=value,
                       unit=unit if unit in ("people", "households", "houses") else "people",
                       stock_or_flow=flow if flow in ("stock", "flow") else None,
                       dataset="hxl:" + (_exact(row, tags, "#meta+dataset_id") or "export"),  # content, not file name
                       record_id=_exact(row, tags, "#meta+id") or f"line {row['_line']}", **common)


def _long_columns(table: Table) -> dict[str, str]:
    """`#indicator+code` and `#indicator+value+num` -> their columns, when a table has both."""
    found = {tag: column for column, tag in reversed(list(table.hxl.items()))
             if tag in ("#indicator+code", "#indicator+value+num")}
    return found if len(found) == 2 else {}


def _metric_columns(table: Table) -> dict[tuple[str, str], tuple[str, str]]:
    """(metric, unit) -> (column, stock_or_flow); of several such columns the least disaggregated wins."""
    found: dict[tuple[str, str], tuple[int, str, str]] = {}
    for column, tag in table.hxl.items():
        base, *attrs = tag.split("+")
        for pattern, metric, stock_or_flow in METRIC_TAGS:
            p_base, *p_attrs = pattern.split("+")
            if base != p_base or not all(a in attrs for a in p_attrs):
                continue
            if "new" in attrs:
                stock_or_flow = "flow"
            unit = "households" if "hh" in attrs else "people"
            rank = len(attrs) - (2 if "total" in attrs else 0)
            if (metric, unit) not in found or rank < found[metric, unit][0]:
                found[metric, unit] = (rank, column, stock_or_flow)
            break
    return {key: (c, s) for key, (_, c, s) in found.items()}


def _is_dimension(tag: str) -> bool:
    """Place, date and category columns identify a row; numbers and metadata do not."""
    if "+group" in tag or "+type" in tag:
        return True
    return "+num" not in tag and not tag.startswith(NUMBER_TAGS)


def _tag_value(row: dict, tags: dict, *wanted: str) -> str | None:
    """The value of the first column whose tag has the base and attributes of one of `wanted`."""
    return next((row[column] for column in tag_columns(tags, *wanted) if row.get(column)), None)


def tag_columns(tags: dict, *wanted: str) -> list[str]:
    """The columns whose tag has the base and attributes of one of `wanted`, in the order they are tried."""
    found = []
    for want in wanted:
        base, *attrs = want.split("+")
        for tag, column in tags.items():
            have, *have_attrs = tag.split("+")
            if have == base and all(a in have_attrs for a in attrs):
                found.append(column)
    return found


def _exact(row: dict, tags: dict, tag: str) -> str | None:
    column = tags.get(tag)
    return row.get(column) or None if column else None


def _common_fields(row: dict, tags: dict) -> dict:
    start = _exact(row, tags, "#date+start") or _exact(row, tags, "#date") or _exact(row, tags, "#date+reported")
    end = _exact(row, tags, "#date+end") or _exact(row, tags, "#date") or _exact(row, tags, "#date+reported")
    year = _exact(row, tags, "#date+year")
    if year and not (start or end):
        if not year.strip()[:4].isdigit():
            raise ValueError(f"#date+year {year!r} is not a year")
        start, end = f"{year.strip()[:4]}-01-01", f"{year.strip()[:4]}-12-31"
    events = _tag_value(row, tags, "#event+num")
    detail = {
        "event_type": _tag_value(row, tags, "#event+type"),
        "events": to_count(events) if events else None,
        "population_group": _tag_value(row, tags, "#population+group", "#group"),
        "round": _tag_value(row, tags, "#round"),
        "hdx_resource_id": _tag_value(row, tags, "#meta+resource_id"),
    }
    names = [_tag_value(row, tags, t) for t in ("#loc+name", "#adm3+name", "#adm2+name", "#adm1+name", "#country+name")]
    return {
        "country_iso3": _tag_value(row, tags, "#country+code"),
        "admin1_pcode": _tag_value(row, tags, "#adm1+code"),
        "admin2_pcode": _tag_value(row, tags, "#adm2+code"),
        "location_text": ", ".join(n for n in names if n) or None,
        "period_start": start,
        "period_end": end,
        "claimed_by_org": _tag_value(row, tags, "#meta+source", "#org+name", "#org"),
        "detail": {k: v for k, v in detail.items() if v is not None},
    }


def _raw(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "_line"}
