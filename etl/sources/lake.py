"""`lake`: figures and documents from a Parquet lake (`displacement spark extract`, `displacement export`).

    displacement etl run lake --from-file DIR

reads DIR/figures/**/*.parquet (hive-partitioned by country_iso3 and year), DIR/documents/**/*.parquet and
DIR/rejects/*.parquet with DuckDB, apart from the warehouse. The Spark job's rejects, a file that cannot be read
and a row that breaks the figure contract go to rejects; the rest loads. Natural keys make a second load of the
same lake change nothing.
"""

from __future__ import annotations

from pathlib import Path

from etl.model import FIGURE_COLUMNS, Document
from etl.sources.base import LoadContext, Source, SourceError

DOCUMENT_COLUMNS = ("doc_id", "url", "title", "publisher", "published", "retrieved_at", "text")


def parquet_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.parquet") if p.is_file())


def read_rows(con, files: list[Path], ctx: LoadContext, table: str) -> list[dict]:
    """Every row of the files as dicts (hive partition columns included); an unreadable file is rejected whole."""
    import duckdb

    def read(paths):
        cur = con.execute("SELECT * FROM read_parquet(?, hive_partitioning = true, union_by_name = true)",
                          [[str(p) for p in paths]])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    try:
        return read(files)
    except duckdb.Error:  # find the bad files; the good ones still load
        rows = []
        for path in files:
            try:
                rows += read([path])
            except duckdb.Error as exc:
                ctx.reject(f"{table}: unreadable Parquet file ({str(exc).splitlines()[0][:300]})", "", str(path))
        return rows


class LakeSource(Source):
    name = "lake"
    kind = "documents"
    description = "Figures and documents from a Parquet lake written by `displacement spark extract` or `export`"
    licence = "Each document and figure keeps its own"

    def load(self, ctx: LoadContext) -> None:
        import duckdb

        root = ctx.options.from_file
        if root is None:
            raise SourceError(f"{self.name}: give the lake folder: displacement etl run lake --from-file DIR")
        root = Path(root)
        if not (root / "figures").is_dir():
            raise SourceError(f"{self.name}: {root} has no figures/ folder (want DIR/figures/country_iso3=…/year=…)")
        files = parquet_files(root / "figures")
        if not files:
            raise SourceError(f"{self.name}: no .parquet files under {root / 'figures'}")
        con = duckdb.connect()
        try:
            documents = read_rows(con, parquet_files(root / "documents"), ctx, "documents") \
                if (root / "documents").is_dir() else []
            figures = read_rows(con, files, ctx, "figures")
            spark_rejects = read_rows(con, parquet_files(root / "rejects"), ctx, "rejects") \
                if (root / "rejects").is_dir() else []
        finally:
            con.close()
        for row in spark_rejects:  # documents the Spark job could not read or extract
            ctx.advance()
            ctx.reject(row.get("reason") or "rejected by the Spark job", row.get("raw") or "", row.get("location"))
        for row in documents:
            ctx.advance()
            if not row.get("doc_id") or not isinstance(row.get("text"), str):
                ctx.reject("document without doc_id or text", {k: row.get(k) for k in ("doc_id", "url")},
                           f"documents:{row.get('doc_id')}")
                continue
            ctx.document(Document(doc_id=str(row["doc_id"]), text=row["text"], url=row.get("url"),
                                  title=row.get("title"), publisher=row.get("publisher"),
                                  published=row.get("published")), retrieved_at=row.get("retrieved_at"))
        for row in figures:
            ctx.advance()
            fields = {k: row[k] for k in FIGURE_COLUMNS if k in row}
            ctx.figure(location=f"figures:{row.get('figure_id')}", **fields)
