"""Cost of the public copy (etl.public_copy): build time and size, on the demo or on a copy of a big warehouse.

    python benchmarks/public_copy.py --demo
    python benchmarks/public_copy.py --warehouse /tmp/w10m/bench.duckdb --restrict src0

The warehouse is copied first (never changed in place); `--restrict src0` renames that source to `acled` in the copy
(figures, documents, rejects, runs), so a share of the rows is left out as a no-redistribution source's would be.
Prints wall and CPU time, the load average, and the sizes of the warehouse and the public copy.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from etl import public_copy
from etl.settings import Settings
from etl.warehouse import migrate


def demo_warehouse(folder: Path) -> Path:
    from etl import runner

    settings = Settings(db=folder / "demo.duckdb", raw_dir=folder / "raw")
    runner.run(settings)
    return Path(os.path.realpath(settings.db))


def restrict(db: Path, source: str | None) -> None:
    """Bring the copy's schema up to date (a benchmark warehouse may be older), and mark `source` as restricted."""
    con = duckdb.connect(str(db))
    migrate(con, views=False)
    for table in ("figures", "documents", "rejects", "etl_runs"):
        if source:
            con.execute(f"UPDATE {table} SET source = 'acled' WHERE source = ?", [source])
    con.execute("CHECKPOINT")
    con.close()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="a warehouse file to copy and measure")
    parser.add_argument("--demo", action="store_true", help="measure on the demo warehouse")
    parser.add_argument("--restrict", help="a source to rename to `acled` in the copy")
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as tmp:
        folder = Path(tmp)
        if args.demo:
            db = demo_warehouse(folder)
        else:
            db = folder / "bench.duckdb"
            shutil.copyfile(args.warehouse, db)
        restrict(db, args.restrict)
        con = duckdb.connect(str(db), read_only=True)
        total, hidden = con.execute("SELECT count(*), count(*) FILTER (WHERE source IN ('acled', 'dtm', 'hapi-idps'))"
                                    " FROM figures").fetchall()[0]
        con.close()
        out = public_copy.folder(db) / "p-bench.duckdb"
        out.parent.mkdir(parents=True)
        load = os.getloadavg()
        wall, used = time.monotonic(), cpu()
        public_copy.build(db, out, args.memory_limit, args.threads)
        wall, used = time.monotonic() - wall, cpu() - used
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"figures {total:,} ({hidden:,} restricted); warehouse {db.stat().st_size / 1e6:,.1f} MB;"
              f" public copy {out.stat().st_size / 1e6:,.1f} MB; build {wall:.1f} s wall, {used:.1f} s CPU;"
              f" peak RSS {peak:,.0f} MB; load average before {load[0]:.1f}; memory_limit {args.memory_limit},"
              f" {args.threads} threads")


if __name__ == "__main__":
    main()
