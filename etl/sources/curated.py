"""`curated`: a hand-kept CSV of figures with their citations (report, publisher, date, address)."""

from __future__ import annotations

from pathlib import Path

from etl.model import FIGURE_COLUMNS
from etl.sources.base import LoadContext, Source, SourceError
from etl.sources.tabular import read_table

REQUIRED = ("record_id", "metric", "value", "qualifier", "claimed_by_org", "publisher", "published")
NULLABLE = set(FIGURE_COLUMNS) - {"metric", "value", "qualifier", "unit"}


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
        for row in table.rows:
            ctx.advance()
            where = f"{path.name}:{row['_line']}"
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
