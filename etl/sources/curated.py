"""`curated`: a hand-kept CSV of figures with their citations (report, publisher, date, address)."""

from __future__ import annotations

from pathlib import Path

from etl.model import FIGURE_COLUMNS
from etl.sources.base import LoadContext, Source, SourceError
from etl.sources.tabular import read_table

REQUIRED = ("record_id", "metric", "value", "qualifier", "claimed_by_org", "publisher", "published")
NULLABLE = set(FIGURE_COLUMNS) - {"metric", "value", "qualifier", "unit"}


def known_codes(ctx):
    """Every p-code and country code the warehouse's gazetteer (or the bundled one) knows, as a `code in` test:
    the warehouse's places first, the bundled gazetteer (0.3 s of CPU to load) only for a code they lack."""
    return _KnownCodes(ctx)


class _KnownCodes:
    def __init__(self, ctx):
        self.ctx, self.gazetteer = ctx, None
        self.stored = {r[0] for r in ctx.con.execute("SELECT pcode FROM places").fetchall()} if ctx.con else set()

    def __contains__(self, code) -> bool:
        if code in self.stored:
            return True
        if self.gazetteer is None:
            from etl.sources.articles import gazetteer_for

            self.gazetteer = gazetteer_for(self.ctx).places
        return code in self.gazetteer


class CuratedSource(Source):
    name = "curated"
    kind = "documents"
    description = "Figures reported on the Idlib offensive (Dec 2019 - Mar 2020), curated with their report addresses"
    licence = "Facts cited from the linked reports; the CSV is the project's own (MIT)"

    def path(self, ctx) -> Path:
        return Path(ctx.options.from_file or ctx.settings.curated_csv)

    def configured(self, settings) -> bool:
        return Path(settings.curated_csv).exists()

    def load(self, ctx: LoadContext) -> None:
        path = self.path(ctx)
        table = read_table(path, self.name, required=REQUIRED, stream=True)
        seen = set()
        before = ctx.rows_read
        known = known_codes(ctx)
        for row in table.rows:
            ctx.advance()
            where = f"{path.name}:{row['_line']}"
            if row.get("_broken"):
                ctx.reject(f"broken CSV line: {row['_cells']} cells where the header has {len(table.columns)} "
                           "(an unquoted comma or quote?)", row, where)
                continue
            unknown = [f"{k} {row[k]!r}" for k in ("country_iso3", "admin1_pcode", "admin2_pcode")
                       if row.get(k) and row[k] not in known]
            if unknown:
                ctx.reject(f"unknown place code: {', '.join(unknown)} is not in the gazetteer", row, where)
                continue
            record_id = row["record_id"]
            if not record_id or record_id in seen:
                ctx.reject("missing or repeated record_id", row, where)
                continue
            seen.add(record_id)
            fields = {k: (row.get(k) or None) for k in FIGURE_COLUMNS if k in row and k in NULLABLE}
            fields.update(metric=row["metric"], value=row["value"], qualifier=row["qualifier"],
                          unit=row.get("unit") or "people")
            # The record id is the file's own key: the same file under another name is the same figures.
            fields.update(dataset="curated", record_id=record_id, evidence=row.get("note") or None)
            ctx.figure(location=where, **fields)
        if ctx.rows_read == before:
            raise SourceError(f"{self.name}: {path} has no rows")
