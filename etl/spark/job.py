"""The Spark extraction job: documents (JSONL or Parquet) → a Parquet lake of figures, documents and rejects.

    displacement spark extract INPUT OUTPUT            # local mode, from the CLI
    spark-submit --master yarn etl/spark/job.py INPUT OUTPUT   # the same job on a cluster

OUTPUT/figures/ (hive-partitioned by country_iso3 and year) and OUTPUT/documents/ are laid out as
`displacement export` writes them (docs/schema.md);
OUTPUT/rejects/ holds each line that could not be read or extracted, with its reason. A bad document never fails
the job.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from etl.spark import mapper

LAKE_TABLES = ("figures", "documents", "rejects")


class JobError(RuntimeError):
    """The job cannot start: missing input, existing output. One line."""


def session(master: str | None = None, app: str = "displacement-extract", partitions: int | None = None):
    """A SparkSession; `master` only when not already given by spark-submit. Local sessions bind to 127.0.0.1."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    if master and master.startswith("local"):
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1"))
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    builder = builder.config("spark.sql.session.timeZone", "UTC").config("spark.ui.showConsoleProgress", "false")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_errors() -> tuple[type[BaseException], ...]:
    """Errors Spark raises for bad input or a failed job (shown to the user as one line)."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)


def _local(path: str) -> bool:
    return "://" not in path or path.startswith("file://")


def input_format(path: str) -> str:
    """'parquet' or 'jsonl', from the file name (a folder: from the files in it)."""
    bare = path.removeprefix("file://")
    if _local(path) and Path(bare).is_dir():
        names = [p.name for p in Path(bare).iterdir()]
        return "parquet" if any(n.endswith(".parquet") for n in names) else "jsonl"
    return "parquet" if path.rstrip("/").endswith(".parquet") else "jsonl"


def check_paths(source: str, output: str, mode: str) -> None:
    if _local(source) and not glob.glob(source.removeprefix("file://")):
        raise JobError(f"no such file or folder: {source}")
    if mode == "error" and _local(output) and any((Path(output.removeprefix("file://")) / t).exists()
                                                  for t in LAKE_TABLES):
        raise JobError(f"{output} already holds a lake; pass --mode overwrite or --mode append")


def read_lines(spark, source: str, fmt: str | None = None, partitions: int | None = None):
    """A DataFrame of (path, line): one JSON document per row, whatever the input format."""
    from pyspark.sql import functions as F

    fmt = fmt or input_format(source)
    if fmt == "parquet":
        df = spark.read.parquet(source)
        lines = df.select(F.input_file_name().alias("path"), F.to_json(F.struct(*df.columns)).alias("line"))
    else:
        lines = spark.read.text(source).select(F.input_file_name().alias("path"), F.col("value").alias("line"))
    return lines.repartition(partitions) if partitions else lines


def extract(spark, source: str, output: str, *, fmt: str | None = None, partitions: int | None = None,
            mode: str = "error", db: str | Path | None = None) -> dict:
    """Run the job; returns the row count of each lake table."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    check_paths(source, output, mode)
    name = None
    if db is not None:  # shipped to every executor; each Python worker builds its gazetteer from it once
        spark.sparkContext.addFile(str(Path(db).resolve()))
        name = Path(db).name
    retrieved_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)

    def run(batches):
        from pyspark import SparkFiles

        return mapper.map_batches(batches, SparkFiles.get(name) if name else None, retrieved_at)

    rows = read_lines(spark, source, fmt, partitions).mapInPandas(run, mapper.UNION_SCHEMA)
    rows = rows.persist(StorageLevel.MEMORY_AND_DISK)
    columns = {
        "figures": [n for n, _ in mapper.FIGURE_FIELDS] + ["year"],
        "documents": [n for n, _ in mapper.DOCUMENT_FIELDS],
        "rejects": [n for n, _ in mapper.REJECT_FIELDS],
    }
    partition_by = {"figures": ["country_iso3", "year"], "documents": [], "rejects": []}
    counts = {}
    write_mode = "errorifexists" if mode == "error" else mode
    for table, kind in (("figures", "figure"), ("documents", "document"), ("rejects", "reject")):
        part = rows.where(F.col("kind") == kind).select(*columns[table])
        counts[table] = part.count()
        writer = part.write.mode(write_mode)
        if partition_by[table]:
            writer = writer.partitionBy(*partition_by[table])
        writer.parquet(f"{output.rstrip('/')}/{table}")
    rows.unpersist()
    return counts


def has_places(db) -> bool:
    """True when `db` is a warehouse file with places (the gazetteer `displacement extract` then uses)."""
    if not db or not Path(db).exists():
        return False
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return False
    try:
        return bool(con.execute("SELECT count(*) FROM places").fetchall()[0][0])
    except duckdb.Error:
        return False
    finally:
        con.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="etl/spark/job.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="JSONL or Parquet documents: a file, a folder or a glob (any Hadoop path)")
    ap.add_argument("output", help="the lake folder to write")
    ap.add_argument("--master", help="Spark master (default: what spark-submit gives, else local[*])")
    ap.add_argument("--partitions", type=int, help="input partitions (default: as Spark reads the files)")
    ap.add_argument("--format", dest="fmt", choices=("jsonl", "parquet"), help="default: from the file names")
    ap.add_argument("--mode", choices=("error", "overwrite", "append"), default="error")
    ap.add_argument("--db", help="resolve places with this warehouse file's places (default: the bundled gazetteer)")
    args = ap.parse_args(argv)
    # under spark-submit the master comes from its --master; run as a script, the job runs locally
    master = args.master or (None if os.environ.get("PYSPARK_GATEWAY_PORT") else "local[*]")
    try:
        check_paths(args.input, args.output, args.mode)
        if args.db and not Path(args.db).exists():
            raise JobError(f"no such warehouse file: {args.db}")
        spark = session(master, partitions=args.partitions)
        counts = extract(spark, args.input, args.output, fmt=args.fmt, partitions=args.partitions,
                         mode=args.mode, db=args.db)
    except (JobError, *spark_errors()) as exc:
        print(f"error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    print(" ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
