"""Time the note on figures for wider areas and the figures listing it links to (scope=wider) at 10M figures.

    python benchmarks/wider_areas.py --keep DIR    # builds DIR/bench.duckdb as dashboard_queries.py does, or reuses it

The synthetic warehouse has no figure tagged to a country alone, so the figures of one region (SY02, about 2.4%)
are untagged first and given three places as written ("northwest Syria", ...); then a full publish rebuilds the
derived tables. Prints milliseconds, wall and CPU (median of 5 after a warm-up), and the rows each grid query
reads (EXPLAIN ANALYZE). Not a test: record the numbers in docs/benchmarks.md.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_queries import bench_warehouse, publish  # noqa: E402

from dashboard import queries, wider  # noqa: E402
from dashboard.filters import Filters  # noqa: E402
from etl.warehouse import Reader  # noqa: E402

UNTAG = """
UPDATE figures SET admin1_pcode = NULL, admin2_pcode = NULL,
       location_text = ['northwest Syria', 'Idleb and northern Aleppo', 'Syria'][CAST(hash(figure_id) % 3 AS INT) + 1]
WHERE admin1_pcode = 'SY02'
"""
NOTE_CASES = {"region": Filters(admin1="SY07"), "region, displaced": Filters(admin1="SY07", metric="displaced"),
              "region, displaced, 2019": Filters(admin1="SY07", metric="displaced", start="2019-01-01",
                                                 end="2019-12-31")}
GRID_CASES = {"country": Filters(country="SYR"), "country, scope=wider": Filters(country="SYR", scope="wider"),
              "country+displaced": Filters(country="SYR", metric="displaced"),
              "country+displaced, scope=wider": Filters(country="SYR", metric="displaced", scope="wider")}


def timed(fn, runs: int = 5) -> tuple[float, float]:
    """(wall ms, CPU ms of this process), medians."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def rows_read(path: Path, name: str, f: Filters) -> int:
    """The rows the query's scan of figure_facts passes on (the largest row count in its profile)."""
    sql = queries.SQL[name].replace("{{order}}", queries.DEFAULT_ORDER)
    params = f.params() | {"limit": 100, "offset": 0}
    con = duckdb.connect(str(path), read_only=True)
    try:
        plan = con.execute("EXPLAIN ANALYZE " + sql, {k: params.get(k) for k in queries._PARAM.findall(sql)})
        text = plan.fetchall()[0][1]
    finally:
        con.close()
    return max((int(n.replace(",", "")) for n in re.findall(r"([\d,]+) [Rr]ows", text)), default=0)


def main(argv=None) -> None:
    args, path = bench_warehouse(__doc__.splitlines()[0], "wider-bench-", argv)
    con = duckdb.connect(str(path))
    con.execute(UNTAG)
    n = con.execute("SELECT count(*) FROM figures WHERE admin1_pcode IS NULL").fetchall()[0][0]
    con.close()
    print(f"{n:,} figures tagged to a country alone")
    publish(path, args.threads)
    reader = Reader(path, memory_limit="1GB", threads=args.threads)
    queries.CACHING = False
    print("| query | filters | wall | CPU | rows read |")
    print("|---|---|---:|---:|---:|")
    for label, f in NOTE_CASES.items():
        listing = wider.listing(reader, f)
        wall, cpu = timed(lambda f=f: wider.note(reader, f, "x"))
        print(f"| note (wider.note) | {label} | {wall:.1f} ms | {cpu:.1f} ms | |")
        print(f"|   its areas | {label} | | | {rows_read(path, 'wider_areas', listing):,} |")
    for label, f in GRID_CASES.items():
        for name, fn in (("grid page 1", lambda f=f: queries.figure_rows(reader, f, 0, 100, count=False)),
                         ("grid count", lambda f=f: queries.run(reader, "figure_count", f.params()))):
            wall, cpu = timed(fn)
            query = "figure_rows" if name == "grid page 1" else "figure_count"
            print(f"| {name} | {label} | {wall:.1f} ms | {cpu:.1f} ms | {rows_read(path, query, f):,} |")
    reader.close()


if __name__ == "__main__":
    main()
